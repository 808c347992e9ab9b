using Confluent.Kafka;
using Confluent.Kafka.Admin;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>The background log cleaner, seen through Confluent.Kafka: a compacted topic keeps the latest value per key.</summary>
public sealed class CompactionTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "beltline-it-" + Guid.NewGuid().ToString("N"));
    private BeltlineBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await BeltlineBroker.StartAsync(new BrokerOptions
    {
        Listeners = [new Network.ListenerOptions("PLAINTEXT", 0, Network.SecurityProtocol.Plaintext)],
        DataDir = _dataDir,
        CleanerInterval = TimeSpan.FromMilliseconds(200),
    });

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_compacted_topic_ends_up_with_the_latest_value_of_each_key_and_deleted_keys_gone()
    {
        const string topic = "compacted";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic, NumPartitions = 1, ReplicationFactor = 1,
                Configs = new() { ["cleanup.policy"] = "compact", ["segment.bytes"] = "2048", ["min.cleanable.dirty.ratio"] = "0.01", ["delete.retention.ms"] = "0" },
            }]);
        }
        var produced = new List<(long Offset, string Key, string? Value)>();
        using (var producer = new ProducerBuilder<string, string?>(new ProducerConfig { BootstrapServers = _broker.BootstrapServers, LingerMs = 0 }).Build())
        {
            for (var round = 0; round < 5; round++)
            {
                for (var key = 0; key < 20; key++)
                {
                    // Round 3 deletes the odd keys (tombstones); round 4 leaves them deleted.
                    if (round == 4 && key % 2 == 1)
                        continue;
                    var value = round == 3 && key % 2 == 1 ? null : $"key{key}-round{round}-{new string('v', 50)}";
                    var result = await producer.ProduceAsync(topic, new Message<string, string?> { Key = $"key{key}", Value = value });
                    produced.Add((result.Offset.Value, $"key{key}", value));
                }
            }
            // Enough filler to push everything above into sealed segments.
            for (var i = 0; i < 40; i++)
                await producer.ProduceAsync(topic, new Message<string, string?> { Key = $"filler{i}", Value = new string('f', 100) });
        }

        List<(long Offset, string Key, string? Value)> remaining = [];
        var deadline = DateTime.UtcNow + Patience;
        do
        {
            await Task.Delay(300);
            remaining = ReadAll(topic).Where(r => r.Key.StartsWith("key", StringComparison.Ordinal)).ToList();
        }
        while ((remaining.Count(r => r.Value is null) > 0 || remaining.Count > 10) && DateTime.UtcNow < deadline);

        var expected = Enumerable.Range(0, 20).Where(k => k % 2 == 0).Select(k => produced.Last(p => p.Key == $"key{k}")).ToList();
        Assert.Equal(expected, remaining);
    }

    [Fact]
    public async Task A_compacted_topic_refuses_records_without_a_key()
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _broker.BootstrapServers }).Build())
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "keyed-only", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["cleanup.policy"] = "compact" } }]);
        using var producer = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = _broker.BootstrapServers, MessageSendMaxRetries = 0 }).Build();

        var keyed = await producer.ProduceAsync("keyed-only", new Message<string?, string> { Key = "k", Value = "v" });
        var refused = await Assert.ThrowsAsync<ProduceException<string?, string>>(() =>
            producer.ProduceAsync("keyed-only", new Message<string?, string> { Key = null, Value = "v" }));

        Assert.Equal(PersistenceStatus.Persisted, keyed.Status);
        Assert.Equal(ErrorCode.InvalidRecord, refused.Error.Code);

        // KIP-467: the response names the offending records of a batch.
        var builder = new Beltline.Protocol.Records.RecordBatchBuilder();
        foreach (var key in new[] { "a", null, "b", null })
            builder.Add(key is null ? null : System.Text.Encoding.UTF8.GetBytes(key), [1], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await using var connection = await RawKafkaConnection.ConnectAsync(_broker);
        var response = await connection.SendAsync<Beltline.Protocol.Messages.ProduceResponse>(new Beltline.Protocol.Messages.ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 10_000,
            Topics = [new() { Name = "keyed-only", Partitions = [new() { Index = 0, Records = builder.Build() }] }],
        }, Beltline.Protocol.ApiKey.Produce, 9);
        var partition = response.Topics[0].Partitions[0];
        Assert.Equal(Beltline.Protocol.ErrorCode.InvalidRecord, partition.ErrorCode);
        Assert.Equal([1, 3], partition.RecordErrors.Select(e => e.BatchIndex));
    }

    private List<(long Offset, string Key, string? Value)> ReadAll(string topic)
    {
        using var consumer = new ConsumerBuilder<string, string?>(new ConsumerConfig
        {
            BootstrapServers = _broker.BootstrapServers, GroupId = "unused", EnableAutoCommit = false, EnablePartitionEof = true,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = new List<(long, string, string?)>();
        while (consumer.Consume(Patience) is { } result && !result.IsPartitionEOF)
            records.Add((result.Offset.Value, result.Message.Key, result.Message.Value));
        return records;
    }
}
