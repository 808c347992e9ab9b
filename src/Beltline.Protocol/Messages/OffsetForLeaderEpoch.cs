namespace Beltline.Protocol.Messages;

// OffsetForLeaderEpoch (key 23), v0–4, flexible from v4. KIP-101; KIP-279 (v1 leader_epoch in the response),
// KIP-320 (v2 current_leader_epoch, throttle time), KIP-392 (v3 replica_id). v1 requests are byte-for-byte v0,
// v3 responses byte-for-byte v2.
// The spec's element types keep their own prefix (OffsetForLeaderTopic, not ...EpochRequestTopic), so their names
// are kept whole: dropped to "Topic" the class would clash with its own Topic property.

/// <summary>
/// <code>
/// OffsetForLeaderEpoch Request (Version: 0-1) => [topics]
///   topics => topic [partitions]
///     partitions => partition leader_epoch
/// OffsetForLeaderEpoch Request (Version: 2) => [topics]     partitions => partition current_leader_epoch leader_epoch
/// OffsetForLeaderEpoch Request (Version: 3) => replica_id [topics]
/// OffsetForLeaderEpoch Request (Version: 4) => same, compact, TAG_BUFFER everywhere
/// </code>
/// </summary>
public sealed class OffsetForLeaderEpochRequest : IKafkaMessage<OffsetForLeaderEpochRequest>
{
    public static ApiKey ApiKey => ApiKey.OffsetForLeaderEpoch;

    /// <summary>v3+; a follower's broker id, -1 for a consumer, -2 (debug) from older clients.</summary>
    public int ReplicaId { get; set; } = -2;

    /// <summary>v0+.</summary>
    public List<OffsetForLeaderTopic> Topics { get; set; } = [];

    public static OffsetForLeaderEpochRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var request = new OffsetForLeaderEpochRequest();
        if (version >= 3)
            request.ReplicaId = reader.ReadInt32();
        request.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 4;
        if (version >= 3)
            writer.WriteInt32(ReplicaId);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static OffsetForLeaderTopic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var topic = new OffsetForLeaderTopic
        {
            Topic = reader.ReadString(flexible),
            Partitions = reader.ReadArray(ReadPartition, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, OffsetForLeaderTopic topic, short version)
    {
        var flexible = version >= 4;
        writer.WriteString(topic.Topic, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static OffsetForLeaderPartition ReadPartition(ref KafkaReader reader, short version)
    {
        var partition = new OffsetForLeaderPartition { Partition = reader.ReadInt32() };
        if (version >= 2)
            partition.CurrentLeaderEpoch = reader.ReadInt32();
        partition.LeaderEpoch = reader.ReadInt32();
        if (version >= 4)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, OffsetForLeaderPartition partition, short version)
    {
        writer.WriteInt32(partition.Partition);
        if (version >= 2)
            writer.WriteInt32(partition.CurrentLeaderEpoch);
        writer.WriteInt32(partition.LeaderEpoch);
        if (version >= 4)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class OffsetForLeaderTopic
    {
        public string Topic { get; set; } = "";
        public List<OffsetForLeaderPartition> Partitions { get; set; } = [];
    }

    public sealed class OffsetForLeaderPartition
    {
        public int Partition { get; set; }

        /// <summary>v2+; fences callers with stale metadata, -1 skips the check.</summary>
        public int CurrentLeaderEpoch { get; set; } = -1;

        /// <summary>The epoch whose end offset is wanted.</summary>
        public int LeaderEpoch { get; set; }
    }
}

/// <summary>
/// <code>
/// OffsetForLeaderEpoch Response (Version: 0) => [topics]
///   topics => topic [partitions]
///     partitions => error_code partition end_offset
/// OffsetForLeaderEpoch Response (Version: 1) => [topics]     partitions => error_code partition leader_epoch end_offset
/// OffsetForLeaderEpoch Response (Version: 2-3) => throttle_time_ms [topics]
/// OffsetForLeaderEpoch Response (Version: 4) => same, compact, TAG_BUFFER everywhere
/// </code>
/// </summary>
public sealed class OffsetForLeaderEpochResponse : IKafkaMessage<OffsetForLeaderEpochResponse>
{
    public static ApiKey ApiKey => ApiKey.OffsetForLeaderEpoch;

    /// <summary>v2+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+.</summary>
    public List<OffsetForLeaderTopicResult> Topics { get; set; } = [];

    public static OffsetForLeaderEpochResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var response = new OffsetForLeaderEpochResponse();
        if (version >= 2)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 4;
        if (version >= 2)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static OffsetForLeaderTopicResult ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var topic = new OffsetForLeaderTopicResult
        {
            Topic = reader.ReadString(flexible),
            Partitions = reader.ReadArray(ReadPartition, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, OffsetForLeaderTopicResult topic, short version)
    {
        var flexible = version >= 4;
        writer.WriteString(topic.Topic, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static EpochEndOffset ReadPartition(ref KafkaReader reader, short version)
    {
        var partition = new EpochEndOffset
        {
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            Partition = reader.ReadInt32(),
        };
        if (version >= 1)
            partition.LeaderEpoch = reader.ReadInt32();
        partition.EndOffset = reader.ReadInt64();
        if (version >= 4)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, EpochEndOffset partition, short version)
    {
        writer.WriteInt16((short)partition.ErrorCode);
        writer.WriteInt32(partition.Partition);
        if (version >= 1)
            writer.WriteInt32(partition.LeaderEpoch);
        writer.WriteInt64(partition.EndOffset);
        if (version >= 4)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class OffsetForLeaderTopicResult
    {
        public string Topic { get; set; } = "";
        public List<EpochEndOffset> Partitions { get; set; } = [];
    }

    /// <summary>One partition's answer. Unlike most partition elements, error_code comes first on the wire.</summary>
    public sealed class EpochEndOffset
    {
        public ErrorCode ErrorCode { get; set; }
        public int Partition { get; set; }

        /// <summary>v1+; the largest epoch not above the requested one.</summary>
        public int LeaderEpoch { get; set; } = -1;

        public long EndOffset { get; set; } = -1;
    }
}
