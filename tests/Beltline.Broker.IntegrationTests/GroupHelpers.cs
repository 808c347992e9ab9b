using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>What the other clients' consumer-group tests (KafkaJS, kafka-python, sarama, kcat) share.</summary>
internal static class GroupHelpers
{
    /// <summary>
    /// Produces "p{partition}-{n}" as message n of each partition, for n = from .. from+perPartition-1: on a topic
    /// written only this way, the message at offset o of partition p is "p{p}-{o}".
    /// </summary>
    public static void ProduceNumbered(BrokerFixture fixture, string topic, int partitions, int from, int perPartition)
    {
        using var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build();
        for (var n = from; n < from + perPartition; n++)
            for (var p = 0; p < partitions; p++)
                producer.Produce(new TopicPartition(topic, p), new Message<Null, string> { Value = $"p{p}-{n}" });
        Assert.Equal(0, producer.Flush(Patience));
    }

    /// <summary>The group's committed offset of each partition of the topic, by Confluent's admin (-1001: none).</summary>
    public static async Task<long[]> CommittedAsync(BrokerFixture fixture, string group, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var offsets = await admin.ListConsumerGroupOffsetsAsync([
            new ConsumerGroupTopicPartitions(group, [.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p))])]);
        return [.. offsets.Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value)];
    }

    /// <summary>The group's state and member count, by Confluent's admin (DescribeGroups).</summary>
    public static async Task<(ConsumerGroupState State, int Members)> DescribeGroupAsync(BrokerFixture fixture, string group)
    {
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var described = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
        return (described.State, described.Members.Count);
    }
}
