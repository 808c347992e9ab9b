using Beltline.Broker.Network;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// Run alone: the Prometheus adapter listens to every "Beltline.Broker" meter in the process, so a broker of another
/// test class running at the same time added its groups to these gauges (the flaky failures seen before).
/// </summary>
[CollectionDefinition(nameof(MetricsTests), DisableParallelization = true)]
public sealed class MetricsCollection;

/// <summary>The Prometheus endpoint exposes the broker's own instruments.</summary>
[Collection(nameof(MetricsTests))]
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_endpoint_counts_requests_and_records_from_the_first_request_on()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "beltline-metrics-" + Guid.NewGuid().ToString("N"));
        var broker = await BeltlineBroker.StartAsync(new BrokerOptions
        {
            Listeners = [new ListenerOptions("PLAINTEXT", 0, Network.SecurityProtocol.Plaintext)],
            DataDir = dataDir,
            MetricsPort = 0,
            LoggerFactory = NullLoggerFactory.Instance,
        });
        string text;
        try
        {
            using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
            {
                for (var i = 0; i < 25; i++)
                    producer.Produce("metered", new Message<Null, string> { Value = "m" + i });
                Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
            }
            using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
            {
                BootstrapServers = broker.BootstrapServers, GroupId = "metered-group", AutoOffsetReset = AutoOffsetReset.Earliest,
            }).Build();
            consumer.Subscribe("metered");
            Assert.NotNull(consumer.Consume(TimeSpan.FromSeconds(30)));
            // Gauges are read at scrape time from the coordinator, which may still be finishing the join the consumer
            // has just seen complete: scrape until the group shows up (or 10 s pass), then assert on that text.
            using var http = new HttpClient();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                text = await http.GetStringAsync($"http://127.0.0.1:{broker.MetricsPort}/metrics");
                if (text.Contains("beltline_broker_group_members 1", StringComparison.Ordinal) || DateTime.UtcNow >= deadline)
                    break;
                await Task.Delay(200);
            }
        }
        finally
        {
            await broker.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }

        Assert.Matches(@"beltline_broker_requests\{api=""Produce""\} [1-9]", text);
        Assert.Matches(@"beltline_broker_messages_in (2[5-9]|[3-9]\d|\d{3,})", text);
        Assert.Contains(@"beltline_broker_log_size{partition=""0"",topic=""metered""}", text);
        Assert.Matches(@"beltline_broker_groups\{state=""Stable""\} 1", text);
        Assert.Matches(@"beltline_broker_group_members 1", text);
    }
}
