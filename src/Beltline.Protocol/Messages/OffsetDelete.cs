namespace Beltline.Protocol.Messages;

// OffsetDelete (key 47), v0 only, never flexible. KIP-496: deletes committed offsets of an empty group or of
// topics the group no longer subscribes to.

/// <summary>
/// <code>
/// OffsetDelete Request (Version: 0) => group_id [topics]
///   topics => name [partitions]
///     partitions => partition_index
/// </code>
/// </summary>
public sealed class OffsetDeleteRequest : IKafkaMessage<OffsetDeleteRequest>
{
    public static ApiKey ApiKey => ApiKey.OffsetDelete;

    /// <summary>v0.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>v0.</summary>
    public List<Topic> Topics { get; set; } = [];

    public static OffsetDeleteRequest Read(ref KafkaReader reader, short version) => new()
    {
        GroupId = reader.ReadString(compact: false),
        Topics = reader.ReadArray(ReadTopic, version, compact: false),
    };

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteString(GroupId, compact: false);
        writer.WriteArray(Topics, WriteTopic, version, compact: false);
    }

    private static Topic ReadTopic(ref KafkaReader reader, short version) => new()
    {
        Name = reader.ReadString(compact: false),
        Partitions = reader.ReadArray(ReadPartition, version, compact: false),
    };

    private static void WriteTopic(ref KafkaWriter writer, Topic topic, short version)
    {
        writer.WriteString(topic.Name, compact: false);
        writer.WriteArray(topic.Partitions, WritePartition, version, compact: false);
    }

    private static Partition ReadPartition(ref KafkaReader reader, short version) => new() { PartitionIndex = reader.ReadInt32() };

    private static void WritePartition(ref KafkaWriter writer, Partition partition, short version) =>
        writer.WriteInt32(partition.PartitionIndex);

    public sealed class Topic
    {
        public string Name { get; set; } = "";
        public List<Partition> Partitions { get; set; } = [];
    }

    public sealed class Partition
    {
        public int PartitionIndex { get; set; }
    }
}

/// <summary>
/// <code>
/// OffsetDelete Response (Version: 0) => error_code throttle_time_ms [topics]
///   topics => name [partitions]
///     partitions => partition_index error_code
/// </code>
/// </summary>
public sealed class OffsetDeleteResponse : IKafkaMessage<OffsetDeleteResponse>
{
    public static ApiKey ApiKey => ApiKey.OffsetDelete;

    /// <summary>v0; the group-level error. Unlike other responses it comes before throttle_time_ms.</summary>
    public ErrorCode ErrorCode { get; set; }

    /// <summary>v0.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0.</summary>
    public List<Topic> Topics { get; set; } = [];

    public static OffsetDeleteResponse Read(ref KafkaReader reader, short version) => new()
    {
        ErrorCode = (ErrorCode)reader.ReadInt16(),
        ThrottleTimeMs = reader.ReadInt32(),
        Topics = reader.ReadArray(ReadTopic, version, compact: false),
    };

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteInt16((short)ErrorCode);
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Topics, WriteTopic, version, compact: false);
    }

    private static Topic ReadTopic(ref KafkaReader reader, short version) => new()
    {
        Name = reader.ReadString(compact: false),
        Partitions = reader.ReadArray(ReadPartition, version, compact: false),
    };

    private static void WriteTopic(ref KafkaWriter writer, Topic topic, short version)
    {
        writer.WriteString(topic.Name, compact: false);
        writer.WriteArray(topic.Partitions, WritePartition, version, compact: false);
    }

    private static Partition ReadPartition(ref KafkaReader reader, short version) => new()
    {
        PartitionIndex = reader.ReadInt32(),
        ErrorCode = (ErrorCode)reader.ReadInt16(),
    };

    private static void WritePartition(ref KafkaWriter writer, Partition partition, short version)
    {
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt16((short)partition.ErrorCode);
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
