using System.Collections.Concurrent;
using Beltline.Broker.Metadata;
using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Groups;

/// <summary>A partition's committed offset as OffsetFetch reports it (offset -1: none).</summary>
internal readonly record struct FetchedOffset(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata, ErrorCode Error);

/// <summary>An offset to commit for one partition.</summary>
internal readonly record struct OffsetToCommit(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);

/// <summary>What DescribeGroups reports of a group.</summary>
internal sealed record GroupSummary(string GroupId, ErrorCode Error, string State, string ProtocolType, string Protocol, IReadOnlyList<MemberSummary> Members);

internal sealed record MemberSummary(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);

/// <summary>
/// The classic group coordinator (Kafka's GroupCoordinator, KIP-62/345/394/814 behaviour): the rebalance state
/// machine Empty → PreparingRebalance → CompletingRebalance → Stable, with Dead for deleted groups; session, join and
/// sync deadlines; static membership; generation fencing; committed offsets.
/// <para>
/// Groups and offsets are written to the compacted <c>__consumer_offsets</c> topic in Kafka's record layout and
/// replayed from it at start-up. Each group has its own lock; its records are appended while holding it, so the log
/// order is the order the state changed in. Deadlines are checked by <see cref="Tick"/>, every 100 ms in a broker.
/// </para>
/// </summary>
internal sealed class GroupCoordinator : IAsyncDisposable
{
    private const string GroupType = "classic";

    private readonly GroupCoordinatorOptions _options;
    private readonly TopicManager _topics;
    private readonly GroupCommit? _groupCommit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ClassicGroup> _groups = new(StringComparer.Ordinal);
    private readonly Lock _topicLock = new();
    private readonly CancellationTokenSource _stop = new();
    private TopicInfo? _offsetsTopic;
    private Task _loop = Task.CompletedTask;
    private long _nextRetentionCheck;

    public GroupCoordinator(GroupCoordinatorOptions options, TopicManager topics, GroupCommit? groupCommit, TimeProvider time, ILogger logger)
    {
        _options = options;
        _topics = topics;
        _groupCommit = groupCommit;
        _time = time;
        _logger = logger;
        _nextRetentionCheck = NowMs + (long)options.OffsetsRetentionCheckInterval.TotalMilliseconds;
    }

    private long NowMs => (long)(_time.GetTimestamp() * 1000.0 / _time.TimestampFrequency);

    private long EpochMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public int GroupCount => _groups.Count(g => g.Value.State != GroupState.Dead);

    /// <summary>Starts the deadline loop.</summary>
    public void Start() => _loop = RunAsync(_stop.Token);

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
                Tick();
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    // ---- The offsets topic ----------------------------------------------------------------------------------

    /// <summary>Creates <c>__consumer_offsets</c> when the first group needs it, as Kafka does at the first FindCoordinator.</summary>
    public ErrorCode EnsureOffsetsTopic()
    {
        if (Volatile.Read(ref _offsetsTopic) is not null)
            return ErrorCode.None;
        lock (_topicLock)
        {
            if (_offsetsTopic is not null)
                return ErrorCode.None;
            if (!_topics.TryGetTopic(OffsetsTopicRecords.TopicName, out var topic))
            {
                var (error, created) = _topics.CreateTopic(OffsetsTopicRecords.TopicName, _options.OffsetsTopicPartitions, 1,
                    new Dictionary<string, string?> { ["cleanup.policy"] = "compact", ["segment.bytes"] = "104857600", ["compression.type"] = "producer" },
                    validateOnly: false);
                if (error.Failed || created is null)
                {
                    _logger.LogError("Cannot create {Topic}: {Error} {Message}", OffsetsTopicRecords.TopicName, error.Code, error.Message);
                    return ErrorCode.CoordinatorNotAvailable;
                }
                topic = created;
                _logger.LogInformation("Created {Topic} with {Partitions} partitions", topic.Name, topic.PartitionCount);
            }
            Volatile.Write(ref _offsetsTopic, topic);
            return ErrorCode.None;
        }
    }

    /// <summary>Replays <c>__consumer_offsets</c> (if it exists) into memory; called once, before the listeners open.</summary>
    public void Load()
    {
        if (!_topics.TryGetTopic(OffsetsTopicRecords.TopicName, out var topic))
            return;
        _offsetsTopic = topic;
        var records = 0;
        for (var p = 0; p < topic.PartitionCount; p++)
        {
            if (_topics.GetLog(topic.Id, p) is not { } log)
                continue;
            var offset = log.LogStartOffset;
            while (offset < log.LogEndOffset)
            {
                var read = log.Read(offset, 1 << 20, minOneBatch: true);
                if (read.Error != ErrorCode.None || read.Records is not { } slice)
                    break;
                var bytes = new byte[slice.Length];
                using (slice)
                    slice.CopyTo(0, bytes);
                var next = offset;
                foreach (var batch in RecordBatch.ReadAll(bytes))
                {
                    next = batch.Header.BaseOffset + batch.Header.LastOffsetDelta + 1;
                    if (batch.Header.IsControl)
                        continue;
                    foreach (var record in batch.ReadRecords())
                    {
                        if (record.Offset < offset || record.Key is not { } key)
                            continue;
                        try
                        {
                            Replay(OffsetsTopicRecords.Read(key, record.Value));
                            records++;
                        }
                        catch (KafkaProtocolException e)
                        {
                            // One unreadable record costs that group or offset, not the broker.
                            _logger.LogWarning("Skipping record {Offset} of {Topic}-{Partition}: {Reason}", record.Offset, topic.Name, p, e.Message);
                        }
                    }
                }
                if (next <= offset)
                    break;
                offset = next;
            }
        }
        var now = NowMs;
        foreach (var group in _groups.Values)
        {
            if (group.Members.Count == 0 && group.Offsets.Count == 0 && group.ProtocolType is null)
            {
                _groups.TryRemove(group.GroupId, out _);
                continue;
            }
            foreach (var member in group.Members.Values)
                member.SessionDeadline = now + member.SessionTimeoutMs;
        }
        _logger.LogInformation("Loaded {Groups} groups from {Records} records of {Topic}", GroupCount, records, topic.Name);
    }

