namespace Beltline.Protocol.Messages;

// OffsetFetch (key 9), v0–9, flexible from v6. KIP-88 (v2 null topics = all, top-level error), v3 throttle time,
// KIP-320 (v5 leader epoch), KIP-447 (v7 require_stable), KIP-709 (v8 groups batched), KIP-848 (v9 member id/epoch).
// The v8+ per-group topics and partitions are their own element types in the spec, so they are here too
// (GroupTopic, GroupPartition) even where their fields match the v0–7 ones.

/// <summary>
/// <code>
/// OffsetFetch Request (Version: 0-1) => group_id [topics]
///   topics => name [partition_indexes]
/// OffsetFetch Request (Version: 2-5) => group_id [topics]                (null = all topics)
/// OffsetFetch Request (Version: 6) => group_id [topics] TAG_BUFFER       (compact, TAG_BUFFER everywhere)
/// OffsetFetch Request (Version: 7) => group_id [topics] require_stable TAG_BUFFER
/// OffsetFetch Request (Version: 8) => [groups] require_stable TAG_BUFFER
///   groups => group_id [topics] TAG_BUFFER                               (null = all topics)
///     topics => name [partition_indexes] TAG_BUFFER
/// OffsetFetch Request (Version: 9) => [groups] require_stable TAG_BUFFER
///   groups => group_id member_id member_epoch [topics] TAG_BUFFER
///   nullable: groups.member_id
/// </code>
/// </summary>
public sealed class OffsetFetchRequest : IKafkaMessage<OffsetFetchRequest>
{
    public static ApiKey ApiKey => ApiKey.OffsetFetch;

    /// <summary>v0–7.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>v0–7; null (v2+) asks for every topic the group has offsets for.</summary>
    public List<Topic>? Topics { get; set; } = [];

    /// <summary>v8+.</summary>
    public List<Group> Groups { get; set; } = [];

    /// <summary>v7+: answer UNSTABLE_OFFSET_COMMIT for partitions with pending transactional offsets.</summary>
    public bool RequireStable { get; set; }

