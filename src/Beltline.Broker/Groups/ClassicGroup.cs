using Beltline.Protocol;

namespace Beltline.Broker.Groups;

/// <summary>The classic group states, named as DescribeGroups and ListGroups report them.</summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

/// <summary>What a JoinGroup gets back.</summary>
internal sealed record JoinResult(ErrorCode Error, string MemberId, int GenerationId = -1, string? ProtocolType = null,
    string? ProtocolName = null, string LeaderId = "", bool SkipAssignment = false, IReadOnlyList<JoinedMember>? Members = null)
{
    public IReadOnlyList<JoinedMember> Members { get; init; } = Members ?? [];
}

/// <summary>A member as the leader sees it in its JoinGroup response: its metadata for the chosen protocol.</summary>
internal sealed record JoinedMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

/// <summary>What a SyncGroup gets back.</summary>
internal sealed record SyncResult(ErrorCode Error, string? ProtocolType = null, string? ProtocolName = null, byte[]? Assignment = null);

internal sealed class GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost)
{
    public string MemberId { get; set; } = memberId;
    public string? GroupInstanceId { get; } = groupInstanceId;
    public string ClientId { get; set; } = clientId;
    public string ClientHost { get; set; } = clientHost;
    public int RebalanceTimeoutMs { get; set; }
    public int SessionTimeoutMs { get; set; }
    public string ProtocolType { get; set; } = "";

    /// <summary>The protocols the member supports with its metadata for each, in its order of preference.</summary>
    public List<(string Name, byte[] Metadata)> Protocols { get; set; } = [];

    public byte[] Assignment { get; set; } = [];

    /// <summary>A JoinGroup waiting for the rebalance to complete.</summary>
    public TaskCompletionSource<JoinResult>? PendingJoin { get; set; }

    /// <summary>A SyncGroup waiting for the leader's assignment.</summary>
    public TaskCompletionSource<SyncResult>? PendingSync { get; set; }

    /// <summary>Joined during the current rebalance (not a member of the previous generation).</summary>
    public bool IsNew { get; set; }

    /// <summary>When the member is considered gone unless it heartbeats (monotonic milliseconds).</summary>
    public long SessionDeadline { get; set; }

    public byte[]? MetadataFor(string protocol) => Protocols.FirstOrDefault(p => p.Name == protocol).Metadata;

    public bool SameProtocols(List<(string Name, byte[] Metadata)> protocols) =>
        Protocols.Count == protocols.Count
        && Protocols.Zip(protocols).All(pair => pair.First.Name == pair.Second.Name && pair.First.Metadata.AsSpan().SequenceEqual(pair.Second.Metadata));
}

/// <summary>
/// One classic-protocol group (Kafka's GroupMetadata): members, generation, chosen protocol, leader, committed
/// offsets and the rebalance in progress. Every access holds <see cref="Lock"/>.
/// </summary>
internal sealed class ClassicGroup(string groupId, long now)
{
    public Lock Lock { get; } = new();
    public string GroupId { get; } = groupId;
    public GroupState State { get; private set; } = GroupState.Empty;

    /// <summary>When the group entered its current state (epoch milliseconds), as stored in its metadata record.</summary>
    public long StateTimestamp { get; private set; } = now;

    public int GenerationId { get; set; }
    public string? ProtocolType { get; set; }
    public string? ProtocolName { get; set; }
    public string? LeaderId { get; set; }
    public Dictionary<string, GroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Static members: group.instance.id → member id.</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED (KIP-394), with their deadline to rejoin.</summary>
    public Dictionary<string, long> PendingMembers { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string Topic, int Partition), CommittedOffset> Offsets { get; } = [];

    /// <summary>PreparingRebalance: when the join phase ends even if members are missing. CompletingRebalance: when the sync phase does.</summary>
    public long RebalanceDeadline { get; set; }

    /// <summary>
    /// group.initial.rebalance.delay.ms: the first rebalance of an empty group waits until then for more members
    /// (KIP-134); 0 when not in that delay.
    /// </summary>
    public long InitialJoinUntil { get; set; }

    public void TransitionTo(GroupState state, long nowEpochMs)
    {
        State = state;
        StateTimestamp = nowEpochMs;
    }

    public bool IsLeader(string memberId) => LeaderId == memberId;

    public int MaxRebalanceTimeoutMs => Members.Count == 0 ? 0 : Members.Values.Max(m => m.RebalanceTimeoutMs);

    public bool AllMembersJoined => PendingMembers.Count == 0 && Members.Values.All(m => m.PendingJoin is not null);

    /// <summary>
    /// Whether a member offering <paramref name="protocols"/> can join: an empty group takes any non-empty list; otherwise
    /// the type must match and at least one protocol must be one every member supports.
    /// </summary>
    public bool SupportsProtocols(string protocolType, IReadOnlyCollection<string> protocols)
    {
        if (protocols.Count == 0 || protocolType.Length == 0)
            return false;
        if (Members.Count == 0)
            return true;
        return ProtocolType == protocolType && CandidateProtocols().Overlaps(protocols);
    }

    private HashSet<string> CandidateProtocols()
    {
        HashSet<string>? candidates = null;
        foreach (var member in Members.Values)
        {
            var names = member.Protocols.Select(p => p.Name);
            if (candidates is null)
                candidates = [.. names];
            else
                candidates.IntersectWith(names);
        }
        return candidates ?? [];
    }

    /// <summary>Kafka's vote: every member votes for its most preferred protocol among those all support; most votes wins.</summary>
    public string SelectProtocol()
    {
        var candidates = CandidateProtocols();
        return Members.Values
            .Select(m => m.Protocols.First(p => candidates.Contains(p.Name)).Name)
            .GroupBy(name => name)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .First().Key;
    }

    /// <summary>Topics the members subscribe to, read from their consumer-protocol metadata (empty for other protocol types).</summary>
    public HashSet<string> SubscribedTopics()
    {
        var topics = new HashSet<string>(StringComparer.Ordinal);
        if (ProtocolType != ConsumerProtocol.Type || ProtocolName is null)
            return topics;
        foreach (var member in Members.Values)
            if (member.MetadataFor(ProtocolName) is { } metadata)
                topics.UnionWith(ConsumerProtocol.SubscribedTopics(metadata));
        return topics;
    }

    public StoredGroup ToStored() => new(ProtocolType ?? "", GenerationId, ProtocolName, LeaderId, StateTimestamp,
        [.. Members.Values.Select(m => new StoredMember(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
            m.RebalanceTimeoutMs, m.SessionTimeoutMs, ProtocolName is null ? [] : m.MetadataFor(ProtocolName) ?? [], m.Assignment))]);
}

/// <summary>The "consumer" embedded protocol: just enough of its subscription layout to know which topics a group reads.</summary>
internal static class ConsumerProtocol
{
    public const string Type = "consumer";

    /// <summary>
    /// <code>ConsumerProtocolSubscription (0-3) => version:int16 [topics:string] user_data:nullable bytes ...</code>
    /// Unreadable metadata yields no topics: it only narrows what OffsetDelete refuses.
    /// </summary>
    public static IReadOnlyList<string> SubscribedTopics(byte[] metadata)
    {
        try
        {
            var reader = new KafkaReader(metadata);
            reader.ReadInt16();
            return reader.ReadStringArray(compact: false);
        }
        catch (KafkaProtocolException)
        {
            return [];
        }
    }
}
