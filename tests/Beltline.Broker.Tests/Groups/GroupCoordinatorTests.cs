using Beltline.Broker.Groups;
using Beltline.Broker.Metadata;
using Beltline.Broker.Tests.Storage;
using Beltline.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Beltline.Broker.Tests.Groups;

/// <summary>The classic rebalance protocol against a coordinator with real logs and a fake clock; no network.</summary>
public sealed class GroupCoordinatorTests : IDisposable
{
    private const string Group = "g";
    private const int Session = 10_000;
    private const int Rebalance = 30_000;

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly BrokerOptions _options;
    private MetadataStore _store;
    private TopicManager _topics;
    private GroupCoordinator _coordinator;

    public GroupCoordinatorTests()
    {
        _options = new BrokerOptions { DataDir = _dir.Path, Groups = new GroupCoordinatorOptions { OffsetsTopicPartitions = 3 } };
        (_store, _topics, _coordinator) = Open();
        _topics.CreateTopic("orders", 3, 1, new Dictionary<string, string?>(), validateOnly: false);
    }

    private (MetadataStore, TopicManager, GroupCoordinator) Open()
    {
        var store = MetadataStore.Open(_dir.Path, _options.NodeId, NullLogger.Instance);
        var topics = new TopicManager(_options, store, NullLoggerFactory.Instance);
        topics.LoadLogs(cleanShutdown: true);
        var coordinator = new GroupCoordinator(_options.Groups, topics, groupCommit: null, _clock, NullLogger.Instance);
        coordinator.Load();
        return (store, topics, coordinator);
    }

    /// <summary>Closes everything and opens it again from the data dir, as a broker restart does.</summary>
    private async Task RestartAsync()
    {
        await _coordinator.DisposeAsync();
        _topics.Dispose();
        _store.Dispose();
        (_store, _topics, _coordinator) = Open();
    }

    public void Dispose()
    {
        _coordinator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _topics.Dispose();
        _store.Dispose();
        _dir.Dispose();
    }

    private static List<(string, byte[])> Protocols(params string[] topics) => [("range", ConsumerMetadata(topics))];

