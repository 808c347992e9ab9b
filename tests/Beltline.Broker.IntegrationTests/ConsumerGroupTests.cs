using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Consumer groups through Confluent.Kafka (librdkafka): rebalances, commits, restarts, static membership.</summary>
public sealed class ConsumerGroupTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private ConsumerConfig GroupConfig(string group, string? instanceId = null) => new()
    {
        BootstrapServers = fixture.BootstrapServers,
        GroupId = group,
        GroupInstanceId = instanceId,
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 500,
    };

    private static async Task ProduceAsync(BrokerFixture fixture, string topic, int count, int perMillisecond = 0)
    {
        using var producer = new ProducerBuilder<string, string>(fixture.ProducerConfig()).Build();
        for (var i = 0; i < count; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = $"key-{i % 97}", Value = $"message-{i}" });
            if (perMillisecond > 0 && i % perMillisecond == 0)
                await Task.Delay(1);
        }
        Assert.Equal(0, producer.Flush(Patience));
    }

    /// <summary>
    /// One group member on its own thread: records every message it gets, commits every <c>commitEvery</c> messages
    /// (recording what it committed), and stops on request with Close (a LeaveGroup), leaving its uncommitted tail.
    /// </summary>
    private sealed class Member : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;

        public Member(ConsumerConfig config, string topic, int commitEvery, ConcurrentQueue<(string Member, int Assignment, int Partition, long Offset)> consumed,
            ConcurrentDictionary<(int Partition, long Offset), bool> committed, string name)
        {
            _thread = new Thread(() =>
            {
                var assignment = 0;
                using var consumer = new ConsumerBuilder<string, string>(config)
                    .SetPartitionsAssignedHandler((_, _) => assignment++)
                    .Build();
                consumer.Subscribe(topic);
                var sinceCommit = 0;
                while (!_stop.IsCancellationRequested)
                {
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (result is null || result.IsPartitionEOF)
                        continue;
                    consumed.Enqueue((name, assignment, result.Partition.Value, result.Offset.Value));
                    Count++;
                    if (++sinceCommit < commitEvery)
                        continue;
                    sinceCommit = 0;
                    try
                    {
                        foreach (var offset in consumer.Commit())
                            committed[(offset.Partition.Value, offset.Offset.Value)] = true;
                    }
                    catch (KafkaException)
                    {
                        // A commit racing a rebalance fails (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION); that tail is redelivered.
                    }
                }
                consumer.Close();
            }) { IsBackground = true, Name = name };
            _thread.Start();
        }

        public volatile int Count;

        public void Dispose()
        {
            _stop.Cancel();
            Assert.True(_thread.Join(Patience), "the consumer did not close");
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Three_consumers_joining_and_leaving_mid_stream_lose_nothing_and_redeliver_only_the_uncommitted_tail()
    {
        const string topic = "group-stream";
        const int messages = 6000;
        await CreateTopicAsync(fixture, topic, partitions: 6);
        var consumed = new ConcurrentQueue<(string Member, int Assignment, int Partition, long Offset)>();
        var committed = new ConcurrentDictionary<(int Partition, long Offset), bool>();
        var config = GroupConfig("stream-group");

        var producing = ProduceAsync(fixture, topic, messages, perMillisecond: 3);
        var first = new Member(config, topic, 10, consumed, committed, "first");
        await WaitUntilAsync(() => first.Count >= 500);
        using var second = new Member(config, topic, 10, consumed, committed, "second");
        await WaitUntilAsync(() => second.Count >= 200);
        using var third = new Member(config, topic, 10, consumed, committed, "third");
        await WaitUntilAsync(() => third.Count >= 200);
        first.Dispose();
        await producing;
        await WaitUntilAsync(() => consumed.Select(c => (c.Partition, c.Offset)).Distinct().Count() >= messages);

        var all = consumed.ToList();
        Assert.Equal(messages, all.Select(c => (c.Partition, c.Offset)).Distinct().Count());
        foreach (var run in Runs(all))
        {
            // What a member reads of a partition while it holds it is gap-free and in order, and starts at the
            // beginning of the partition or at an offset some member committed: only the uncommitted tail is read again.
            Assert.True(run.Offsets.Zip(run.Offsets.Skip(1)).All(pair => pair.Second == pair.First + 1),
                $"{run.Member} read partition {run.Partition} out of order or with a gap");
            Assert.True(run.Offsets[0] == 0 || committed.ContainsKey((run.Partition, run.Offsets[0])),
                $"{run.Member} started partition {run.Partition} at {run.Offsets[0]}, which nobody committed");
        }
        Assert.Contains(all, c => c.Member == "second");
        Assert.Contains(all, c => c.Member == "third");
    }

    /// <summary>What each member read of each partition during each of its assignments, in the order it read it.</summary>
    private static IEnumerable<(string Member, int Partition, List<long> Offsets)> Runs(List<(string Member, int Assignment, int Partition, long Offset)> consumed) =>
        consumed.GroupBy(c => (c.Member, c.Assignment, c.Partition)).Select(g => (g.Key.Member, g.Key.Partition, g.Select(c => c.Offset).ToList()));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the consumers");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Committed_offsets_survive_a_broker_restart()
    {
        const string topic = "committed-restart";
        await CreateTopicAsync(fixture, topic, partitions: 2);
        await ProduceAsync(fixture, topic, 100);
        var config = GroupConfig("restart-group");
        using (var consumer = new ConsumerBuilder<string, string>(config).Build())
        {
            consumer.Subscribe(topic);
            for (var read = 0; read < 30;)
                read += consumer.Consume(Patience) is { IsPartitionEOF: false } ? 1 : 0;
            consumer.Commit();
            consumer.Close();
        }
        List<TopicPartitionOffset> before;
        using (var consumer = new ConsumerBuilder<string, string>(config).Build())
            before = consumer.Committed([new TopicPartition(topic, 0), new TopicPartition(topic, 1)], Patience);

        await fixture.RestartAsync();

        using var after = new ConsumerBuilder<string, string>(config).Build();
        var committed = after.Committed([new TopicPartition(topic, 0), new TopicPartition(topic, 1)], Patience);
        Assert.Equal(30, before.Sum(o => o.Offset.Value < 0 ? 0 : o.Offset.Value));
        Assert.Equal(before.Select(o => o.Offset.Value), committed.Select(o => o.Offset.Value));
        after.Subscribe(topic);
        var rest = new List<ConsumeResult<string, string>>();
        while (rest.Count < 70)
            rest.Add(Assert.IsType<ConsumeResult<string, string>>(after.Consume(Patience)));
        Assert.DoesNotContain(rest, r => r.Offset.Value < committed.Single(c => c.Partition == r.Partition).Offset.Value);
        after.Close();
    }

    [Fact]
    public async Task A_static_member_that_restarts_within_its_session_rejoins_without_a_rebalance()
    {
        const string topic = "static-members";
        await CreateTopicAsync(fixture, topic, partitions: 4);
        await ProduceAsync(fixture, topic, 40);
        var revocations = 0;
        var assigned = new TaskCompletionSource<List<TopicPartition>>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var dynamicMember = new ConsumerBuilder<string, string>(GroupConfig("static-group"))
            .SetPartitionsRevokedHandler((_, _) => Interlocked.Increment(ref revocations))
            .Build();
        List<TopicPartition> staticAssignment;
        using (var staticMember = new ConsumerBuilder<string, string>(GroupConfig("static-group", "instance-a")).Build())
        {
            staticMember.Subscribe(topic);
            dynamicMember.Subscribe(topic);
            var until = DateTime.UtcNow + Patience;
            while ((staticMember.Assignment.Count != 2 || dynamicMember.Assignment.Count != 2) && DateTime.UtcNow < until)
            {
                staticMember.Consume(TimeSpan.FromMilliseconds(50));
                dynamicMember.Consume(TimeSpan.FromMilliseconds(50));
            }
            staticAssignment = [.. staticMember.Assignment];
            Assert.Equal(2, staticAssignment.Count);
            // A static member's Close sends no LeaveGroup (KIP-345): the group keeps its place.
            staticMember.Close();
        }
        var revokedBefore = Volatile.Read(ref revocations);

        using var restarted = new ConsumerBuilder<string, string>(GroupConfig("static-group", "instance-a")).Build();
        restarted.Subscribe(topic);
        var deadline = DateTime.UtcNow + Patience;
        while (restarted.Assignment.Count == 0 && DateTime.UtcNow < deadline)
        {
            restarted.Consume(TimeSpan.FromMilliseconds(50));
            dynamicMember.Consume(TimeSpan.FromMilliseconds(50));
        }
        for (var i = 0; i < 20; i++)
            dynamicMember.Consume(TimeSpan.FromMilliseconds(50));

        Assert.Equal(staticAssignment.OrderBy(p => p.Partition.Value), restarted.Assignment.OrderBy(p => p.Partition.Value));
        Assert.Equal(revokedBefore, Volatile.Read(ref revocations));
        restarted.Close();
        dynamicMember.Close();
    }

    [Fact]
    public async Task Admin_lists_describes_and_deletes_groups_and_their_offsets()
    {
        const string topic = "admin-groups";
        await CreateTopicAsync(fixture, topic, partitions: 2);
        await ProduceAsync(fixture, topic, 10);
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        using (var consumer = new ConsumerBuilder<string, string>(GroupConfig("admin-group")).Build())
        {
            consumer.Subscribe(topic);
            while (consumer.Consume(Patience) is not { IsPartitionEOF: false }) { }
            consumer.Commit([new TopicPartitionOffset(topic, 0, 3), new TopicPartitionOffset(topic, 1, 4)]);

            var described = (await admin.DescribeConsumerGroupsAsync(["admin-group"])).ConsumerGroupDescriptions.Single();
            Assert.Equal(ConsumerGroupState.Stable, described.State);
            Assert.Equal(2, Assert.Single(described.Members).Assignment.TopicPartitions.Count);
            var listed = await admin.ListConsumerGroupsAsync();
            Assert.Contains(listed.Valid, g => g.GroupId == "admin-group" && g.State == ConsumerGroupState.Stable);
            var refused = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync(["admin-group"]));
            Assert.Equal(ErrorCode.NonEmptyGroup, refused.Results[0].Error.Code);
            consumer.Close();
        }

        var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("admin-group", null)]);
        Assert.Equal([3L, 4L], offsets[0].Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value));
        await admin.DeleteConsumerGroupOffsetsAsync("admin-group", [new TopicPartition(topic, 0)]);
        offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("admin-group", [new TopicPartition(topic, 0), new TopicPartition(topic, 1)])]);
        Assert.Equal([-1001L, 4L], offsets[0].Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value));
        await admin.DeleteGroupsAsync(["admin-group"]);
        var gone = (await admin.DescribeConsumerGroupsAsync(["admin-group"])).ConsumerGroupDescriptions.Single();
        Assert.Equal(ConsumerGroupState.Dead, gone.State);
    }

    [Fact]
    public async Task A_consumer_asking_for_the_KIP_848_protocol_gets_a_fatal_error_naming_the_problem()
    {
        await CreateTopicAsync(fixture, "kip848");
        var config = GroupConfig("kip848-group");
        config.GroupProtocol = GroupProtocol.Consumer;
        config.SessionTimeoutMs = null;
        config.HeartbeatIntervalMs = null;
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Subscribe("kip848");

        var error = Assert.ThrowsAny<KafkaException>(() =>
        {
            var deadline = DateTime.UtcNow + Patience;
            while (DateTime.UtcNow < deadline)
                consumer.Consume(TimeSpan.FromMilliseconds(100));
        });

        Assert.True(error.Error.IsFatal);
        Assert.Contains("ConsumerGroupHeartbeat", error.Error.Reason);
    }
}
