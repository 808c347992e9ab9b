using System.Text;
using Beltline.Line.Clickstream;
using Confluent.Kafka;

namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline invoke order-producer` and `beltline clickstream` against an in-process broker.</summary>
public sealed class StationCommandsTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "beltline-stations-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        var run = await Cli.RunAsync(args);
        return (run.ExitCode, run.Output, run.Error);
    }

    private long CountRecords(string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "count" }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions;
        return partitions.Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10)).High.Value);
    }

    [Fact]
    public async Task Invoke_order_producer_prints_the_functions_response_and_the_orders_land()
    {
        var topic = "orders-" + Guid.NewGuid().ToString("N")[..8];

        var (exit, output, _) = await Run("invoke", "order-producer", "--count", "12", "--topic", topic, "--bootstrap", broker.BootstrapServers);

        Assert.Equal(0, exit);
        Assert.Equal("""{"statusCode":200,"body":"\"Lambda function executed!\""}""", output.Trim());
        Assert.Equal(12, CountRecords(topic));
    }

    [Fact]
    public async Task Invoke_without_a_topic_or_with_a_bad_interval_is_a_usage_error()
    {
        var (noTopic, _, noTopicError) = await Run("invoke", "order-producer", "--bootstrap", broker.BootstrapServers);
        var (badEvery, _, badEveryError) = await Run("invoke", "order-producer", "--topic", "t", "--bootstrap", broker.BootstrapServers, "--every", "soon");

        Assert.Equal(2, noTopic);
        Assert.Contains("No topic: set TOPIC_NAME (or --topic).", noTopicError);
        Assert.Equal(2, badEvery);
        Assert.Contains("--every 'soon' is not an interval", badEveryError);
    }

    [Fact]
    public async Task Invoke_against_an_unreachable_broker_fails_with_its_address()
    {
        var bootstrap = Cli.UnreachableBootstrap();

        var (exit, output, error) = await Run("invoke", "order-producer", "--topic", "t", "--bootstrap", bootstrap);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains($"Cannot reach Kafka at {bootstrap} within 15 s", error);
    }

    [Fact]
    public async Task Clickstream_writes_its_users_sessions_keeps_the_bookmark_and_the_event_log()
    {
        var topic = "clicks-" + Guid.NewGuid().ToString("N")[..8];
        var bookmark = Path.Combine(_dir, "bookmark.txt");
        var eventLog = Path.Combine(_dir, "events.log");

        var (exit, output, error) = await Run("clickstream", "--bootstrap", broker.BootstrapServers, "--topic", topic, "--threads", "2", "--users", "15",
            "--no-delay", "--bookmark", bookmark, "--event-log", eventLog, "--seed", "4");

        Assert.True(exit == 0, error);
        var clicks = File.ReadAllLines(eventLog).Select(l => ClickEventJsonSerializer.FromJson(Encoding.UTF8.GetBytes(l))).ToList();
        Assert.Equal(30, clicks.Count(c => c.IsTerminating));
        Assert.Equal(clicks.Count, CountRecords(topic));
        Assert.Equal(clicks.Count.ToString(), File.ReadAllText(bookmark).Trim());
        Assert.Contains("Clickstream summary", output);
        Assert.Contains($"│ events delivered │ {clicks.Count:N0}", output);

        var (again, _, _) = await Run("clickstream", "--bootstrap", broker.BootstrapServers, "--topic", topic, "--threads", "1", "--users", "1",
            "--no-delay", "--bookmark", bookmark, "--no-event-log");

        Assert.Equal(0, again);
        Assert.True(long.Parse(File.ReadAllText(bookmark).Trim()) > clicks.Count);
    }

    [Fact]
    public async Task Clickstream_takes_the_containers_environment()
    {
        var topic = "clicks-env-" + Guid.NewGuid().ToString("N")[..8];
        var variables = new Dictionary<string, string?> { ["BROKERS"] = broker.BootstrapServers, ["TOPIC"] = topic, ["NMTRD"] = "3", ["BATCHSIZE"] = "32768", ["LINGERMS"] = "5", ["BUFFERMEMORY"] = "33554432" };
        foreach (var (name, value) in variables)
            Environment.SetEnvironmentVariable(name, value);
        try
        {
            var (exit, _, error) = await Run("clickstream", "--users", "4", "--no-delay", "--no-event-log", "--bookmark", Path.Combine(_dir, "b.txt"));

            Assert.True(exit == 0, error);
            Assert.Equal(3 * 4, CountTerminating(topic));
        }
        finally
        {
            foreach (var name in variables.Keys)
                Environment.SetEnvironmentVariable(name, null);
        }
    }

    private int CountTerminating(string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers, GroupId = "t-" + Guid.NewGuid().ToString("N"), AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var total = CountRecords(topic);
        var terminating = 0;
        for (var seen = 0L; seen < total;)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(10)) is not { } record)
                break;
            seen++;
            if (ClickEventJsonSerializer.FromJson(record.Message.Value).IsTerminating)
                terminating++;
        }
        return terminating;
    }

    [Fact]
    public async Task Clickstream_rejects_bad_arguments_and_a_bad_environment_before_starting()
    {
        var (threads, _, threadsError) = await Run("clickstream", "--threads", "0", "--bootstrap", broker.BootstrapServers);
        var (users, _, usersError) = await Run("clickstream", "--users", "0", "--bootstrap", broker.BootstrapServers);
        var (config, _, configError) = await Run("clickstream", "--command-config", Path.Combine(_dir, "missing.properties"));
        Environment.SetEnvironmentVariable("NMTRD", "many");
        int env;
        string envError;
        try
        {
            (env, _, envError) = await Run("clickstream", "--bootstrap", broker.BootstrapServers);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NMTRD", null);
        }

        Assert.Equal(2, threads);
        Assert.Contains("--threads must be at least 1, got 0.", threadsError);
        Assert.Equal(2, users);
        Assert.Contains("--users must be at least 1, got 0.", usersError);
        Assert.Equal(2, config);
        Assert.Contains("missing.properties' does not exist", configError);
        Assert.Equal(2, env);
        Assert.Contains("NMTRD='many' is not a valid integer", envError);
    }

    [Fact]
    public async Task Clickstream_against_an_unreachable_broker_fails_with_its_address()
    {
        var bootstrap = Cli.UnreachableBootstrap();

        var (exit, _, error) = await Run("clickstream", "--bootstrap", bootstrap, "--users", "1", "--no-event-log", "--bookmark", Path.Combine(_dir, "b.txt"));

        Assert.Equal(1, exit);
        Assert.Contains($"Cannot reach Kafka at {bootstrap} within 10 s", error);
    }

    [Fact]
    public async Task Sink_search_refuses_a_bad_endpoint_and_fails_clearly_when_the_store_is_unreachable()
    {
        var (badUrl, _, badUrlError) = await Run("sink", "search", "--bootstrap", broker.BootstrapServers, "--endpoint", "search:9200");
        var (noPassword, _, noPasswordError) = await Run("sink", "search", "--bootstrap", broker.BootstrapServers, "--user", "admin");
        var (unreachable, _, unreachableError) = await Run("sink", "search", "--bootstrap", broker.BootstrapServers, "--endpoint", "http://" + Cli.UnreachableBootstrap(), "--group-id", Cli.Unique("sink"), "--max-attempts", "2");

        Assert.Equal(2, badUrl);
        Assert.Contains("--endpoint must be an http(s) URL", badUrlError);
        Assert.Equal(2, noPassword);
        Assert.Contains("--user needs --password", noPasswordError);
        Assert.Equal(1, unreachable);
        Assert.Contains("Cannot reach the search store", unreachableError);
    }
}