    /// <summary>ConsumerProtocolSubscription v0: version, [topics], user_data.</summary>
    private static byte[] ConsumerMetadata(params string[] topics)
    {
        var bytes = new List<byte> { 0, 0 };
        bytes.AddRange(BitConverter.GetBytes(System.Net.IPAddress.HostToNetworkOrder(topics.Length)));
        foreach (var topic in topics)
        {
            bytes.AddRange(BitConverter.GetBytes(System.Net.IPAddress.HostToNetworkOrder((short)topic.Length)));
            bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(topic));
        }
        bytes.AddRange([0xFF, 0xFF, 0xFF, 0xFF]);
        return [.. bytes];
    }

    private Task<JoinResult> Join(string memberId = "", string? instanceId = null, List<(string, byte[])>? protocols = null,
        bool requireKnownMemberId = true, int session = Session, string protocolType = "consumer") =>
        _coordinator.JoinAsync(Group, memberId, instanceId, requireKnownMemberId, "client", "/127.0.0.1", Rebalance, session,
            protocolType, protocols ?? Protocols("orders"));

    /// <summary>A v4+ member's two-step join (MEMBER_ID_REQUIRED, then the real join), left waiting for the rebalance.</summary>
    private async Task<(string MemberId, Task<JoinResult> Join)> StartJoinAsync()
    {
        var first = await Join();
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        Assert.StartsWith("client-", first.MemberId);
        return (first.MemberId, Join(first.MemberId));
    }

    private async Task<JoinResult> JoinStableAloneAsync()
    {
        var (_, join) = await StartJoinAsync();
        var joined = await join;
        Assert.Equal(ErrorCode.None, joined.Error);
        var sync = await _coordinator.SyncAsync(Group, joined.GenerationId, joined.MemberId, null, "consumer", "range", [(joined.MemberId, [1, 2, 3])]);
        Assert.Equal(ErrorCode.None, sync.Error);
        return joined;
    }

    private string State => _coordinator.DescribeGroup(Group).State;

    [Fact]
    public async Task A_lone_member_joins_leads_and_gets_its_own_assignment()
    {
        var (memberId, join) = await StartJoinAsync();
        var joined = await join;

        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.Equal(memberId, joined.MemberId);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(memberId, joined.LeaderId);
        Assert.Equal("range", joined.ProtocolName);
        Assert.Equal(memberId, Assert.Single(joined.Members).MemberId);
        Assert.Equal("CompletingRebalance", State);

        var sync = await _coordinator.SyncAsync(Group, 1, memberId, null, "consumer", "range", [(memberId, [7, 7])]);
        Assert.Equal(ErrorCode.None, sync.Error);
        Assert.Equal(new byte[] { 7, 7 }, sync.Assignment);
        Assert.Equal("Stable", State);
        Assert.Equal(ErrorCode.None, _coordinator.Heartbeat(Group, 1, memberId, null));
    }

    [Fact]
    public async Task A_second_member_triggers_a_rebalance_that_waits_for_the_first_to_rejoin()
    {
        var a = await JoinStableAloneAsync();
        var (bId, bJoin) = await StartJoinAsync();

        Assert.False(bJoin.IsCompleted);
        Assert.Equal("PreparingRebalance", State);
        Assert.Equal(ErrorCode.RebalanceInProgress, _coordinator.Heartbeat(Group, 1, a.MemberId, null));

        var aJoin = await Join(a.MemberId);
        var bJoined = await bJoin;
        Assert.Equal(2, aJoin.GenerationId);
        Assert.Equal(2, bJoined.GenerationId);
        Assert.Equal(a.MemberId, aJoin.LeaderId);
        Assert.Equal(2, aJoin.Members.Count);
        Assert.Empty(bJoined.Members);

        // The follower's sync waits for the leader's assignment.
        var bSync = _coordinator.SyncAsync(Group, 2, bId, null, null, null, []);
        Assert.False(bSync.IsCompleted);
        var aSync = await _coordinator.SyncAsync(Group, 2, a.MemberId, null, null, null, [(a.MemberId, [1]), (bId, [2])]);
        Assert.Equal(new byte[] { 1 }, aSync.Assignment);
        Assert.Equal(new byte[] { 2 }, (await bSync).Assignment);
        Assert.Equal("Stable", State);
    }

    [Fact]
    public async Task A_member_whose_session_expires_is_removed_and_the_group_rebalances_without_it()
    {
        var a = await JoinStableAloneAsync();
        var (bId, bJoin) = await StartJoinAsync();
        var aJoin = Join(a.MemberId);
        await Task.WhenAll(aJoin, bJoin);
        var bSync = _coordinator.SyncAsync(Group, 2, bId, null, null, null, []);
        await _coordinator.SyncAsync(Group, 2, a.MemberId, null, null, null, [(a.MemberId, [1]), (bId, [2])]);
        await bSync;

        // a keeps heartbeating; b goes silent.
        _clock.Advance(TimeSpan.FromMilliseconds(Session * 0.6));
        Assert.Equal(ErrorCode.None, _coordinator.Heartbeat(Group, 2, a.MemberId, null));
        _coordinator.Tick();
        Assert.Equal("Stable", State);
        _clock.Advance(TimeSpan.FromMilliseconds(Session * 0.6));

        // b's deadline has passed: the heartbeat finds b gone and the group rebalancing.
        Assert.Equal(ErrorCode.RebalanceInProgress, _coordinator.Heartbeat(Group, 2, a.MemberId, null));
        Assert.Equal("PreparingRebalance", State);
        var rejoined = await Join(a.MemberId);
        Assert.Equal(3, rejoined.GenerationId);
        Assert.Equal(a.MemberId, Assert.Single(rejoined.Members).MemberId);
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, 2, bId, null));
    }

    [Fact]
    public async Task A_member_is_gone_at_its_deadline_for_any_request_even_before_the_next_tick()
    {
        var a = await JoinStableAloneAsync();

        _clock.Advance(TimeSpan.FromMilliseconds(Session + 1));

        Assert.Equal("Empty", State);
        Assert.Equal(ErrorCode.None, await _coordinator.DeleteGroupAsync(Group));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, 1, a.MemberId, null));
    }

    [Fact]
    public async Task Members_that_do_not_rejoin_within_the_rebalance_timeout_are_dropped()
    {
        var a = await JoinStableAloneAsync();
        var (_, bJoin) = await StartJoinAsync();
        Assert.False(bJoin.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(Rebalance + 1));
        _coordinator.Tick();

        var bJoined = await bJoin;
        Assert.Equal(ErrorCode.None, bJoined.Error);
        Assert.Equal(2, bJoined.GenerationId);
        Assert.Equal(bJoined.MemberId, bJoined.LeaderId);
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, 1, a.MemberId, null));
    }

    [Fact]
    public async Task Stale_generations_and_unknown_members_are_fenced()
    {
        var a = await JoinStableAloneAsync();

        Assert.Equal(ErrorCode.IllegalGeneration, _coordinator.Heartbeat(Group, 0, a.MemberId, null));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, 1, "nobody", null));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat("no-such-group", 1, a.MemberId, null));
        Assert.Equal(ErrorCode.IllegalGeneration, (await _coordinator.SyncAsync(Group, 5, a.MemberId, null, null, null, [])).Error);
        var commit = await _coordinator.CommitOffsetsAsync(Group, 0, a.MemberId, null, [new OffsetToCommit("orders", 0, 5, -1, null)]);
        Assert.Equal(ErrorCode.IllegalGeneration, Assert.Single(commit));
        commit = await _coordinator.CommitOffsetsAsync(Group, -1, "", null, [new OffsetToCommit("orders", 0, 5, -1, null)]);
        Assert.Equal(ErrorCode.UnknownMemberId, Assert.Single(commit));
    }

    [Fact]
    public async Task A_static_member_rejoining_with_the_same_metadata_keeps_the_generation_and_fences_its_old_id()
    {
        var first = await Join(instanceId: "instance-1");
        Assert.Equal(ErrorCode.None, first.Error);
        await _coordinator.SyncAsync(Group, first.GenerationId, first.MemberId, "instance-1", null, null, [(first.MemberId, [9])]);

        var again = await Join(instanceId: "instance-1");

        Assert.Equal(ErrorCode.None, again.Error);
        Assert.NotEqual(first.MemberId, again.MemberId);
        Assert.Equal(first.GenerationId, again.GenerationId);
        Assert.True(again.SkipAssignment);
        Assert.Equal("Stable", State);
        var sync = await _coordinator.SyncAsync(Group, again.GenerationId, again.MemberId, "instance-1", null, null, []);
        Assert.Equal(new byte[] { 9 }, sync.Assignment);
        Assert.Equal(ErrorCode.FencedInstanceId, _coordinator.Heartbeat(Group, first.GenerationId, first.MemberId, "instance-1"));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, first.GenerationId, first.MemberId, null));
    }

    [Fact]
    public async Task The_last_member_leaving_empties_the_group_with_a_new_generation()
    {
        var a = await JoinStableAloneAsync();

        Assert.Equal([ErrorCode.None, ErrorCode.UnknownMemberId], _coordinator.Leave(Group, [(a.MemberId, null), ("nobody", null)]));

        var summary = _coordinator.DescribeGroup(Group);
        Assert.Equal("Empty", summary.State);
        Assert.Empty(summary.Members);
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, 2, a.MemberId, null));
    }

    [Fact]
    public async Task Static_members_may_leave_by_instance_id_but_not_under_another_member_id()
    {
        var joined = await Join(instanceId: "instance-1");

        Assert.Equal([ErrorCode.FencedInstanceId], _coordinator.Leave(Group, [("someone-else", "instance-1")]));
        Assert.Equal([ErrorCode.None], _coordinator.Leave(Group, [("", "instance-1")]));
        Assert.Equal([ErrorCode.UnknownMemberId], _coordinator.Leave(Group, [(joined.MemberId, "instance-1")]));
    }

    [Fact]
    public async Task Members_must_share_the_protocol_type_and_a_protocol()
    {
        await JoinStableAloneAsync();

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await Join(protocolType: "connect")).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await Join(protocols: [("roundrobin", ConsumerMetadata("orders"))])).Error);
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await Join(session: 1000)).Error);
        Assert.Equal(ErrorCode.InvalidGroupId, (await _coordinator.JoinAsync("", "", null, true, "c", "h", Rebalance, Session, "consumer", Protocols("orders"))).Error);
    }

    [Fact]
    public async Task An_emptied_group_takes_the_protocol_type_of_its_next_first_member()
    {
        var a = await JoinStableAloneAsync();
        _coordinator.Leave(Group, [(a.MemberId, null)]);

        var connect = await Join(protocolType: "connect", requireKnownMemberId: false);

        Assert.Equal(ErrorCode.None, connect.Error);
        Assert.Equal("connect", connect.ProtocolType);
    }

    [Fact]
    public async Task Old_clients_join_without_the_member_id_round_trip()
    {
        var joined = await Join(requireKnownMemberId: false);

        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.Equal(1, joined.GenerationId);
    }

    [Fact]
    public async Task Committed_offsets_and_the_group_survive_a_restart()
    {
        var a = await JoinStableAloneAsync();
        var errors = await _coordinator.CommitOffsetsAsync(Group, 1, a.MemberId, null,
            [new OffsetToCommit("orders", 0, 42, 3, "checkpoint"), new OffsetToCommit("orders", 1, 7, -1, null)]);
        Assert.All(errors, e => Assert.Equal(ErrorCode.None, e));
        var simple = await _coordinator.CommitOffsetsAsync("standalone", -1, "", null, [new OffsetToCommit("orders", 2, 99, -1, "")]);
        Assert.Equal(ErrorCode.None, Assert.Single(simple));

        await RestartAsync();

        var fetched = _coordinator.FetchOffsets(Group, [("orders", 0), ("orders", 1), ("orders", 2)]);
        Assert.Equal(new FetchedOffset("orders", 0, 42, 3, "checkpoint", ErrorCode.None), fetched[0]);
        Assert.Equal(new FetchedOffset("orders", 1, 7, -1, "", ErrorCode.None), fetched[1]);
        Assert.Equal(-1, fetched[2].Offset);
        Assert.Equal(99, Assert.Single(_coordinator.FetchOffsets("standalone", null)).Offset);
        var summary = _coordinator.DescribeGroup(Group);
        Assert.Equal("Stable", summary.State);
        Assert.Equal(a.MemberId, Assert.Single(summary.Members).MemberId);
        Assert.Equal(new byte[] { 1, 2, 3 }, summary.Members[0].Assignment);
        Assert.Equal(ErrorCode.None, _coordinator.Heartbeat(Group, 1, a.MemberId, null));
    }

    [Fact]
    public async Task A_static_member_rejoins_after_a_restart_without_a_rebalance()
    {
        var first = await Join(instanceId: "instance-1");
        await _coordinator.SyncAsync(Group, first.GenerationId, first.MemberId, "instance-1", null, null, [(first.MemberId, [5])]);

        await RestartAsync();
        var again = await Join(instanceId: "instance-1");

        Assert.Equal(ErrorCode.None, again.Error);
        Assert.Equal(first.GenerationId, again.GenerationId);
        Assert.Equal("Stable", State);
        Assert.Equal(new byte[] { 5 }, (await _coordinator.SyncAsync(Group, again.GenerationId, again.MemberId, "instance-1", null, null, [])).Assignment);
    }

    [Fact]
    public async Task Members_of_a_loaded_group_that_never_come_back_expire()
    {
        await JoinStableAloneAsync();
        await RestartAsync();

        _clock.Advance(TimeSpan.FromMilliseconds(Session + 1));
        _coordinator.Tick();

        Assert.Equal("Empty", State);
    }

    [Fact]
    public async Task Only_empty_groups_can_be_deleted_and_their_offsets_go_with_them()
    {
        var a = await JoinStableAloneAsync();
        await _coordinator.CommitOffsetsAsync(Group, 1, a.MemberId, null, [new OffsetToCommit("orders", 0, 42, -1, null)]);

        Assert.Equal(ErrorCode.NonEmptyGroup, await _coordinator.DeleteGroupAsync(Group));
        _coordinator.Leave(Group, [(a.MemberId, null)]);
        Assert.Equal(ErrorCode.None, await _coordinator.DeleteGroupAsync(Group));
        Assert.Equal(ErrorCode.GroupIdNotFound, await _coordinator.DeleteGroupAsync(Group));

        await RestartAsync();
        Assert.Equal("Dead", State);
        Assert.Equal(-1, Assert.Single(_coordinator.FetchOffsets(Group, [("orders", 0)])).Offset);
        Assert.DoesNotContain(_coordinator.ListGroups([], []), g => g.GroupId == Group);
    }

    [Fact]
    public async Task Offsets_of_subscribed_topics_cannot_be_deleted_while_the_group_is_active()
    {
        var a = await JoinStableAloneAsync();
        await _coordinator.CommitOffsetsAsync(Group, 1, a.MemberId, null,
            [new OffsetToCommit("orders", 0, 1, -1, null), new OffsetToCommit("other", 0, 2, -1, null)]);

        var (error, partitions) = await _coordinator.DeleteOffsetsAsync(Group, [("orders", 0), ("other", 0)]);

        Assert.Equal(ErrorCode.None, error);
        Assert.Equal([ErrorCode.GroupSubscribedToTopic, ErrorCode.None], partitions);
        Assert.Equal(1, _coordinator.FetchOffsets(Group, [("orders", 0)])[0].Offset);
        Assert.Equal(-1, _coordinator.FetchOffsets(Group, [("other", 0)])[0].Offset);
        Assert.Equal(ErrorCode.GroupIdNotFound, (await _coordinator.DeleteOffsetsAsync("no-such-group", [("orders", 0)])).Error);
    }

    [Fact]
    public async Task Offset_metadata_over_the_limit_is_refused_alone()
    {
        var errors = await _coordinator.CommitOffsetsAsync(Group, -1, "", null,
            [new OffsetToCommit("orders", 0, 1, -1, new string('x', 4097)), new OffsetToCommit("orders", 1, 2, -1, "ok")]);

        Assert.Equal([ErrorCode.OffsetMetadataTooLarge, ErrorCode.None], errors);
        Assert.Equal(-1, _coordinator.FetchOffsets(Group, [("orders", 0)])[0].Offset);
    }

    [Fact]
    public async Task Offsets_of_a_group_empty_for_the_retention_period_expire()
    {
        var a = await JoinStableAloneAsync();
        await _coordinator.CommitOffsetsAsync(Group, 1, a.MemberId, null, [new OffsetToCommit("orders", 0, 42, -1, null)]);
        _coordinator.Leave(Group, [(a.MemberId, null)]);

        _clock.Advance(TimeSpan.FromDays(6));
        _coordinator.ExpireOffsets();
        Assert.Equal(42, _coordinator.FetchOffsets(Group, [("orders", 0)])[0].Offset);

        _clock.Advance(TimeSpan.FromDays(1.1));
        _coordinator.ExpireOffsets();
        Assert.Equal(-1, _coordinator.FetchOffsets(Group, [("orders", 0)])[0].Offset);
        Assert.Equal("Dead", State);
    }

    [Fact]
    public async Task Groups_are_listed_with_their_state_and_filtered()
    {
        await JoinStableAloneAsync();
        await _coordinator.CommitOffsetsAsync("standalone", -1, "", null, [new OffsetToCommit("orders", 0, 1, -1, null)]);

        var all = _coordinator.ListGroups([], []);
        Assert.Contains((Group, "consumer", "Stable", "classic"), all);
        Assert.Contains(("standalone", "", "Empty", "classic"), all);
        Assert.Equal(Group, Assert.Single(_coordinator.ListGroups(["stable"], [])).GroupId);
        Assert.Empty(_coordinator.ListGroups([], ["consumer"]));
    }

    [Fact]
    public async Task A_deleted_topics_offsets_leave_every_group_for_good()
    {
        await _coordinator.CommitOffsetsAsync(Group, -1, "", null, [new OffsetToCommit("orders", 0, 5, -1, null), new OffsetToCommit("other", 0, 6, -1, null)]);
        await _coordinator.CommitOffsetsAsync("second", -1, "", null, [new OffsetToCommit("orders", 1, 7, -1, null)]);

        _coordinator.RemoveOffsetsOfTopic("orders");
        await RestartAsync();

        Assert.Equal([("other", 0, 6L)], _coordinator.FetchOffsets(Group, null).Select(o => (o.Topic, o.Partition, o.Offset)));
        Assert.Empty(_coordinator.FetchOffsets("second", null));
    }
}
