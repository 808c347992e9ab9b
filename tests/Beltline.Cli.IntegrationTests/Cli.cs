using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Beltline.Cli.IntegrationTests;

/// <summary>What one in-process run of the `beltline` command printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public JsonElement Json() => JsonDocument.Parse(Output).RootElement;

    /// <summary>Each non-empty line of the output parsed as JSON (JSON Lines).</summary>
    public List<JsonElement> JsonLines() =>
        Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>Runs the `beltline` command in-process against a broker, and the Confluent clients the tests check with.</summary>
internal static class Cli
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await Program.CreateRoot().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs a command with --bootstrap pointing at the fixture's broker.</summary>
    public static Task<CliRun> RunAsync(BrokerFixture broker, params string[] args) => RunAsync([.. args, "--bootstrap", broker.BootstrapServers]);

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>A host:port nothing listens on: a port the system just handed out and took back.</summary>
    public static string UnreachableBootstrap()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }

    public static string TempFile(string contents)
    {
        var path = Path.Combine(Path.GetTempPath(), $"beltline-cli-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, contents);
        return path;
    }

    public static IAdminClient Admin(BrokerFixture broker) => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();

    public static async Task CreateTopicAsync(BrokerFixture broker, string topic, int partitions = 1, Dictionary<string, string>? configs = null)
    {
        using var admin = Admin(broker);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }]);
    }

    public static async Task ProduceAsync(BrokerFixture broker, string topic, int partition, params string[] values)
    {
        using var producer = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
        foreach (var value in values)
            await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string?, string> { Value = value });
    }

    /// <summary>Reads exactly <paramref name="count"/> records of one partition from the beginning, by assign (no group).</summary>
    public static List<ConsumeResult<string?, string?>> ReadPartition(BrokerFixture broker, string topic, int partition, int count)
    {
        using var consumer = new ConsumerBuilder<string?, string?>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = Unique("reader") }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, partition, Offset.Beginning));
        var results = new List<ConsumeResult<string?, string?>>();
        var deadline = DateTime.UtcNow + Patience;
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
                results.Add(result);
        }
        consumer.Close();
        return results;
    }

    /// <summary>The partition's log-end offset (high watermark).</summary>
    public static long EndOffset(BrokerFixture broker, string topic, int partition)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = Unique("watermarks") }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), Patience).High.Value;
    }

    /// <summary>Commits offsets for a group that then has no members, as a consumer that stopped would leave it.</summary>
    public static async Task CommitAsync(BrokerFixture broker, string group, params TopicPartitionOffset[] offsets)
    {
        using var admin = Admin(broker);
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group, offsets.ToList())]);
    }

    public static async Task<Dictionary<int, long>> CommittedAsync(BrokerFixture broker, string group)
    {
        using var admin = Admin(broker);
        var listed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
        return listed[0].Partitions.Where(p => p.Offset.Value >= 0).ToDictionary(p => p.Partition.Value, p => p.Offset.Value);
    }

    public static async Task<bool> TopicExistsAsync(BrokerFixture broker, string topic)
    {
        using var admin = Admin(broker);
        await Task.Yield();
        return admin.GetMetadata(Patience).Topics.Any(t => t.Topic == topic && !t.Error.IsError);
    }
}
