using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Beltline.Line.Kafka;
using Beltline.Line.OrderProducer;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Beltline.Line.IntegrationTests;

public sealed class OrderProducerFunctionTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static string NewTopic() => "orders-" + Guid.NewGuid().ToString("N")[..8];

    internal static List<ConsumeResult<string, string>> ReadAll(string bootstrap, string topic, int expected)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "check-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (records.Count < expected && DateTime.UtcNow < deadline)
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } record)
                records.Add(record);
        // Nothing beyond the expected records.
        if (consumer.Consume(TimeSpan.FromSeconds(1)) is { IsPartitionEOF: false } extra)
            records.Add(extra);
        return records;
    }

    [Fact]
    public async Task It_creates_the_topic_with_three_partitions_and_sends_unique_orders_keyed_by_customer()
    {
        var topic = NewTopic();
        var logger = new ListLogger();

        var response = await new OrderProducerFunction(logger).InvokeAsync(new OrderProducerSettings(200, broker.BootstrapServers, topic), CancellationToken.None);

        Assert.Equal(OrderProducerResponse.Executed, response);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        Assert.Equal(3, metadata.Topics.Single().Partitions.Count);
        var records = ReadAll(broker.BootstrapServers, topic, 200);
        Assert.Equal(200, records.Count);
        var orderIds = new HashSet<long>();
        foreach (var record in records)
        {
            using var order = JsonDocument.Parse(record.Message.Value);
            Assert.Equal("order_placed", order.RootElement.GetProperty("event_type").GetString());
            Assert.Equal(record.Message.Key, order.RootElement.GetProperty("customer_id").GetInt32().ToString());
            Assert.True(orderIds.Add(order.RootElement.GetProperty("order_id").GetInt64()));
            Assert.NotEmpty(order.RootElement.GetProperty("items").EnumerateArray());
        }
        Assert.True(records.Select(r => r.Partition.Value).Distinct().Count() > 1);
        Assert.Contains("Finished writing '200' messages!", logger.Lines);
        Assert.Contains(logger.Lines, l => l.StartsWith($"Created topic {topic} with 3 partitions"));
    }

    [Fact]
    public async Task An_existing_topic_is_used_as_it_is()
    {
        var topic = NewTopic();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 5, ReplicationFactor = 1 }]);
        var logger = new ListLogger();

        var response = await new OrderProducerFunction(logger).InvokeAsync(new OrderProducerSettings(10, broker.BootstrapServers, topic), CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.DoesNotContain(logger.Lines, l => l.StartsWith("Created topic"));
        Assert.Equal(10, ReadAll(broker.BootstrapServers, topic, 10).Count);
    }

    [Fact]
    public async Task Zero_messages_still_creates_the_topic_and_answers()
    {
        var topic = NewTopic();

        var response = await new OrderProducerFunction(new ListLogger()).InvokeAsync(new OrderProducerSettings(0, broker.BootstrapServers, topic), CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        Assert.Equal(3, admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count);
    }

    [Fact]
    public async Task An_unreachable_cluster_is_named_in_the_error()
    {
        var closedPort = FreePort();
        var settings = new OrderProducerSettings(1, $"127.0.0.1:{closedPort}", NewTopic()) { Timeout = TimeSpan.FromSeconds(3) };

        var error = await Assert.ThrowsAsync<KafkaUnreachableException>(() => new OrderProducerFunction(new ListLogger()).InvokeAsync(settings, CancellationToken.None));

        Assert.StartsWith($"Cannot reach Kafka at 127.0.0.1:{closedPort} within 3 s", error.Message);
    }

    [Fact]
    public async Task As_a_Lambda_stream_handler_it_reads_its_environment_and_returns_the_response_bytes()
    {
        var topic = NewTopic();
        // The only test here that sets these process-wide variables.
        Environment.SetEnvironmentVariable("MESSAGE_COUNT", "7");
        Environment.SetEnvironmentVariable("BOOTSTRAP_SERVER", broker.BootstrapServers);
        Environment.SetEnvironmentVariable("TOPIC_NAME", topic);
        try
        {
            var eventJson = new MemoryStream(Encoding.UTF8.GetBytes("""{"version":"0","detail-type":"Scheduled Event","source":"aws.events"}"""));
            var output = await new OrderProducerFunction(new ListLogger()).FunctionHandler(eventJson);

            Assert.Equal("""{"statusCode":200,"body":"\"Lambda function executed!\""}""", new StreamReader(output).ReadToEnd());
            Assert.Equal(7, ReadAll(broker.BootstrapServers, topic, 7).Count);
            await Assert.ThrowsAsync<ArgumentException>(() => new OrderProducerFunction(new ListLogger()).FunctionHandler(new MemoryStream("not json"u8.ToArray())));
            Environment.SetEnvironmentVariable("TOPIC_NAME", null);
            var missing = await Assert.ThrowsAsync<OrderProducerConfigException>(() => new OrderProducerFunction(new ListLogger()).FunctionHandler(new MemoryStream("{}"u8.ToArray())));
            Assert.Contains("TOPIC_NAME", missing.Message);
        }
        finally
        {
            foreach (var name in new[] { "MESSAGE_COUNT", "BOOTSTRAP_SERVER", "TOPIC_NAME" })
                Environment.SetEnvironmentVariable(name, null);
        }
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Keeps formatted log lines, to assert what a station says.</summary>
internal sealed class ListLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue(formatter(state, exception));
}
