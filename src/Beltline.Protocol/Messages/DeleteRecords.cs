namespace Beltline.Protocol.Messages;

// DeleteRecords (key 21), v0–2, flexible from v2. KIP-107: moves partitions' log start offsets forward.

/// <summary>
/// <code>
/// DeleteRecords Request (Version: 0-1) => [topics] timeout_ms
/// DeleteRecords Request (Version: 2) => [topics] timeout_ms TAG_BUFFER
///   topics => name [partitions] (TAG_BUFFER in v2)
///     partitions => partition_index offset (TAG_BUFFER in v2)
/// </code>
/// </summary>
public sealed class DeleteRecordsRequest : IKafkaMessage<DeleteRecordsRequest>
{
    public static ApiKey ApiKey => ApiKey.DeleteRecords;

    public List<DeleteRecordsTopic> Topics { get; set; } = [];
    public int TimeoutMs { get; set; }

    public static DeleteRecordsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var request = new DeleteRecordsRequest
        {
            Topics = reader.ReadArray(ReadTopic, version, flexible),
            TimeoutMs = reader.ReadInt32(),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        writer.WriteInt32(TimeoutMs);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DeleteRecordsTopic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var topic = new DeleteRecordsTopic
        {
            Name = reader.ReadString(flexible),
            Partitions = reader.ReadArray(ReadPartition, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, DeleteRecordsTopic topic, short version)
    {
        var flexible = version >= 2;
        writer.WriteString(topic.Name, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DeleteRecordsPartition ReadPartition(ref KafkaReader reader, short version)
    {
        var partition = new DeleteRecordsPartition
        {
            PartitionIndex = reader.ReadInt32(),
            Offset = reader.ReadInt64(),
        };
        if (version >= 2)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, DeleteRecordsPartition partition, short version)
    {
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt64(partition.Offset);
        if (version >= 2)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class DeleteRecordsTopic
    {
        public string Name { get; set; } = "";
        public List<DeleteRecordsPartition> Partitions { get; set; } = [];
    }

    public sealed class DeleteRecordsPartition
    {
        public int PartitionIndex { get; set; }

        /// <summary>Records before this offset are deleted; -1 means the high watermark.</summary>
        public long Offset { get; set; }
    }
}

/// <summary>
/// <code>
/// DeleteRecords Response (Version: 0-1) => throttle_time_ms [topics]
/// DeleteRecords Response (Version: 2) => throttle_time_ms [topics] TAG_BUFFER
///   topics => name [partitions] (TAG_BUFFER in v2)
///     partitions => partition_index low_watermark error_code (TAG_BUFFER in v2)
/// </code>
/// </summary>
public sealed class DeleteRecordsResponse : IKafkaMessage<DeleteRecordsResponse>
{
    public static ApiKey ApiKey => ApiKey.DeleteRecords;

    public int ThrottleTimeMs { get; set; }
    public List<DeleteRecordsTopicResult> Topics { get; set; } = [];

    public static DeleteRecordsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var response = new DeleteRecordsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            Topics = reader.ReadArray(ReadTopic, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DeleteRecordsTopicResult ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var topic = new DeleteRecordsTopicResult
        {
            Name = reader.ReadString(flexible),
            Partitions = reader.ReadArray(ReadPartition, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, DeleteRecordsTopicResult topic, short version)
    {
        var flexible = version >= 2;
        writer.WriteString(topic.Name, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DeleteRecordsPartitionResult ReadPartition(ref KafkaReader reader, short version)
    {
        var partition = new DeleteRecordsPartitionResult
        {
            PartitionIndex = reader.ReadInt32(),
            LowWatermark = reader.ReadInt64(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
        };
        if (version >= 2)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, DeleteRecordsPartitionResult partition, short version)
    {
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt64(partition.LowWatermark);
        writer.WriteInt16((short)partition.ErrorCode);
        if (version >= 2)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class DeleteRecordsTopicResult
    {
        public string Name { get; set; } = "";
        public List<DeleteRecordsPartitionResult> Partitions { get; set; } = [];
    }

    public sealed class DeleteRecordsPartitionResult
    {
        public int PartitionIndex { get; set; }

        /// <summary>The partition's log start offset after the deletion.</summary>
        public long LowWatermark { get; set; }

        public ErrorCode ErrorCode { get; set; }
    }
}
