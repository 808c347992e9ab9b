using Beltline.Line.Clickstream;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Beltline.Testing;

/// <summary>(Linked into the station test projects.) Clicks into a topic and records out of topics, for processor tests.</summary>
public static class KafkaTestData
{
    /// <summary>
    /// <paramref name="sessionsPerThread"/> seeded sessions into a new topic, one click per millisecond of event
    /// time from <paramref name="start"/>, so windows keep firing as the input is read.
    /// </summary>
    public static async Task<long> ProduceClicksAsync(string bootstrap, string topic, int partitions, int sessions, int seed, DateTimeOffset start)
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        var config = KafkaClickEventSink.OriginalDefaults();
        config.BootstrapServers = bootstrap;
        config.LingerMs = 5;
        config.BatchSize = 1 << 20;
        var clock = new FakeTimeProvider(start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        using var sink = new KafkaClickEventSink(config, topic);
        var status = await new ClickstreamProducer(new ClickstreamOptions { Threads = 1, UsersPerThread = sessions, NoDelay = true, Seed = seed }, sink, NullLogger.Instance, clock)
            .RunAsync(CancellationToken.None);
        if (status.Errors > 0)
            throw new InvalidOperationException($"Producing test clicks failed: {status.FirstError}");
        return status.Delivered;
    }

    /// <summary>Every record of the topics, read by assignment up to the end offsets of now.</summary>
    public static List<(string Topic, string Key, string Value, Headers Headers)> ReadAll(string bootstrap, params string[] topics)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "reader-" + Guid.NewGuid().ToString("N") }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var records = new List<(string, string, string, Headers)>();
        foreach (var topic in topics)
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single();
            if (metadata.Error.IsError)
                continue;
            foreach (var partition in metadata.Partitions)
            {
                var topicPartition = new TopicPartition(topic, partition.PartitionId);
                var end = consumer.QueryWatermarkOffsets(topicPartition, TimeSpan.FromSeconds(10)).High.Value;
                if (end == 0)
                    continue;
                consumer.Assign(new TopicPartitionOffset(topicPartition, Offset.Beginning));
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline)
                {
                    var record = consumer.Consume(TimeSpan.FromMilliseconds(500));
                    if (record is null)
                        continue;
                    records.Add((topic, record.Message.Key, record.Message.Value, record.Message.Headers));
                    if (record.Offset.Value + 1 >= end)
                        break;
                }
            }
        }
        return records;
    }
}