    public static OffsetFetchRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var request = new OffsetFetchRequest();
        if (version <= 7)
        {
            request.GroupId = reader.ReadString(flexible);
            request.Topics = version >= 2
                ? reader.ReadNullableArray(ReadTopic, version, flexible)
                : reader.ReadArray(ReadTopic, version, flexible);
        }
        else
            request.Groups = reader.ReadArray(ReadGroup, version, compact: true);
        if (version >= 7)
            request.RequireStable = reader.ReadBool();
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 6;
        if (version <= 7)
        {
            writer.WriteString(GroupId, flexible);
            if (Topics is null && version < 2)
                throw new InvalidOperationException($"OffsetFetch v{version} cannot ask for all topics; only v2+ can (null topics).");
            writer.WriteArray(Topics, WriteTopic, version, flexible);
        }
        else
            writer.WriteArray(Groups, WriteGroup, version, compact: true);
        if (version >= 7)
            writer.WriteBool(RequireStable);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static Topic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var topic = new Topic
        {
            Name = reader.ReadString(flexible),
            PartitionIndexes = reader.ReadInt32Array(flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, Topic topic, short version)
    {
        var flexible = version >= 6;
        writer.WriteString(topic.Name, flexible);
        writer.WriteInt32Array(topic.PartitionIndexes, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    // Groups exist from v8 only, so they and their topics are always compact.
    private static Group ReadGroup(ref KafkaReader reader, short version)
    {
        var group = new Group { GroupId = reader.ReadString(compact: true) };
        if (version >= 9)
        {
            group.MemberId = reader.ReadNullableString(compact: true);
            group.MemberEpoch = reader.ReadInt32();
        }
        group.Topics = reader.ReadNullableArray(ReadGroupTopic, version, compact: true);
        reader.SkipTaggedFields();
        return group;
    }

    private static void WriteGroup(ref KafkaWriter writer, Group group, short version)
    {
        writer.WriteString(group.GroupId, compact: true);
        if (version >= 9)
        {
            writer.WriteNullableString(group.MemberId, compact: true);
            writer.WriteInt32(group.MemberEpoch);
        }
        writer.WriteArray(group.Topics, WriteGroupTopic, version, compact: true);
        writer.WriteEmptyTaggedFields();
    }

    private static GroupTopic ReadGroupTopic(ref KafkaReader reader, short version)
    {
        var topic = new GroupTopic
        {
            Name = reader.ReadString(compact: true),
            PartitionIndexes = reader.ReadInt32Array(compact: true),
        };
        reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteGroupTopic(ref KafkaWriter writer, GroupTopic topic, short version)
    {
        writer.WriteString(topic.Name, compact: true);
        writer.WriteInt32Array(topic.PartitionIndexes, compact: true);
        writer.WriteEmptyTaggedFields();
    }

    /// <summary>A topic of the v0–7 request.</summary>
    public sealed class Topic
    {
        public string Name { get; set; } = "";
        public List<int> PartitionIndexes { get; set; } = [];
    }

    public sealed class Group
    {
        public string GroupId { get; set; } = "";

        /// <summary>v9+; set only by KIP-848 consumers, else null.</summary>
        public string? MemberId { get; set; }

        /// <summary>v9+.</summary>
        public int MemberEpoch { get; set; } = -1;

        /// <summary>Null asks for every topic the group has offsets for.</summary>
        public List<GroupTopic>? Topics { get; set; } = [];
    }

    /// <summary>A topic of a v8+ group.</summary>
    public sealed class GroupTopic
    {
        public string Name { get; set; } = "";
        public List<int> PartitionIndexes { get; set; } = [];
    }
}

/// <summary>
/// <code>
/// OffsetFetch Response (Version: 0-1) => [topics]
///   topics => name [partitions]
///     partitions => partition_index committed_offset metadata error_code
/// OffsetFetch Response (Version: 2) => [topics] error_code
/// OffsetFetch Response (Version: 3-4) => throttle_time_ms [topics] error_code
/// OffsetFetch Response (Version: 5) => ...     partitions => partition_index committed_offset committed_leader_epoch metadata error_code
/// OffsetFetch Response (Version: 6-7) => same, compact, TAG_BUFFER everywhere
/// OffsetFetch Response (Version: 8-9) => throttle_time_ms [groups] TAG_BUFFER
///   groups => group_id [topics] error_code TAG_BUFFER
///     topics => name [partitions] TAG_BUFFER
///       partitions => partition_index committed_offset committed_leader_epoch metadata error_code TAG_BUFFER
///   nullable: metadata
/// </code>
/// </summary>
public sealed class OffsetFetchResponse : IKafkaMessage<OffsetFetchResponse>
{
    public static ApiKey ApiKey => ApiKey.OffsetFetch;

    /// <summary>v3+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0–7.</summary>
    public List<Topic> Topics { get; set; } = [];

    /// <summary>v2–7; the group-level error. It follows the topics on the wire.</summary>
    public ErrorCode ErrorCode { get; set; }

    /// <summary>v8+.</summary>
    public List<Group> Groups { get; set; } = [];

    public static OffsetFetchResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var response = new OffsetFetchResponse();
        if (version >= 3)
            response.ThrottleTimeMs = reader.ReadInt32();
        if (version <= 7)
        {
            response.Topics = reader.ReadArray(ReadTopic, version, flexible);
            if (version >= 2)
                response.ErrorCode = (ErrorCode)reader.ReadInt16();
        }
        else
            response.Groups = reader.ReadArray(ReadGroup, version, compact: true);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 6;
        if (version >= 3)
            writer.WriteInt32(ThrottleTimeMs);
        if (version <= 7)
        {
            writer.WriteArray(Topics, WriteTopic, version, flexible);
            if (version >= 2)
                writer.WriteInt16((short)ErrorCode);
        }
        else
            writer.WriteArray(Groups, WriteGroup, version, compact: true);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static Topic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var topic = new Topic
        {
            Name = reader.ReadString(flexible),
            Partitions = reader.ReadArray(ReadPartition, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, Topic topic, short version)
    {
        var flexible = version >= 6;
        writer.WriteString(topic.Name, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static Partition ReadPartition(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var partition = new Partition
        {
            PartitionIndex = reader.ReadInt32(),
            CommittedOffset = reader.ReadInt64(),
        };
        if (version >= 5)
            partition.CommittedLeaderEpoch = reader.ReadInt32();
        partition.Metadata = reader.ReadNullableString(flexible);
        partition.ErrorCode = (ErrorCode)reader.ReadInt16();
        if (flexible)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, Partition partition, short version)
    {
        var flexible = version >= 6;
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt64(partition.CommittedOffset);
        if (version >= 5)
            writer.WriteInt32(partition.CommittedLeaderEpoch);
        writer.WriteNullableString(partition.Metadata, flexible);
        writer.WriteInt16((short)partition.ErrorCode);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    // Groups exist from v8 only, so they and everything in them are always compact.
    private static Group ReadGroup(ref KafkaReader reader, short version)
    {
        var group = new Group
        {
            GroupId = reader.ReadString(compact: true),
            Topics = reader.ReadArray(ReadGroupTopic, version, compact: true),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
        };
        reader.SkipTaggedFields();
        return group;
    }

    private static void WriteGroup(ref KafkaWriter writer, Group group, short version)
    {
        writer.WriteString(group.GroupId, compact: true);
        writer.WriteArray(group.Topics, WriteGroupTopic, version, compact: true);
        writer.WriteInt16((short)group.ErrorCode);
        writer.WriteEmptyTaggedFields();
    }

    private static GroupTopic ReadGroupTopic(ref KafkaReader reader, short version)
    {
        var topic = new GroupTopic
        {
            Name = reader.ReadString(compact: true),
            Partitions = reader.ReadArray(ReadGroupPartition, version, compact: true),
        };
        reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteGroupTopic(ref KafkaWriter writer, GroupTopic topic, short version)
    {
        writer.WriteString(topic.Name, compact: true);
        writer.WriteArray(topic.Partitions, WriteGroupPartition, version, compact: true);
        writer.WriteEmptyTaggedFields();
    }

    private static GroupPartition ReadGroupPartition(ref KafkaReader reader, short version)
    {
        var partition = new GroupPartition
        {
            PartitionIndex = reader.ReadInt32(),
            CommittedOffset = reader.ReadInt64(),
            CommittedLeaderEpoch = reader.ReadInt32(),
            Metadata = reader.ReadNullableString(compact: true),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
        };
        reader.SkipTaggedFields();
        return partition;
    }

    private static void WriteGroupPartition(ref KafkaWriter writer, GroupPartition partition, short version)
    {
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt64(partition.CommittedOffset);
        writer.WriteInt32(partition.CommittedLeaderEpoch);
        writer.WriteNullableString(partition.Metadata, compact: true);
        writer.WriteInt16((short)partition.ErrorCode);
        writer.WriteEmptyTaggedFields();
    }

    /// <summary>A topic of the v0–7 response.</summary>
    public sealed class Topic
    {
        public string Name { get; set; } = "";
        public List<Partition> Partitions { get; set; } = [];
    }

    /// <summary>A partition of the v0–7 response.</summary>
    public sealed class Partition
    {
        public int PartitionIndex { get; set; }

        /// <summary>-1 when the group has no offset for the partition.</summary>
        public long CommittedOffset { get; set; }

        /// <summary>v5+.</summary>
        public int CommittedLeaderEpoch { get; set; } = -1;

        public string? Metadata { get; set; } = "";
        public ErrorCode ErrorCode { get; set; }
    }

    public sealed class Group
    {
        public string GroupId { get; set; } = "";
        public List<GroupTopic> Topics { get; set; } = [];

        /// <summary>The group-level error. It follows the topics on the wire.</summary>
        public ErrorCode ErrorCode { get; set; }
    }

    /// <summary>A topic of a v8+ group.</summary>
    public sealed class GroupTopic
    {
        public string Name { get; set; } = "";
        public List<GroupPartition> Partitions { get; set; } = [];
    }

    /// <summary>A partition of a v8+ group.</summary>
    public sealed class GroupPartition
    {
        public int PartitionIndex { get; set; }

        /// <summary>-1 when the group has no offset for the partition.</summary>
        public long CommittedOffset { get; set; }

        public int CommittedLeaderEpoch { get; set; } = -1;
        public string? Metadata { get; set; } = "";
        public ErrorCode ErrorCode { get; set; }
    }
}
