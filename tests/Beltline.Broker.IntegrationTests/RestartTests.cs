using Confluent.Kafka;
using Confluent.Kafka.Admin;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Everything a client wrote is there after the broker restarts on the same data dir.</summary>
public sealed class RestartTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Topics_configs_and_records_survive_a_restart()
    {
        await CreateTopicAsync(fixture, "durable", partitions: 3, configs: new() { ["retention.ms"] = "86400000", ["segment.bytes"] = "65536" });
        var clusterId = fixture.Broker.ClusterId;
        using (var producer = new ProducerBuilder<string, string>(fixture.ProducerConfig(CompressionType.Zstd)).Build())
        {
            for (var i = 0; i < 3000; i++)
                producer.Produce(new TopicPartition("durable", i % 3), new Message<string, string> { Key = $"k{i}", Value = $"value-{i}-{new string('x', 100)}" });
            Assert.Equal(0, producer.Flush(Patience));
        }
        using (var admin = new AdminClientBuilder(fixture.AdminConfig()).Build())
            await admin.DeleteRecordsAsync([new TopicPartitionOffset("durable", 1, 10)]);

        await fixture.RestartAsync();

        using var consumer = new ConsumerBuilder<Ignore, string>(fixture.ConsumerConfig()).Build();
        var marks = Enumerable.Range(0, 3).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition("durable", p), Patience)).ToList();
        var partition0 = ReadPartition(fixture, "durable", 0, 0, 1000);
        using var after = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var configs = (await after.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "durable" }]))[0].Entries;

        Assert.Equal(clusterId, fixture.Broker.ClusterId);
        Assert.Equal([(0L, 1000L), (10L, 1000L), (0L, 1000L)], marks.Select(m => (m.Low.Value, m.High.Value)));
        Assert.Equal(1000, partition0.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"value-{i * 3}-{new string('x', 100)}"), partition0.Select(r => r.Message.Value));
        Assert.Equal("86400000", configs["retention.ms"].Value);
        Assert.Equal("65536", configs["segment.bytes"].Value);

        // The log keeps growing where it left off.
        using var producerAfter = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build();
        var next = await producerAfter.ProduceAsync(new TopicPartition("durable", 0), new Message<Null, string> { Value = "after restart" });
        Assert.Equal(1000L, next.Offset.Value);
    }
}