    private void Replay(OffsetsTopicRecords.Entry entry)
    {
        var group = _groups.GetOrAdd(entry.GroupId, id => new ClassicGroup(id, EpochMs));
        if (entry.IsOffset)
        {
            if (entry.Offset is { } offset)
                group.Offsets[(entry.Topic!, entry.Partition)] = offset;
            else
                group.Offsets.Remove((entry.Topic!, entry.Partition));
            return;
        }
        group.Members.Clear();
        group.StaticMembers.Clear();
        if (entry.Group is not { } stored)
        {
            group.ProtocolType = null;
            group.ProtocolName = null;
            group.LeaderId = null;
            group.GenerationId = 0;
            group.TransitionTo(GroupState.Empty, EpochMs);
            return;
        }
        group.ProtocolType = stored.ProtocolType.Length == 0 ? null : stored.ProtocolType;
        group.GenerationId = stored.Generation;
        group.ProtocolName = stored.Protocol;
        group.LeaderId = stored.Leader;
        foreach (var m in stored.Members)
        {
            var member = new GroupMember(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost)
            {
                RebalanceTimeoutMs = m.RebalanceTimeoutMs,
                SessionTimeoutMs = m.SessionTimeoutMs,
                ProtocolType = stored.ProtocolType,
                Protocols = stored.Protocol is null ? [] : [(stored.Protocol, m.Subscription)],
                Assignment = m.Assignment,
            };
            group.Members[member.MemberId] = member;
            if (member.GroupInstanceId is { } instance)
                group.StaticMembers[instance] = member.MemberId;
        }
        group.TransitionTo(group.Members.Count > 0 ? GroupState.Stable : GroupState.Empty, stored.CurrentStateTimestamp >= 0 ? stored.CurrentStateTimestamp : EpochMs);
    }

    /// <summary>
    /// Appends records of <paramref name="groupId"/> to its partition of the offsets topic, as one batch. The caller
    /// holds the group's lock. Returns the log (to wait for durability on) or the error to answer.
    /// </summary>
    private (ErrorCode Error, PartitionLog? Log) Append(string groupId, IEnumerable<(byte[] Key, byte[]? Value)> records)
    {
        if (EnsureOffsetsTopic() != ErrorCode.None || _offsetsTopic is not { } topic)
            return (ErrorCode.CoordinatorNotAvailable, null);
        var log = _topics.GetLog(topic.Id, OffsetsTopicRecords.PartitionFor(groupId, topic.PartitionCount));
        if (log is null)
            return (ErrorCode.CoordinatorNotAvailable, null);
        var now = EpochMs;
        var builder = new RecordBatchBuilder();
        foreach (var (key, value) in records)
            builder.Add(key, value, now);
        if (builder.Count == 0)
            return (ErrorCode.None, null);
        try
        {
            return log.TryAppend(builder.Build(), now) is null ? (ErrorCode.CoordinatorNotAvailable, null) : (ErrorCode.None, log);
        }
        catch (IOException e)
        {
            _logger.LogError(e, "Writing group {Group} to {Topic} failed", groupId, OffsetsTopicRecords.TopicName);
            return (ErrorCode.UnknownServerError, null);
        }
    }

    private Task DurableAsync(PartitionLog? log) =>
        log is not null && _groupCommit is not null ? _groupCommit.WaitDurableAsync(log) : Task.CompletedTask;

    /// <summary>Records that remove committed offsets of <paramref name="groupId"/> from the offsets topic.</summary>
    private static List<(byte[] Key, byte[]? Value)> OffsetTombstones(string groupId, IEnumerable<(string Topic, int Partition)> partitions) =>
        [.. partitions.Select(p => (OffsetsTopicRecords.OffsetKey(groupId, p.Topic, p.Partition), (byte[]?)null))];

    private (ErrorCode Error, PartitionLog? Log) StoreGroup(ClassicGroup group) =>
        Append(group.GroupId, [(OffsetsTopicRecords.GroupKey(group.GroupId), OffsetsTopicRecords.GroupValue(group.ToStored()))]);

    // ---- JoinGroup ------------------------------------------------------------------------------------------

