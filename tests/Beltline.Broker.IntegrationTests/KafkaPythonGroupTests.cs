using System.Text.Json;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;
using static Beltline.Broker.IntegrationTests.GroupHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// kafka-python 2.0.2's consumer group (tests/clients/python/run.py group-consume), whose coordinator code sends old
/// fixed versions: GroupCoordinator v0, JoinGroup v2, SyncGroup v1, Heartbeat v1, OffsetFetch v1, OffsetCommit v2
/// and LeaveGroup v1. What it reads and commits is checked against the log and Confluent.Kafka's admin client.
/// </summary>
public sealed class KafkaPythonGroupTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_group_consumer_commits_what_it_read_and_the_next_ones_in_the_group_read_on_from_there_and_then_nothing()
    {
        const string topic = "py-group", group = "py-group";
        await CreateTopicAsync(fixture, topic, partitions: 3);
        ProduceNumbered(fixture, topic, 3, from: 0, perPartition: 20);

        // The first consumer reads 25 of the 60 messages (from the beginning of each partition, as it has no offsets)
        // and commits after each partition's last.
        var first = (await KafkaPython.RunAsync(fixture.BootstrapServers, "group-consume", new { Topic = topic, Group = group, Count = 25 })).Ok();

        var version = first.GetProperty("apiVersion").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.True(new Version(version[0], version[1]) >= new Version(0, 11), $"kafka-python took the broker for {string.Join('.', version)}, so it did not send JoinGroup v2");
        Assert.Equal([0, 1, 2], first.GetProperty("assignment").EnumerateArray().Select(p => p.GetInt32()));
        var read = Records(first);
        Assert.Equal(25, read.Count);
        var committed = new long[3];
        foreach (var p in Enumerable.Range(0, 3))
        {
            var offsets = read.Where(r => r.Partition == p).Select(r => r.Offset).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(o => (long)o), offsets);
            committed[p] = offsets.Count;
        }
        Assert.All(read, r => Assert.Equal($"p{r.Partition}-{r.Offset}", r.Value));
        // What kafka-python reads back (OffsetFetch v1) and what Confluent reads back is what it committed.
        Assert.Equal(committed.Select(c => c == 0 ? (long?)null : c), Committed(first));
        Assert.Equal(committed.Select(c => c == 0 ? Offset.Unset.Value : c), await CommittedAsync(fixture, group, topic, 3));

        // More messages; the next consumer in the group reads exactly the rest to the end, nothing committed again.
        ProduceNumbered(fixture, topic, 3, from: 20, perPartition: 5);
        var second = (await KafkaPython.RunAsync(fixture.BootstrapServers, "group-consume", new { Topic = topic, Group = group, Count = 75 - 25, ToEnd = true })).Ok();

        var rest = Records(second);
        Assert.All(rest, r => Assert.Equal($"p{r.Partition}-{r.Offset}", r.Value));
        foreach (var p in Enumerable.Range(0, 3))
            Assert.Equal(Enumerable.Range((int)committed[p], 25 - (int)committed[p]).Select(o => (long)o), rest.Where(r => r.Partition == p).Select(r => r.Offset));
        Assert.Equal([25L, 25L, 25L], Committed(second));
        Assert.Equal(new long[] { 25, 25, 25 }, await CommittedAsync(fixture, group, topic, 3));

        // And one more, with nothing new, is at the end of every partition it is assigned without reading anything.
        var third = (await KafkaPython.RunAsync(fixture.BootstrapServers, "group-consume", new { Topic = topic, Group = group, ToEnd = true })).Ok();
        Assert.Equal([0, 1, 2], third.GetProperty("assignment").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Empty(Records(third));
        Assert.Equal([25L, 25L, 25L], Committed(third));
        Assert.Equal((ConsumerGroupState.Empty, 0), await DescribeGroupAsync(fixture, group)); // its close sent LeaveGroup v1
    }

    [Fact]
    public async Task A_group_consumer_starts_at_the_offsets_Confluent_committed_for_the_group()
    {
        const string topic = "py-group-confluent", group = "py-group-confluent";
        await CreateTopicAsync(fixture, topic, partitions: 2);
        ProduceNumbered(fixture, topic, 2, from: 0, perPartition: 10);
        using (var committer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = fixture.BootstrapServers, GroupId = group }).Build())
            committer.Commit([new TopicPartitionOffset(topic, 0, 7), new TopicPartitionOffset(topic, 1, 2)]);

        var result = (await KafkaPython.RunAsync(fixture.BootstrapServers, "group-consume", new { Topic = topic, Group = group, Count = 3 + 8 })).Ok();

        var read = Records(result);
        Assert.Equal([7L, 8, 9], read.Where(r => r.Partition == 0).Select(r => r.Offset));
        Assert.Equal([2L, 3, 4, 5, 6, 7, 8, 9], read.Where(r => r.Partition == 1).Select(r => r.Offset));
        Assert.Equal([10L, 10L], Committed(result));
    }

    private sealed record Record(int Partition, long Offset, string? Value);

    private static List<Record> Records(JsonElement result) =>
        [.. result.GetProperty("records").EnumerateArray().Select(r => new Record(
            r.GetProperty("partition").GetInt32(), r.GetProperty("offset").GetInt64(), ClientScenario.Base64Text(r.GetProperty("value"))))];

    /// <summary>The group's offsets as kafka-python read them back, by partition (null: none committed).</summary>
    private static List<long?> Committed(JsonElement result) =>
        [.. result.GetProperty("committed").EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Null ? (long?)null : c.GetInt64())];
}
