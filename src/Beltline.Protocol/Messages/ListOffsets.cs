namespace Beltline.Protocol.Messages;

// ListOffsets (key 2), v0–8. v1 timestamps (KIP-79), v2 isolation level, v4 leader epoch (KIP-320),
// v6 flexible, v7 max timestamp -3 (KIP-734), v8 earliest-local -4 (KIP-405).

/// <summary>
/// <code>
/// ListOffsets Request (Version: 0) => replica_id [topics]
///   topics => name [partitions]
///     partitions => partition_index timestamp max_num_offsets
/// ListOffsets Request (Version: 1) => replica_id [topics]                      partitions => partition_index timestamp
/// ListOffsets Request (Version: 2-3) => replica_id isolation_level [topics]
/// ListOffsets Request (Version: 4-5) => ...                                    partitions => partition_index current_leader_epoch timestamp
/// ListOffsets Request (Version: 6-8) => same, compact, TAG_BUFFER
///   timestamp: -1 latest, -2 earliest, -3 max timestamp, -4 earliest local, else first offset with timestamp >= it
/// </code>
/// </summary>
public sealed class ListOffsetsRequest : IKafkaMessage<ListOffsetsRequest>
{
    public static ApiKey ApiKey => ApiKey.ListOffsets;

    public const long LatestTimestamp = -1;
    public const long EarliestTimestamp = -2;
    public const long MaxTimestamp = -3;
    public const long EarliestLocalTimestamp = -4;

    public int ReplicaId { get; set; } = -1;
    public sbyte IsolationLevel { get; set; }
    public List<ListOffsetsTopic> Topics { get; set; } = [];

    public static ListOffsetsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var request = new ListOffsetsRequest { ReplicaId = reader.ReadInt32() };
        if (version >= 2)
            request.IsolationLevel = reader.ReadInt8();
        request.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 6;
        writer.WriteInt32(ReplicaId);
        if (version >= 2)
            writer.WriteInt8(IsolationLevel);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ListOffsetsTopic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var topic = new ListOffsetsTopic { Name = reader.ReadString(flexible), Partitions = reader.ReadArray(ReadPartition, version, flexible) };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, ListOffsetsTopic topic, short version)
    {
        var flexible = version >= 6;
        writer.WriteString(topic.Name, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ListOffsetsPartition ReadPartition(ref KafkaReader reader, short version)
    {
        var partition = new ListOffsetsPartition { PartitionIndex = reader.ReadInt32() };
        if (version >= 4)
            partition.CurrentLeaderEpoch = reader.ReadInt32();
        partition.Timestamp = reader.ReadInt64();
        if (version == 0)
            partition.MaxNumOffsets = reader.ReadInt32();
        if (version >= 6)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, ListOffsetsPartition partition, short version)
    {
        writer.WriteInt32(partition.PartitionIndex);
        if (version >= 4)
            writer.WriteInt32(partition.CurrentLeaderEpoch);
        writer.WriteInt64(partition.Timestamp);
        if (version == 0)
            writer.WriteInt32(partition.MaxNumOffsets);
        if (version >= 6)
            writer.WriteEmptyTaggedFields();
    }
}

public sealed class ListOffsetsTopic
{
    public string Name { get; set; } = "";
    public List<ListOffsetsPartition> Partitions { get; set; } = [];
}

public sealed class ListOffsetsPartition
{
    public int PartitionIndex { get; set; }
    public int CurrentLeaderEpoch { get; set; } = -1;
    public long Timestamp { get; set; }
    public int MaxNumOffsets { get; set; } = 1;
}

/// <summary>
/// <code>
/// ListOffsets Response (Version: 0) => [topics]
///   topics => name [partitions]
///     partitions => partition_index error_code [old_style_offsets]
/// ListOffsets Response (Version: 1) => [topics]                     partitions => partition_index error_code timestamp offset
/// ListOffsets Response (Version: 2-3) => throttle_time_ms [topics]
/// ListOffsets Response (Version: 4-5) => ...                        partitions + leader_epoch
/// ListOffsets Response (Version: 6-8) => same, compact, TAG_BUFFER
/// </code>
/// </summary>
public sealed class ListOffsetsResponse : IKafkaMessage<ListOffsetsResponse>
{
    public static ApiKey ApiKey => ApiKey.ListOffsets;

    public int ThrottleTimeMs { get; set; }
    public List<ListOffsetsTopicResponse> Topics { get; set; } = [];

    public static ListOffsetsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var response = new ListOffsetsResponse();
        if (version >= 2)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 6;
        if (version >= 2)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ListOffsetsTopicResponse ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var topic = new ListOffsetsTopicResponse { Name = reader.ReadString(flexible), Partitions = reader.ReadArray(ReadPartition, version, flexible) };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, ListOffsetsTopicResponse topic, short version)
    {
        var flexible = version >= 6;
        writer.WriteString(topic.Name, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ListOffsetsPartitionResponse ReadPartition(ref KafkaReader reader, short version)
    {
        var partition = new ListOffsetsPartitionResponse { PartitionIndex = reader.ReadInt32(), ErrorCode = (ErrorCode)reader.ReadInt16() };
        if (version == 0)
        {
            var count = reader.ReadArrayLength(compact: false);
            for (var i = 0; i < count; i++)
                partition.OldStyleOffsets.Add(reader.ReadInt64());
        }
        else
        {
            partition.Timestamp = reader.ReadInt64();
            partition.Offset = reader.ReadInt64();
        }
        if (version >= 4)
            partition.LeaderEpoch = reader.ReadInt32();
        if (version >= 6)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, ListOffsetsPartitionResponse partition, short version)
    {
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt16((short)partition.ErrorCode);
        if (version == 0)
        {
            writer.WriteArrayLength(partition.OldStyleOffsets.Count, compact: false);
            foreach (var offset in partition.OldStyleOffsets)
                writer.WriteInt64(offset);
        }
        else
        {
            writer.WriteInt64(partition.Timestamp);
            writer.WriteInt64(partition.Offset);
        }
        if (version >= 4)
            writer.WriteInt32(partition.LeaderEpoch);
        if (version >= 6)
            writer.WriteEmptyTaggedFields();
    }
}

public sealed class ListOffsetsTopicResponse
{
    public string Name { get; set; } = "";
    public List<ListOffsetsPartitionResponse> Partitions { get; set; } = [];
}

public sealed class ListOffsetsPartitionResponse
{
    public int PartitionIndex { get; set; }
    public ErrorCode ErrorCode { get; set; }
    public List<long> OldStyleOffsets { get; set; } = [];
    public long Timestamp { get; set; } = -1;
    public long Offset { get; set; } = -1;
    public int LeaderEpoch { get; set; } = -1;
}