    /// <summary>JoinGroup: completes when the rebalance this join is part of completes (or at once with an error).</summary>
    public Task<JoinResult> JoinAsync(string groupId, string memberId, string? groupInstanceId, bool requireKnownMemberId,
        string clientId, string clientHost, int rebalanceTimeoutMs, int sessionTimeoutMs, string protocolType,
        List<(string Name, byte[] Metadata)> protocols)
    {
        if (groupId.Length == 0)
            return Task.FromResult(new JoinResult(ErrorCode.InvalidGroupId, memberId));
        if (sessionTimeoutMs < _options.MinSessionTimeoutMs || sessionTimeoutMs > _options.MaxSessionTimeoutMs)
            return Task.FromResult(new JoinResult(ErrorCode.InvalidSessionTimeout, memberId));
        if (EnsureOffsetsTopic() != ErrorCode.None)
            return Task.FromResult(new JoinResult(ErrorCode.CoordinatorNotAvailable, memberId));
        ClassicGroup? group;
        if (memberId.Length == 0)
            group = _groups.GetOrAdd(groupId, id => new ClassicGroup(id, EpochMs));
        else if (!_groups.TryGetValue(groupId, out group))
            return Task.FromResult(new JoinResult(ErrorCode.UnknownMemberId, memberId));
        if (rebalanceTimeoutMs < 0)
            rebalanceTimeoutMs = sessionTimeoutMs; // v0 had no rebalance timeout
        lock (group.Lock)
        {
            CheckDeadlines(group, NowMs);
            if (group.State == GroupState.Dead)
                return Task.FromResult(new JoinResult(ErrorCode.CoordinatorNotAvailable, memberId));
            if (!group.SupportsProtocols(protocolType, protocols.Select(p => p.Name).ToList()))
                return Task.FromResult(new JoinResult(ErrorCode.InconsistentGroupProtocol, memberId));
            var known = memberId.Length > 0 && (group.Members.ContainsKey(memberId) || group.PendingMembers.ContainsKey(memberId));
            if (!known && group.Members.Count + group.PendingMembers.Count >= _options.MaxSize
                && !(groupInstanceId is not null && group.StaticMembers.ContainsKey(groupInstanceId)))
                return Task.FromResult(new JoinResult(ErrorCode.GroupMaxSizeReached, memberId));
            var join = new Join(memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, protocolType, protocols);
            return memberId.Length == 0
                ? JoinNewMember(group, join, requireKnownMemberId)
                : JoinKnownMember(group, join);
        }
    }

    private sealed record Join(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, int RebalanceTimeoutMs,
        int SessionTimeoutMs, string ProtocolType, List<(string Name, byte[] Metadata)> Protocols);

    private Task<JoinResult> JoinNewMember(ClassicGroup group, Join join, bool requireKnownMemberId)
    {
        var memberId = $"{join.ClientId}-{Guid.NewGuid()}";
        if (join.GroupInstanceId is { } instanceId)
        {
            if (group.StaticMembers.TryGetValue(instanceId, out var oldMemberId))
                return RejoinStaticMember(group, join with { MemberId = memberId }, oldMemberId);
            return AddMemberAndRebalance(group, join with { MemberId = memberId });
        }
        if (requireKnownMemberId)
        {
            // KIP-394: the member must come back with this id, so a client that times out and retries does not
            // leave a ghost member behind.
            group.PendingMembers[memberId] = NowMs + join.SessionTimeoutMs;
            return Task.FromResult(new JoinResult(ErrorCode.MemberIdRequired, memberId));
        }
        return AddMemberAndRebalance(group, join with { MemberId = memberId });
    }

