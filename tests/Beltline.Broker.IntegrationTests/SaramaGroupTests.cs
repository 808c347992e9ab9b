using System.Text.Json;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;
using static Beltline.Broker.IntegrationTests.GroupHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// sarama 1.22's ConsumerGroup (tests/clients/go group-consume), which never asks the broker's versions: FindCoordinator
/// v0, JoinGroup v1, SyncGroup v0 (with its range assignor's plan), Heartbeat v0, OffsetFetch v1, LeaveGroup v0 and
/// OffsetCommit v1 (per-partition timestamp) or, with a retention set, v2. What its sessions read and commit is
/// checked against the log and Confluent.Kafka's admin client.
/// </summary>
public sealed class SaramaGroupTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData("1.0.0", 0)] // OffsetCommit v1
    [InlineData("2.1.0", 3_600_000)] // OffsetCommit v2 with a retention time
    public async Task A_session_commits_the_offsets_it_marked_and_the_next_session_of_the_group_resumes_after_them(string version, long retention)
    {
        var topic = $"go-group-{version}";
        var group = $"go-group-{version}";
        await CreateTopicAsync(fixture, topic, partitions: 3);
        ProduceNumbered(fixture, topic, 3, from: 0, perPartition: 20);

        // The first session takes and marks 25 of the 60 messages, from the oldest offset of each partition.
        var first = (await Sarama.RunAsync(fixture.BootstrapServers, "group-consume", new { Version = version, Topic = topic, Group = group, Count = 25, Retention = retention })).Ok();

        Assert.Empty(first.GetProperty("errors").EnumerateArray());
        var session = Assert.Single(first.GetProperty("sessions").EnumerateArray());
        Assert.Equal([0, 1, 2], session.GetProperty("claims").EnumerateArray().Select(p => p.GetInt32()));
        var read = Records(first);
        Assert.Equal(25, read.Count);
        Assert.All(read, r => Assert.Equal(($"p{r.Partition}-{r.Offset}", session.GetProperty("generation").GetInt32()), (r.Value, r.Generation)));
        var marked = new long[3];
        foreach (var p in Enumerable.Range(0, 3))
        {
            var offsets = read.Where(r => r.Partition == p).Select(r => r.Offset).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(o => (long)o), offsets);
            marked[p] = offsets.Count;
        }
        // The commit as the session ended holds the offset after each partition's last marked message.
        Assert.Equal(marked.Select(m => m == 0 ? Offset.Unset.Value : m), await CommittedAsync(fixture, group, topic, 3));

        // More messages; the next session reads exactly the rest.
        ProduceNumbered(fixture, topic, 3, from: 20, perPartition: 5);
        var second = (await Sarama.RunAsync(fixture.BootstrapServers, "group-consume", new { Version = version, Topic = topic, Group = group, Count = 75 - 25, Retention = retention })).Ok();

        Assert.Empty(second.GetProperty("errors").EnumerateArray());
        var rest = Records(second);
        Assert.All(rest, r => Assert.Equal($"p{r.Partition}-{r.Offset}", r.Value));
        foreach (var p in Enumerable.Range(0, 3))
            Assert.Equal(Enumerable.Range((int)marked[p], 25 - (int)marked[p]).Select(o => (long)o), rest.Where(r => r.Partition == p).Select(r => r.Offset));
        Assert.Equal(new long[] { 25, 25, 25 }, await CommittedAsync(fixture, group, topic, 3));
        Assert.Equal((ConsumerGroupState.Empty, 0), await DescribeGroupAsync(fixture, group)); // its Close sent LeaveGroup v0
    }

    private sealed record Record(int Generation, int Partition, long Offset, string? Value);

    private static List<Record> Records(JsonElement result) =>
        [.. result.GetProperty("records").EnumerateArray().Select(r => new Record(
            r.GetProperty("generation").GetInt32(), r.GetProperty("partition").GetInt32(), r.GetProperty("offset").GetInt64(),
            ClientScenario.Base64Text(r.GetProperty("value"))))];
}
