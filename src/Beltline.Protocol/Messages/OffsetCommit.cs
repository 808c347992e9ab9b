namespace Beltline.Protocol.Messages;

// OffsetCommit (key 8), v0–9, flexible from v8. KIP-211 (v5 drops retention_time_ms), KIP-320 (v6 leader epoch),
// KIP-345 (v7 group_instance_id), KIP-848 (v9). v3–4 requests are byte-for-byte v2; v9 is byte-for-byte v8 both ways.

/// <summary>
/// <code>
/// OffsetCommit Request (Version: 0) => group_id [topics]
///   topics => name [partitions]
///     partitions => partition_index committed_offset committed_metadata
/// OffsetCommit Request (Version: 1) => group_id generation_id_or_member_epoch member_id [topics]
///     partitions => partition_index committed_offset commit_timestamp committed_metadata
/// OffsetCommit Request (Version: 2-4) => group_id generation_id_or_member_epoch member_id retention_time_ms [topics]
///     partitions => partition_index committed_offset committed_metadata
/// OffsetCommit Request (Version: 5) => group_id generation_id_or_member_epoch member_id [topics]
/// OffsetCommit Request (Version: 6) => ...      partitions => partition_index committed_offset committed_leader_epoch committed_metadata
/// OffsetCommit Request (Version: 7) => group_id generation_id_or_member_epoch member_id group_instance_id [topics]
/// OffsetCommit Request (Version: 8-9) => same, compact, TAG_BUFFER everywhere
///   nullable: group_instance_id, partitions.committed_metadata
/// </code>
/// </summary>
public sealed class OffsetCommitRequest : IKafkaMessage<OffsetCommitRequest>
{
    public static ApiKey ApiKey => ApiKey.OffsetCommit;

    /// <summary>v0+.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>v1+; the classic group's generation, or the consumer group member's epoch (KIP-848).</summary>
    public int GenerationIdOrMemberEpoch { get; set; } = -1;

    /// <summary>v1+.</summary>
    public string MemberId { get; set; } = "";

    /// <summary>v7+; null for a dynamic member.</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>v2–4; -1 means the broker's offsets.retention.minutes.</summary>
    public long RetentionTimeMs { get; set; } = -1;

    /// <summary>v0+.</summary>
    public List<Topic> Topics { get; set; } = [];

    public static OffsetCommitRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 8;
        var request = new OffsetCommitRequest { GroupId = reader.ReadString(flexible) };
        if (version >= 1)
        {
            request.GenerationIdOrMemberEpoch = reader.ReadInt32();
            request.MemberId = reader.ReadString(flexible);
        }
        if (version >= 7)
            request.GroupInstanceId = reader.ReadNullableString(flexible);
        if (version is >= 2 and <= 4)
            request.RetentionTimeMs = reader.ReadInt64();
        request.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 8;
        writer.WriteString(GroupId, flexible);
        if (version >= 1)
        {
            writer.WriteInt32(GenerationIdOrMemberEpoch);
            writer.WriteString(MemberId, flexible);
        }
        if (version >= 7)
            writer.WriteNullableString(GroupInstanceId, flexible);
        if (version is >= 2 and <= 4)
            writer.WriteInt64(RetentionTimeMs);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static Topic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 8;
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
        var flexible = version >= 8;
        writer.WriteString(topic.Name, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static Partition ReadPartition(ref KafkaReader reader, short version)
    {
        var flexible = version >= 8;
        var partition = new Partition
        {
            PartitionIndex = reader.ReadInt32(),
            CommittedOffset = reader.ReadInt64(),
        };
        if (version >= 6)
            partition.CommittedLeaderEpoch = reader.ReadInt32();
        if (version == 1)
            partition.CommitTimestamp = reader.ReadInt64();
        partition.CommittedMetadata = reader.ReadNullableString(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, Partition partition, short version)
    {
        var flexible = version >= 8;
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt64(partition.CommittedOffset);
        if (version >= 6)
            writer.WriteInt32(partition.CommittedLeaderEpoch);
        if (version == 1)
            writer.WriteInt64(partition.CommitTimestamp);
        writer.WriteNullableString(partition.CommittedMetadata, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class Topic
    {
        public string Name { get; set; } = "";
        public List<Partition> Partitions { get; set; } = [];
    }

    public sealed class Partition
    {
        public int PartitionIndex { get; set; }
        public long CommittedOffset { get; set; }

        /// <summary>v6+.</summary>
        public int CommittedLeaderEpoch { get; set; } = -1;

        /// <summary>v1 only; -1 means the time the broker received the commit.</summary>
        public long CommitTimestamp { get; set; } = -1;

        public string? CommittedMetadata { get; set; } = "";
    }
}

/// <summary>
/// <code>
/// OffsetCommit Response (Version: 0-2) => [topics]
///   topics => name [partitions]
///     partitions => partition_index error_code
/// OffsetCommit Response (Version: 3-7) => throttle_time_ms [topics]
/// OffsetCommit Response (Version: 8-9) => same, compact, TAG_BUFFER everywhere
/// </code>
/// </summary>
public sealed class OffsetCommitResponse : IKafkaMessage<OffsetCommitResponse>
{
    public static ApiKey ApiKey => ApiKey.OffsetCommit;

    /// <summary>v3+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+.</summary>
    public List<Topic> Topics { get; set; } = [];

    public static OffsetCommitResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 8;
        var response = new OffsetCommitResponse();
        if (version >= 3)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 8;
        if (version >= 3)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static Topic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 8;
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
        var flexible = version >= 8;
        writer.WriteString(topic.Name, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static Partition ReadPartition(ref KafkaReader reader, short version)
    {
        var partition = new Partition
        {
            PartitionIndex = reader.ReadInt32(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
        };
        if (version >= 8)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, Partition partition, short version)
    {
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt16((short)partition.ErrorCode);
        if (version >= 8)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class Topic
    {
        public string Name { get; set; } = "";
        public List<Partition> Partitions { get; set; } = [];
    }

    public sealed class Partition
    {
        public int PartitionIndex { get; set; }
        public ErrorCode ErrorCode { get; set; }
    }
}