    private Task<JoinResult> JoinKnownMember(ClassicGroup group, Join join)
    {
        if (group.PendingMembers.Remove(join.MemberId))
            return AddMemberAndRebalance(group, join);
        if (IsFencedStaticMember(group, join.MemberId, join.GroupInstanceId))
            return Task.FromResult(new JoinResult(ErrorCode.FencedInstanceId, join.MemberId));
        if (!group.Members.TryGetValue(join.MemberId, out var member))
            return Task.FromResult(new JoinResult(ErrorCode.UnknownMemberId, join.MemberId));
        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                return UpdateMemberAndRebalance(group, member, join);
            case GroupState.CompletingRebalance when member.SameProtocols(join.Protocols):
                // The member lost our JoinGroup response and asked again: same answer, no new rebalance.
                return Task.FromResult(CurrentJoinResult(group, member, skipAssignment: false));
            case GroupState.Stable when !group.IsLeader(member.MemberId) && member.SameProtocols(join.Protocols):
                member.SessionDeadline = NowMs + member.SessionTimeoutMs;
                return Task.FromResult(CurrentJoinResult(group, member, skipAssignment: false));
            case GroupState.CompletingRebalance or GroupState.Stable:
                // The leader rejoining (e.g. its subscription's topics changed) or new metadata: rebalance.
                return UpdateMemberAndRebalance(group, member, join);
            default:
                return Task.FromResult(new JoinResult(ErrorCode.UnknownMemberId, join.MemberId));
        }
    }

    /// <summary>
    /// KIP-345: a static member coming back under a new member id replaces its old self (whose pending requests are
    /// fenced). In a stable group with unchanged metadata it gets the current generation back without a rebalance;
    /// if it leads, KIP-814's skip_assignment tells it to keep the current assignment.
    /// </summary>
    private Task<JoinResult> RejoinStaticMember(ClassicGroup group, Join join, string oldMemberId)
    {
        var member = group.Members[oldMemberId];
        member.PendingJoin?.TrySetResult(new JoinResult(ErrorCode.FencedInstanceId, oldMemberId));
        member.PendingJoin = null;
        member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.FencedInstanceId));
        member.PendingSync = null;
        group.Members.Remove(oldMemberId);
        member.MemberId = join.MemberId;
        group.Members[join.MemberId] = member;
        group.StaticMembers[join.GroupInstanceId!] = join.MemberId;
        if (group.LeaderId == oldMemberId)
            group.LeaderId = join.MemberId;
        var unchanged = member.SameProtocols(join.Protocols);
        member.ClientId = join.ClientId;
        member.ClientHost = join.ClientHost;
        if (group.State == GroupState.Stable && unchanged)
        {
            member.RebalanceTimeoutMs = join.RebalanceTimeoutMs;
            member.SessionTimeoutMs = join.SessionTimeoutMs;
            member.SessionDeadline = NowMs + join.SessionTimeoutMs;
            var (error, _) = StoreGroup(group);
            if (error != ErrorCode.None)
            {
                // Undo, so the member's next try finds the group as it was stored.
                group.Members.Remove(join.MemberId);
                member.MemberId = oldMemberId;
                group.Members[oldMemberId] = member;
                group.StaticMembers[join.GroupInstanceId!] = oldMemberId;
                if (group.LeaderId == join.MemberId)
                    group.LeaderId = oldMemberId;
                return Task.FromResult(new JoinResult(error, ""));
            }
            _logger.LogInformation("Static member {InstanceId} of group {Group} rejoined as {MemberId} without a rebalance",
                join.GroupInstanceId, group.GroupId, join.MemberId);
            return Task.FromResult(CurrentJoinResult(group, member, skipAssignment: group.IsLeader(member.MemberId)));
        }
        return UpdateMemberAndRebalance(group, member, join);
    }

    private JoinResult CurrentJoinResult(ClassicGroup group, GroupMember member, bool skipAssignment) => new(ErrorCode.None, member.MemberId,
        group.GenerationId, group.ProtocolType, group.ProtocolName, group.LeaderId ?? "", skipAssignment,
        group.IsLeader(member.MemberId) ? MembersForLeader(group) : []);

    private static List<JoinedMember> MembersForLeader(ClassicGroup group) =>
        [.. group.Members.Values.Select(m => new JoinedMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(group.ProtocolName!) ?? []))];

    private Task<JoinResult> AddMemberAndRebalance(ClassicGroup group, Join join)
    {
        var member = new GroupMember(join.MemberId, join.GroupInstanceId, join.ClientId, join.ClientHost) { IsNew = true };
        // The first member of an empty group sets its protocol type, whatever an earlier generation used.
        if (group.Members.Count == 0)
            group.ProtocolType = join.ProtocolType;
        group.Members[member.MemberId] = member;
        if (join.GroupInstanceId is { } instance)
            group.StaticMembers[instance] = member.MemberId;
        group.LeaderId ??= member.MemberId;
        _logger.LogInformation("Member {MemberId} ({ClientId}, {Host}) joins group {Group}", member.MemberId, join.ClientId, join.ClientHost, group.GroupId);
        return UpdateMemberAndRebalance(group, member, join);
    }

    private Task<JoinResult> UpdateMemberAndRebalance(ClassicGroup group, GroupMember member, Join join)
    {
        member.RebalanceTimeoutMs = join.RebalanceTimeoutMs;
        member.SessionTimeoutMs = join.SessionTimeoutMs;
        member.ProtocolType = join.ProtocolType;
        member.Protocols = join.Protocols;
        member.PendingJoin?.TrySetResult(new JoinResult(ErrorCode.UnknownMemberId, member.MemberId));
        var pending = new TaskCompletionSource<JoinResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        member.PendingJoin = pending;
        if (group.State is GroupState.PreparingRebalance)
        {
            if (group.InitialJoinUntil > 0)
            {
                // KIP-134: each member arriving during the initial delay extends it, up to the rebalance timeout.
                group.InitialJoinUntil = Math.Min(NowMs + _options.InitialRebalanceDelayMs, group.RebalanceDeadline);
            }
            TryCompleteJoin(group);
        }
        else
            PrepareRebalance(group, $"member {member.MemberId} joined");
        return pending.Task;
    }

    private void PrepareRebalance(ClassicGroup group, string reason)
    {
        if (group.State == GroupState.CompletingRebalance)
        {
            foreach (var m in group.Members.Values)
            {
                m.Assignment = [];
                m.PendingSync?.TrySetResult(new SyncResult(ErrorCode.RebalanceInProgress));
                m.PendingSync = null;
            }
        }
        var now = NowMs;
        var initial = group.State == GroupState.Empty && _options.InitialRebalanceDelayMs > 0;
        group.TransitionTo(GroupState.PreparingRebalance, EpochMs);
        group.RebalanceDeadline = now + Math.Max(group.MaxRebalanceTimeoutMs, initial ? _options.InitialRebalanceDelayMs : 0);
        group.InitialJoinUntil = initial ? now + _options.InitialRebalanceDelayMs : 0;
        _logger.LogInformation("Group {Group} is preparing to rebalance in generation {Generation}: {Reason}", group.GroupId, group.GenerationId, reason);
        TryCompleteJoin(group);
    }

    private void TryCompleteJoin(ClassicGroup group)
    {
        if (group.State == GroupState.PreparingRebalance && group.AllMembersJoined && NowMs >= group.InitialJoinUntil)
            CompleteJoin(group);
    }

    /// <summary>Ends the join phase: members that did not rejoin are dropped, the next generation starts and every join is answered.</summary>
    private void CompleteJoin(ClassicGroup group)
    {
        foreach (var missing in group.Members.Values.Where(m => m.PendingJoin is null).ToList())
        {
            _logger.LogInformation("Member {MemberId} of group {Group} did not rejoin in time and is removed", missing.MemberId, group.GroupId);
            RemoveMemberQuietly(group, missing);
        }
        group.InitialJoinUntil = 0;
        group.GenerationId++;
        if (group.Members.Count == 0)
        {
            group.ProtocolName = null;
            group.LeaderId = null;
            group.TransitionTo(GroupState.Empty, EpochMs);
            StoreGroup(group);
            _logger.LogInformation("Group {Group} is empty at generation {Generation}", group.GroupId, group.GenerationId);
            return;
        }
        group.ProtocolName = group.SelectProtocol();
        if (group.LeaderId is null || !group.Members.ContainsKey(group.LeaderId))
            group.LeaderId = group.Members.Keys.First();
        group.TransitionTo(GroupState.CompletingRebalance, EpochMs);
        var now = NowMs;
        group.RebalanceDeadline = now + group.MaxRebalanceTimeoutMs;
        var forLeader = MembersForLeader(group);
        foreach (var member in group.Members.Values)
        {
            member.IsNew = false;
            member.SessionDeadline = now + member.SessionTimeoutMs;
            var result = new JoinResult(ErrorCode.None, member.MemberId, group.GenerationId, group.ProtocolType, group.ProtocolName,
                group.LeaderId, false, group.IsLeader(member.MemberId) ? forLeader : []);
            member.PendingJoin!.TrySetResult(result);
            member.PendingJoin = null;
        }
        _logger.LogInformation("Group {Group} generation {Generation}: {Members} members, protocol {Protocol}, leader {Leader}",
            group.GroupId, group.GenerationId, group.Members.Count, group.ProtocolName, group.LeaderId);
    }

    // ---- SyncGroup, Heartbeat, LeaveGroup -------------------------------------------------------------------

    public Task<SyncResult> SyncAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        string? protocolType, string? protocolName, IReadOnlyList<(string MemberId, byte[] Assignment)> assignments)
    {
        if (!_groups.TryGetValue(groupId, out var group))
            return Task.FromResult(new SyncResult(ErrorCode.UnknownMemberId));
        lock (group.Lock)
        {
            CheckDeadlines(group, NowMs);
            var error = CheckMember(group, generationId, memberId, groupInstanceId);
            if (error != ErrorCode.None)
                return Task.FromResult(new SyncResult(error));
            if ((protocolType is not null && protocolType != group.ProtocolType) || (protocolName is not null && protocolName != group.ProtocolName))
                return Task.FromResult(new SyncResult(ErrorCode.InconsistentGroupProtocol));
            var member = group.Members[memberId];
            switch (group.State)
            {
                case GroupState.PreparingRebalance:
                    return Task.FromResult(new SyncResult(ErrorCode.RebalanceInProgress));
                case GroupState.Stable:
                    member.SessionDeadline = NowMs + member.SessionTimeoutMs;
                    return Task.FromResult(new SyncResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment));
            }
            var pending = new TaskCompletionSource<SyncResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.RebalanceInProgress));
            member.PendingSync = pending;
            member.SessionDeadline = NowMs + member.SessionTimeoutMs;
            if (group.IsLeader(memberId))
                CompleteSync(group, assignments);
            return pending.Task;
        }
    }

    /// <summary>The leader's assignment arrived: store the generation, go Stable and answer every waiting SyncGroup.</summary>
    private void CompleteSync(ClassicGroup group, IReadOnlyList<(string MemberId, byte[] Assignment)> assignments)
    {
        var byMember = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, assignment) in assignments)
            byMember[id] = assignment;
        foreach (var member in group.Members.Values)
            member.Assignment = byMember.GetValueOrDefault(member.MemberId) ?? [];
        var (error, log) = StoreGroup(group);
        if (error != ErrorCode.None)
        {
            foreach (var member in group.Members.Values)
            {
                member.Assignment = [];
                member.PendingSync?.TrySetResult(new SyncResult(error));
                member.PendingSync = null;
            }
            PrepareRebalance(group, $"storing generation {group.GenerationId} failed with {error}");
            return;
        }
        group.TransitionTo(GroupState.Stable, EpochMs);
        var now = NowMs;
        var durable = DurableAsync(log);
        foreach (var member in group.Members.Values)
        {
            member.SessionDeadline = now + member.SessionTimeoutMs;
            if (member.PendingSync is { } pending)
            {
                var result = new SyncResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment);
                if (durable.IsCompleted)
                    pending.TrySetResult(result);
                else
                    durable.ContinueWith(_ => pending.TrySetResult(result), TaskScheduler.Default);
                member.PendingSync = null;
            }
        }
        _logger.LogInformation("Group {Group} is stable in generation {Generation}", group.GroupId, group.GenerationId);
    }

    public ErrorCode Heartbeat(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        if (!_groups.TryGetValue(groupId, out var group))
            return ErrorCode.UnknownMemberId;
        lock (group.Lock)
        {
            CheckDeadlines(group, NowMs);
            var error = CheckMember(group, generationId, memberId, groupInstanceId);
            if (error != ErrorCode.None)
                return error;
            var member = group.Members[memberId];
            member.SessionDeadline = NowMs + member.SessionTimeoutMs;
            return group.State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }
    }

    /// <summary>The checks SyncGroup, Heartbeat and OffsetCommit share, in Kafka's order.</summary>
    private static ErrorCode CheckMember(ClassicGroup group, int generationId, string memberId, string? groupInstanceId)
    {
        if (group.State == GroupState.Dead)
            return ErrorCode.CoordinatorNotAvailable;
        if (IsFencedStaticMember(group, memberId, groupInstanceId))
            return ErrorCode.FencedInstanceId;
        if (group.State == GroupState.Empty || !group.Members.ContainsKey(memberId))
            return ErrorCode.UnknownMemberId;
        if (generationId != group.GenerationId)
            return ErrorCode.IllegalGeneration;
        return ErrorCode.None;
    }

    private static bool IsFencedStaticMember(ClassicGroup group, string memberId, string? groupInstanceId) =>
        groupInstanceId is not null && group.StaticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId;

    /// <summary>LeaveGroup: one error per leaving member (KIP-345 batch); a static member may leave by instance id alone.</summary>
    public IReadOnlyList<ErrorCode> Leave(string groupId, IReadOnlyList<(string MemberId, string? GroupInstanceId)> leaving)
    {
        if (!_groups.TryGetValue(groupId, out var group))
            return [.. leaving.Select(_ => ErrorCode.UnknownMemberId)];
        lock (group.Lock)
        {
            CheckDeadlines(group, NowMs);
            if (group.State == GroupState.Dead)
                return [.. leaving.Select(_ => ErrorCode.CoordinatorNotAvailable)];
            var errors = new List<ErrorCode>(leaving.Count);
            foreach (var (memberId, instanceId) in leaving)
            {
                string id;
                if (instanceId is not null)
                {
                    if (!group.StaticMembers.TryGetValue(instanceId, out var current))
                    {
                        errors.Add(ErrorCode.UnknownMemberId);
                        continue;
                    }
                    if (memberId.Length > 0 && memberId != current)
                    {
                        errors.Add(ErrorCode.FencedInstanceId);
                        continue;
                    }
                    id = current;
                }
                else
                    id = memberId;
                if (group.PendingMembers.Remove(id))
                {
                    errors.Add(ErrorCode.None);
                    TryCompleteJoin(group);
                    continue;
                }
                if (!group.Members.TryGetValue(id, out var member))
                {
                    errors.Add(ErrorCode.UnknownMemberId);
                    continue;
                }
                errors.Add(ErrorCode.None);
                _logger.LogInformation("Member {MemberId} leaves group {Group}", id, group.GroupId);
                RemoveMember(group, member, $"member {id} left");
            }
            return errors;
        }
    }

    /// <summary>Removes a member and moves the group on: a new rebalance, or the join phase completing without it.</summary>
    private void RemoveMember(ClassicGroup group, GroupMember member, string reason)
    {
        RemoveMemberQuietly(group, member);
        switch (group.State)
        {
            case GroupState.Stable or GroupState.CompletingRebalance:
                PrepareRebalance(group, reason);
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group);
                break;
        }
    }

    private static void RemoveMemberQuietly(ClassicGroup group, GroupMember member)
    {
        group.Members.Remove(member.MemberId);
        if (member.GroupInstanceId is { } instance && group.StaticMembers.GetValueOrDefault(instance) == member.MemberId)
            group.StaticMembers.Remove(instance);
        member.PendingJoin?.TrySetResult(new JoinResult(ErrorCode.UnknownMemberId, member.MemberId));
        member.PendingJoin = null;
        member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.UnknownMemberId));
        member.PendingSync = null;
        if (group.LeaderId == member.MemberId)
            group.LeaderId = group.Members.Keys.FirstOrDefault();
    }

    // ---- Deadlines ------------------------------------------------------------------------------------------

    /// <summary>Expires sessions, pending member ids, join and sync phases; expires old offsets on its own schedule.</summary>
    public void Tick()
    {
        var now = NowMs;
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
                CheckDeadlines(group, now);
        }
        if (now >= _nextRetentionCheck)
        {
            _nextRetentionCheck = now + (long)_options.OffsetsRetentionCheckInterval.TotalMilliseconds;
            ExpireOffsets();
        }
    }

    /// <summary>
    /// Applies every deadline of <paramref name="group"/> that has passed (caller holds its lock). Besides the
    /// periodic tick, each request on a group runs it first, so a member is gone exactly at its deadline, as with
    /// Kafka's per-member timers, not up to a tick later.
    /// </summary>
    private void CheckDeadlines(ClassicGroup group, long now)
    {
        foreach (var (pendingId, deadline) in group.PendingMembers.ToList())
        {
            if (now < deadline)
                continue;
            group.PendingMembers.Remove(pendingId);
            TryCompleteJoin(group);
        }
        foreach (var member in group.Members.Values.ToList())
        {
            // A member waiting in JoinGroup or SyncGroup is alive: those phases have their own deadlines.
            if (member.PendingJoin is not null || member.PendingSync is not null || now < member.SessionDeadline)
                continue;
            _logger.LogInformation("Member {MemberId} of group {Group} has not sent a heartbeat within its session timeout ({Timeout} ms) and is removed",
                member.MemberId, group.GroupId, member.SessionTimeoutMs);
            RemoveMember(group, member, $"member {member.MemberId} session expired");
        }
        if (group.State == GroupState.PreparingRebalance)
        {
            if (now >= group.RebalanceDeadline)
                CompleteJoin(group);
            else
                TryCompleteJoin(group);
        }
        else if (group.State == GroupState.CompletingRebalance && now >= group.RebalanceDeadline)
        {
            foreach (var member in group.Members.Values.Where(m => m.PendingSync is null).ToList())
            {
                _logger.LogInformation("Member {MemberId} of group {Group} did not sync in time and is removed", member.MemberId, group.GroupId);
                RemoveMemberQuietly(group, member);
            }
            if (group.State == GroupState.CompletingRebalance)
                PrepareRebalance(group, "the sync phase timed out");
        }
    }

    /// <summary>
    /// KIP-211: offsets of a group that has been empty for offsets.retention.minutes are removed; offsets committed
    /// outside group management (no protocol type) expire one by one from their commit time. Emptied groups go.
    /// </summary>
    public void ExpireOffsets()
    {
        var epoch = EpochMs;
        var retention = (long)_options.OffsetsRetention.TotalMilliseconds;
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
                if (group.State != GroupState.Empty)
                    continue;
                var expired = group.ProtocolType is null
                    ? group.Offsets.Where(o => o.Value.CommitTimestamp + retention <= epoch).Select(o => o.Key).ToList()
                    : group.StateTimestamp + retention <= epoch ? [.. group.Offsets.Keys] : [];
                var removeGroup = group.Offsets.Count == expired.Count;
                if (expired.Count == 0 && !removeGroup)
                    continue;
                var records = OffsetTombstones(group.GroupId, expired);
                if (removeGroup)
                    records.Add((OffsetsTopicRecords.GroupKey(group.GroupId), null));
                if (Append(group.GroupId, records).Error != ErrorCode.None)
                    continue;
                foreach (var key in expired)
                    group.Offsets.Remove(key);
                if (removeGroup)
                {
                    group.TransitionTo(GroupState.Dead, epoch);
                    _groups.TryRemove(group.GroupId, out _);
                }
                _logger.LogInformation("Expired {Count} offsets of group {Group}{Removed}", expired.Count, group.GroupId, removeGroup ? "; the group is removed" : "");
            }
        }
    }

    // ---- Offsets --------------------------------------------------------------------------------------------

    /// <summary>OffsetCommit: one error per offset, in order. Offsets are in memory (and answered) only once written.</summary>
    public async Task<IReadOnlyList<ErrorCode>> CommitOffsetsAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        IReadOnlyList<OffsetToCommit> offsets)
    {
        IReadOnlyList<ErrorCode> All(ErrorCode error) => [.. offsets.Select(_ => error)];
        if (groupId.Length == 0)
            return All(ErrorCode.InvalidGroupId);
        if (EnsureOffsetsTopic() != ErrorCode.None)
            return All(ErrorCode.CoordinatorNotAvailable);
        ClassicGroup group;
        if (generationId < 0)
            group = _groups.GetOrAdd(groupId, id => new ClassicGroup(id, EpochMs));
        else if (!_groups.TryGetValue(groupId, out group!))
            return All(ErrorCode.IllegalGeneration);
        PartitionLog? log;
        var errors = new ErrorCode[offsets.Count];
        lock (group.Lock)
        {
            CheckDeadlines(group, NowMs);
            var error = ErrorCode.None;
            if (group.State == GroupState.Dead)
                error = ErrorCode.CoordinatorNotAvailable;
            else if (IsFencedStaticMember(group, memberId, groupInstanceId))
                error = ErrorCode.FencedInstanceId;
            else if (generationId < 0 && group.State == GroupState.Empty)
                error = ErrorCode.None; // a consumer that assigns partitions itself
            else if (!group.Members.TryGetValue(memberId, out var member))
                error = ErrorCode.UnknownMemberId;
            else if (generationId != group.GenerationId)
                error = ErrorCode.IllegalGeneration;
            else if (group.State == GroupState.CompletingRebalance)
                error = ErrorCode.RebalanceInProgress;
            else
                member.SessionDeadline = NowMs + member.SessionTimeoutMs;
            if (error != ErrorCode.None)
                return All(error);
            var now = EpochMs;
            var records = new List<(byte[], byte[]?)>();
            var accepted = new List<(OffsetToCommit Offset, CommittedOffset Committed)>();
            for (var i = 0; i < offsets.Count; i++)
            {
                var o = offsets[i];
                if (o.Metadata is { } metadata && System.Text.Encoding.UTF8.GetByteCount(metadata) > _options.OffsetMetadataMaxBytes)
                {
                    errors[i] = ErrorCode.OffsetMetadataTooLarge;
                    continue;
                }
                var committed = new CommittedOffset(o.Offset, o.LeaderEpoch, o.Metadata ?? "", now);
                records.Add((OffsetsTopicRecords.OffsetKey(groupId, o.Topic, o.Partition), OffsetsTopicRecords.OffsetValue(committed)));
                accepted.Add((o, committed));
            }
            (error, log) = Append(groupId, records);
            if (error != ErrorCode.None)
            {
                for (var i = 0; i < errors.Length; i++)
                    if (errors[i] == ErrorCode.None)
                        errors[i] = error;
                return errors;
            }
            foreach (var (o, committed) in accepted)
                group.Offsets[(o.Topic, o.Partition)] = committed;
        }
        await DurableAsync(log);
        return errors;
    }

    /// <summary>OffsetFetch for one group; null <paramref name="partitions"/> means every partition the group has offsets for.</summary>
    public IReadOnlyList<FetchedOffset> FetchOffsets(string groupId, IReadOnlyList<(string Topic, int Partition)>? partitions)
    {
        if (!_groups.TryGetValue(groupId, out var group))
            return partitions is null ? [] : [.. partitions.Select(p => new FetchedOffset(p.Topic, p.Partition, -1, -1, "", ErrorCode.None))];
        lock (group.Lock)
        {
            if (partitions is null)
                return [.. group.Offsets.Select(o => new FetchedOffset(o.Key.Topic, o.Key.Partition, o.Value.Offset, o.Value.LeaderEpoch, o.Value.Metadata, ErrorCode.None))];
            return [.. partitions.Select(p => group.Offsets.TryGetValue(p, out var o)
                ? new FetchedOffset(p.Topic, p.Partition, o.Offset, o.LeaderEpoch, o.Metadata, ErrorCode.None)
                : new FetchedOffset(p.Topic, p.Partition, -1, -1, "", ErrorCode.None))];
        }
    }

    /// <summary>OffsetDelete (KIP-496): the group-level error, and one error per partition.</summary>
    public async Task<(ErrorCode Error, IReadOnlyList<ErrorCode> Partitions)> DeleteOffsetsAsync(string groupId, IReadOnlyList<(string Topic, int Partition)> partitions)
    {
        if (!_groups.TryGetValue(groupId, out var group))
            return (ErrorCode.GroupIdNotFound, []);
        PartitionLog? log;
        var errors = new ErrorCode[partitions.Count];
        lock (group.Lock)
        {
            CheckDeadlines(group, NowMs);
            if (group.State == GroupState.Dead)
                return (ErrorCode.GroupIdNotFound, []);
            if (group.State != GroupState.Empty && group.ProtocolType != ConsumerProtocol.Type)
                return (ErrorCode.NonEmptyGroup, []);
            var subscribed = group.State == GroupState.Empty ? [] : group.SubscribedTopics();
            var deleting = new List<(string Topic, int Partition)>();
            for (var i = 0; i < partitions.Count; i++)
            {
                if (subscribed.Contains(partitions[i].Topic))
                    errors[i] = ErrorCode.GroupSubscribedToTopic;
                else if (group.Offsets.ContainsKey(partitions[i]))
                    deleting.Add(partitions[i]);
            }
            ErrorCode error;
            (error, log) = Append(groupId, OffsetTombstones(groupId, deleting));
            if (error != ErrorCode.None)
                return (error, []);
            foreach (var p in deleting)
                group.Offsets.Remove(p);
        }
        await DurableAsync(log);
        return (ErrorCode.None, errors);
    }

    // ---- Group administration -------------------------------------------------------------------------------

    public IReadOnlyList<(string GroupId, string ProtocolType, string State, string GroupType)> ListGroups(
        IReadOnlyCollection<string> statesFilter, IReadOnlyCollection<string> typesFilter)
    {
        if (typesFilter.Count > 0 && !typesFilter.Contains(GroupType, StringComparer.OrdinalIgnoreCase))
            return [];
        var result = new List<(string, string, string, string)>();
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
                CheckDeadlines(group, NowMs);
                if (group.State == GroupState.Dead)
                    continue;
                var state = group.State.ToString();
                if (statesFilter.Count > 0 && !statesFilter.Contains(state, StringComparer.OrdinalIgnoreCase))
                    continue;
                result.Add((group.GroupId, group.ProtocolType ?? "", state, GroupType));
            }
        }
        return result;
    }

    /// <summary>Kafka's summary: member metadata and assignments only when Stable; an unknown group is reported Dead.</summary>
    public GroupSummary DescribeGroup(string groupId)
    {
        if (!_groups.TryGetValue(groupId, out var group))
            return new GroupSummary(groupId, ErrorCode.None, nameof(GroupState.Dead), "", "", []);
        lock (group.Lock)
        {
            CheckDeadlines(group, NowMs);
            var stable = group.State == GroupState.Stable;
            return new GroupSummary(groupId, ErrorCode.None, group.State.ToString(), group.ProtocolType ?? "", stable ? group.ProtocolName ?? "" : "",
                [.. group.Members.Values.Select(m => new MemberSummary(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                    stable ? m.MetadataFor(group.ProtocolName!) ?? [] : [], stable ? m.Assignment : []))]);
        }
    }

    /// <summary>DeleteGroups: only empty groups go; their offsets and metadata are tombstoned.</summary>
    public async Task<ErrorCode> DeleteGroupAsync(string groupId)
    {
        if (groupId.Length == 0)
            return ErrorCode.InvalidGroupId;
        if (!_groups.TryGetValue(groupId, out var group))
            return ErrorCode.GroupIdNotFound;
        PartitionLog? log;
        lock (group.Lock)
        {
            CheckDeadlines(group, NowMs);
            if (group.State == GroupState.Dead)
                return ErrorCode.GroupIdNotFound;
            if (group.State != GroupState.Empty)
                return ErrorCode.NonEmptyGroup;
            var records = OffsetTombstones(groupId, group.Offsets.Keys);
            records.Add((OffsetsTopicRecords.GroupKey(groupId), null));
            ErrorCode error;
            (error, log) = Append(groupId, records);
            if (error != ErrorCode.None)
                return error;
            group.Offsets.Clear();
            group.TransitionTo(GroupState.Dead, EpochMs);
            _groups.TryRemove(groupId, out _);
        }
        _logger.LogInformation("Deleted group {Group}", groupId);
        await DurableAsync(log);
        return ErrorCode.None;
    }

    /// <summary>A deleted topic's committed offsets go from every group, as Kafka's coordinator removes them.</summary>
    public void RemoveOffsetsOfTopic(string topic)
    {
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
                var gone = group.Offsets.Keys.Where(k => k.Topic == topic).ToList();
                if (gone.Count == 0)
                    continue;
                if (Append(group.GroupId, OffsetTombstones(group.GroupId, gone)).Error != ErrorCode.None)
                    continue;
                foreach (var key in gone)
                    group.Offsets.Remove(key);
                _logger.LogInformation("Removed {Count} offsets of deleted topic {Topic} from group {Group}", gone.Count, topic, group.GroupId);
            }
        }
    }

    /// <summary>Groups per state and members in all, for the metrics endpoint.</summary>
    public IEnumerable<System.Diagnostics.Metrics.Measurement<long>> GroupMeasurements()
    {
        var byState = new Dictionary<GroupState, long>();
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
                byState[group.State] = byState.GetValueOrDefault(group.State) + 1;
        }
        return byState.Where(s => s.Key != GroupState.Dead)
            .Select(s => new System.Diagnostics.Metrics.Measurement<long>(s.Value, new KeyValuePair<string, object?>("state", s.Key.ToString())));
    }

    public long MemberCount => _groups.Values.Sum(g => { lock (g.Lock) return (long)g.Members.Count; });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        foreach (var group in _groups.Values)
        {
            lock (group.Lock)
            {
                foreach (var member in group.Members.Values)
                {
                    member.PendingJoin?.TrySetResult(new JoinResult(ErrorCode.CoordinatorNotAvailable, member.MemberId));
                    member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.CoordinatorNotAvailable));
                }
            }
        }
        _stop.Dispose();
    }
}
