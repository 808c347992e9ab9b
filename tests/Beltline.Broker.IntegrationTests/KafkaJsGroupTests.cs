using System.Text.Json;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;
using static Beltline.Broker.IntegrationTests.GroupHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// KafkaJS 2.2 consumer groups (its own FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit
/// and OffsetFetch code, its roundrobin assigner, its commit after each batch) driven through the group scenarios of
/// tests/clients/kafkajs/run.js. The members of a scenario run in one process and journal what they are assigned,
/// consume and commit in one order, so the test can tell whether two members ever read a partition at the same time
/// and where each member started reading; what the group holds afterwards is checked with Confluent.Kafka.
/// </summary>
public sealed class KafkaJsGroupTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Two_consumers_split_the_partitions_while_messages_are_produced_and_the_one_that_stays_takes_over_when_the_other_leaves()
    {
        const string topic = "js-group-rebalance", group = "js-group-rebalance";
        await CreateTopicAsync(fixture, topic, partitions: 4);

        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "group-rebalance", new { Topic = topic, GroupId = group, Partitions = 4 })).Ok();

        var produced = result.GetProperty("produced").EnumerateArray().Select(c => c.GetInt64()).ToArray();
        var journal = Entries(result);
        var consumed = journal.Where(e => e.Kind == "consumed").ToList();
        var assigned = journal.Where(e => e.Kind == "assigned").ToList();

        // The broker holds what KafkaJS produced, and every message was read, as it was written.
        using (var consumer = new ConsumerBuilder<Ignore, Ignore>(fixture.ConsumerConfig()).Build())
            Assert.Equal(produced, Enumerable.Range(0, 4).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), Patience).High.Value));
        Assert.All(consumed, c => Assert.Equal($"p{c.Partition}-{c.Offset}", c.Value));
        Assert.Equal(AllOffsets(produced), consumed.Select(c => (c.Partition, c.Offset)).Distinct().Order());

        // In each generation (as SyncGroup answered each member) no partition went to two members.
        foreach (var generation in assigned.GroupBy(a => a.Generation))
        {
            Assert.True(generation.Select(a => a.Member).Distinct().Count() == generation.Count(), $"a member was assigned twice in generation {generation.Key}");
            var partitions = generation.SelectMany(a => a.Partitions).ToList();
            Assert.True(partitions.Distinct().Count() == partitions.Count, $"generation {generation.Key} assigned a partition to two members: {Describe(generation)}");
        }

        // Both members got partitions: a generation split the topic between them.
        Assert.Contains(assigned.GroupBy(a => a.Generation), generation =>
            generation.Any(a => a.Member == "a" && a.Partitions.Count > 0) && generation.Any(a => a.Member == "b" && a.Partitions.Count > 0)
            && generation.SelectMany(a => a.Partitions).Order().SequenceEqual([0, 1, 2, 3]));

        // b's disconnect (a LeaveGroup) made a rebalance that gave a every partition, and a read on from where b stopped.
        var left = Assert.Single(journal, e => e.Kind == "left" && e.Member == "b").Seq;
        var lastOfB = assigned.Last(a => a.Member == "b" && a.Seq < left).Partitions;
        Assert.NotEmpty(lastOfB);
        Assert.Contains(assigned, a => a.Member == "a" && a.Seq > left && a.Partitions.Order().SequenceEqual([0, 1, 2, 3]));
        Assert.All(lastOfB, p => Assert.Contains(consumed, c => c.Member == "a" && c.Partition == p && c.Seq > left));
        Assert.DoesNotContain(consumed, c => c.Member == "b" && c.Seq > left);

        // Each message was read once, or again only after a rebalance, from the offset last committed.
        AssertEachPartitionReadByOneMemberAtATimeFromTheLastCommit(journal);

        // KafkaJS's last commits are what the group holds, and no member is left in it.
        Assert.Equal(produced, await CommittedAsync(fixture, group, topic, 4));
        Assert.Equal((ConsumerGroupState.Empty, 0), await DescribeGroupAsync(fixture, group));
    }

    [Fact]
    public async Task Offsets_KafkaJS_commits_are_what_the_group_holds_and_a_restarted_consumer_reads_on_from_them()
    {
        const string topic = "js-group-restart", group = "js-group-restart";
        await CreateTopicAsync(fixture, topic, partitions: 4);
        ProduceNumbered(fixture, topic, 4, from: 0, perPartition: 25);

        // A first consumer pauses once it has been handed 30 of the 100 messages (KafkaJS may hand over a few it had
        // already fetched), and disconnects: its commits stop in the middle of the topic.
        var first = Entries((await KafkaJs.RunAsync(fixture.BootstrapServers, "group-consume", new { Topic = topic, GroupId = group, Count = 30 })).Ok());
        var firstConsumed = first.Where(e => e.Kind == "consumed").ToList();
        Assert.Equal([0, 1, 2, 3], Assert.Single(first, e => e.Kind == "assigned").Partitions.Order());
        AssertEachPartitionReadByOneMemberAtATimeFromTheLastCommit(first);
        var committed = await CommittedAsync(fixture, group, topic, 4);
        Assert.Equal(LatestCommits(first, 4), committed);
        Assert.All(Enumerable.Range(0, 4), p =>
            Assert.InRange(committed[p], -1001, firstConsumed.Where(c => c.Partition == p).Select(c => c.Offset + 1).DefaultIfEmpty(-1001).Max()));
        Assert.InRange(committed.Sum(c => Math.Max(c, 0)), 1, 99);

        // More messages; a consumer started again in the group reads from each committed offset to the end: nothing
        // committed again, nothing skipped.
        ProduceNumbered(fixture, topic, 4, from: 25, perPartition: 5);
        var rest = 120 - committed.Sum(c => Math.Max(c, 0));
        var second = Entries((await KafkaJs.RunAsync(fixture.BootstrapServers, "group-consume", new { Topic = topic, GroupId = group, Count = rest })).Ok());

        var secondConsumed = second.Where(e => e.Kind == "consumed").ToList();
        Assert.All(secondConsumed, c => Assert.Equal($"p{c.Partition}-{c.Offset}", c.Value));
        foreach (var p in Enumerable.Range(0, 4))
        {
            var start = Math.Max(committed[p], 0);
            Assert.Equal(Enumerable.Range((int)start, (int)(30 - start)).Select(o => (long)o), secondConsumed.Where(c => c.Partition == p).Select(c => c.Offset));
        }
        Assert.Equal(new long[] { 30, 30, 30, 30 }, await CommittedAsync(fixture, group, topic, 4));
    }

    /// <summary>
    /// In journal order, each partition is read in runs, one per member and generation: a run reads consecutive
    /// offsets, ends before the next run of that partition starts (no two members read a partition at once), and
    /// starts at the offset last committed for the partition before it (0 before any commit).
    /// </summary>
    private static void AssertEachPartitionReadByOneMemberAtATimeFromTheLastCommit(List<Entry> journal)
    {
        foreach (var partition in journal.Where(e => e.Kind == "consumed").GroupBy(e => e.Partition))
        {
            var runs = partition.GroupBy(c => (c.Member, c.Generation)).Select(g => g.ToList()).OrderBy(r => r[0].Seq).ToList();
            for (var i = 0; i < runs.Count; i++)
            {
                var run = runs[i];
                var name = $"{run[0].Member} in generation {run[0].Generation}";
                Assert.True(run.Zip(run.Skip(1)).All(pair => pair.Second.Offset == pair.First.Offset + 1),
                    $"{name} read partition {partition.Key} out of order or with a gap: {string.Join(",", run.Select(c => c.Offset))}");
                if (i > 0)
                    Assert.True(runs[i - 1][^1].Seq < run[0].Seq,
                        $"{name} read partition {partition.Key} while {runs[i - 1][0].Member} in generation {runs[i - 1][0].Generation} still did");
                var lastCommit = journal.LastOrDefault(e => e.Kind == "committed" && e.Partition == partition.Key && e.Seq < run[0].Seq)?.Offset ?? 0;
                Assert.True(run[0].Offset == lastCommit,
                    $"{name} started partition {partition.Key} at {run[0].Offset}, but the last commit before was {lastCommit}");
            }
        }
    }

    private sealed record Entry(long Seq, string Kind, string Member, int? Generation, int Partition, long Offset, string? Value, List<int> Partitions);

    private static List<Entry> Entries(JsonElement result) =>
        [.. result.GetProperty("entries").EnumerateArray().Select(e => new Entry(
            e.GetProperty("seq").GetInt64(),
            e.GetProperty("kind").GetString()!,
            e.GetProperty("member").GetString()!,
            e.TryGetProperty("generation", out var g) && g.ValueKind == JsonValueKind.Number ? g.GetInt32() : null,
            e.TryGetProperty("partition", out var p) ? p.GetInt32() : -1,
            e.TryGetProperty("offset", out var o) ? o.GetInt64() : -1,
            e.TryGetProperty("value", out var v) ? v.GetString() : null,
            e.TryGetProperty("partitions", out var ps) ? [.. ps.EnumerateArray().Select(x => x.GetInt32())] : []))];

    private static string Describe(IEnumerable<Entry> assignments) =>
        string.Join("; ", assignments.Select(a => $"{a.Member}: [{string.Join(",", a.Partitions)}]"));

    private static List<(int Partition, long Offset)> AllOffsets(long[] counts) =>
        [.. counts.SelectMany((count, p) => Enumerable.Range(0, (int)count).Select(o => (p, (long)o)))];

    /// <summary>The offset KafkaJS last committed for each partition (-1001, Confluent's "none", where it committed none).</summary>
    private static long[] LatestCommits(List<Entry> journal, int partitions) =>
        [.. Enumerable.Range(0, partitions).Select(p => journal.LastOrDefault(e => e.Kind == "committed" && e.Partition == p)?.Offset ?? Offset.Unset.Value)];
}
