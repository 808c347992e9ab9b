using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Beltline.Broker.IntegrationTests;

internal static class ClientHelpers
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task CreateTopicAsync(BrokerFixture fixture, string name, int partitions = 1, Dictionary<string, string>? configs = null)
    {
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }]);
    }

    /// <summary>What Confluent.Kafka's admin client sees of a topic: its partition count and its config entries.</summary>
    public static async Task<(int Partitions, Dictionary<string, ConfigEntryResult> Configs)> DescribeTopicAsync(BrokerFixture fixture, string topic)
    {
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var partitions = admin.GetMetadata(topic, Patience).Topics[0].Partitions.Count;
        var configs = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]))[0].Entries;
        return (partitions, configs);
    }

    /// <summary>Reads exactly <paramref name="count"/> messages from one partition, starting at <paramref name="offset"/>, by assign (no group).</summary>
    public static List<ConsumeResult<string?, string?>> ReadPartition(BrokerFixture fixture, string topic, int partition, long offset, int count)
    {
        using var consumer = new ConsumerBuilder<string?, string?>(fixture.ConsumerConfig()).Build();
        consumer.Assign(new TopicPartitionOffset(topic, partition, offset));
        var results = new List<ConsumeResult<string?, string?>>();
        var deadline = DateTime.UtcNow + Patience;
        while (results.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is { IsPartitionEOF: false })
                results.Add(result);
        }
        consumer.Close();
        return results;
    }
}
