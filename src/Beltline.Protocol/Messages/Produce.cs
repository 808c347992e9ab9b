namespace Beltline.Protocol.Messages;

// Produce (key 0), v0–10. v3 transactional id + RecordBatch v2 (KIP-98), v5 log start offset, v8 record errors
// (KIP-467), v9 flexible, v10 current-leader tags (KIP-951; sent only with NOT_LEADER_OR_FOLLOWER, never by a
// single broker). The broker accepts v3+ only; v0–2 carry the old message formats.

/// <summary>
/// <code>
/// Produce Request (Version: 0-2) => acks timeout_ms [topic_data]
/// Produce Request (Version: 3-8) => transactional_id acks timeout_ms [topic_data]
/// Produce Request (Version: 9-10) => transactional_id acks timeout_ms [topic_data] TAG_BUFFER
///   topic_data => name [partition_data]
///     partition_data => index records
/// </code>
/// </summary>
public sealed class ProduceRequest : IKafkaMessage<ProduceRequest>
{
    public static ApiKey ApiKey => ApiKey.Produce;

    public string? TransactionalId { get; set; }
    public short Acks { get; set; } = -1;
    public int TimeoutMs { get; set; }
    public List<ProduceTopicData> Topics { get; set; } = [];

    public static ProduceRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var request = new ProduceRequest();
        if (version >= 3)
            request.TransactionalId = reader.ReadNullableString(flexible);
        request.Acks = reader.ReadInt16();
        request.TimeoutMs = reader.ReadInt32();
        request.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    /// <summary>
    /// Finds where the first partition's records start, reading only the first bytes of a request body (the
    /// broker has them before the rest has arrived). False when they are too few, the request carries no records
    /// or does not parse: the full <see cref="Read"/> reports malformed requests.
    /// </summary>
    public static bool TryLocateFirstRecords(ReadOnlyMemory<byte> bodyPrefix, short version, out string topic, out int partition, out int recordsOffset)
    {
        (topic, partition, recordsOffset) = ("", 0, 0);
        if (version < 3)
            return false;
        var flexible = version >= 9;
        try
        {
            var reader = new KafkaReader(bodyPrefix);
            reader.ReadNullableString(flexible);
            reader.Skip(sizeof(short) + sizeof(int)); // acks, timeout_ms
            if (reader.ReadArrayLength(flexible) < 1)
                return false;
            topic = reader.ReadString(flexible);
            if (reader.ReadArrayLength(flexible) < 1)
                return false;
            partition = reader.ReadInt32();
            var length = flexible ? reader.ReadUnsignedVarInt() - 1 : reader.ReadInt32();
            recordsOffset = reader.Position;
            return length > 0;
        }
        catch (KafkaProtocolException)
        {
            return false;
        }
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 9;
        if (version >= 3)
            writer.WriteNullableString(TransactionalId, flexible);
        writer.WriteInt16(Acks);
        writer.WriteInt32(TimeoutMs);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ProduceTopicData ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var topic = new ProduceTopicData { Name = reader.ReadString(flexible), Partitions = reader.ReadArray(ReadPartition, version, flexible) };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, ProduceTopicData topic, short version)
    {
        var flexible = version >= 9;
        writer.WriteString(topic.Name, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ProducePartitionData ReadPartition(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var partition = new ProducePartitionData { Index = reader.ReadInt32(), Records = reader.ReadNullableBytes(flexible) };
        if (flexible)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, ProducePartitionData partition, short version)
    {
        var flexible = version >= 9;
        writer.WriteInt32(partition.Index);
        writer.WriteNullableBytes(partition.Records, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

public sealed class ProduceTopicData
{
    public string Name { get; set; } = "";
    public List<ProducePartitionData> Partitions { get; set; } = [];
}

public sealed class ProducePartitionData
{
    public int Index { get; set; }

    /// <summary>One or more record batches, as sent; a slice of the request body.</summary>
    public ReadOnlyMemory<byte>? Records { get; set; }
}

/// <summary>
/// <code>
/// Produce Response (Version: 0) => [responses]
/// Produce Response (Version: 1) => [responses] throttle_time_ms
///   responses => name [partition_responses]
///     partition_responses => index error_code base_offset
///                            log_append_time_ms (v2+) log_start_offset (v5+)
///                            [record_errors] error_message (v8+)   record_errors => batch_index batch_index_error_message
/// Produce Response (Version: 9-10) => [responses] throttle_time_ms TAG_BUFFER (compact, TAG_BUFFER in every struct)
/// </code>
/// </summary>
public sealed class ProduceResponse : IKafkaMessage<ProduceResponse>
{
    public static ApiKey ApiKey => ApiKey.Produce;

    public List<ProduceTopicResponse> Topics { get; set; } = [];
    public int ThrottleTimeMs { get; set; }

    public static ProduceResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var response = new ProduceResponse { Topics = reader.ReadArray(ReadTopic, version, flexible) };
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 9;
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (version >= 1)
            writer.WriteInt32(ThrottleTimeMs);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ProduceTopicResponse ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var topic = new ProduceTopicResponse { Name = reader.ReadString(flexible), Partitions = reader.ReadArray(ReadPartition, version, flexible) };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, ProduceTopicResponse topic, short version)
    {
        var flexible = version >= 9;
        writer.WriteString(topic.Name, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ProducePartitionResponse ReadPartition(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var partition = new ProducePartitionResponse
        {
            Index = reader.ReadInt32(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            BaseOffset = reader.ReadInt64(),
        };
        if (version >= 2)
            partition.LogAppendTimeMs = reader.ReadInt64();
        if (version >= 5)
            partition.LogStartOffset = reader.ReadInt64();
        if (version >= 8)
        {
            partition.RecordErrors = reader.ReadArray(ReadRecordError, version, flexible);
            partition.ErrorMessage = reader.ReadNullableString(flexible);
        }
        if (flexible)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, ProducePartitionResponse partition, short version)
    {
        var flexible = version >= 9;
        writer.WriteInt32(partition.Index);
        writer.WriteInt16((short)partition.ErrorCode);
        writer.WriteInt64(partition.BaseOffset);
        if (version >= 2)
            writer.WriteInt64(partition.LogAppendTimeMs);
        if (version >= 5)
            writer.WriteInt64(partition.LogStartOffset);
        if (version >= 8)
        {
            writer.WriteArray(partition.RecordErrors, WriteRecordError, version, flexible);
            writer.WriteNullableString(partition.ErrorMessage, flexible);
        }
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ProduceRecordError ReadRecordError(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var error = new ProduceRecordError(reader.ReadInt32(), reader.ReadNullableString(flexible));
        if (flexible)
            reader.SkipTaggedFields();
        return error;
    }

    private static void WriteRecordError(ref KafkaWriter writer, ProduceRecordError error, short version)
    {
        var flexible = version >= 9;
        writer.WriteInt32(error.BatchIndex);
        writer.WriteNullableString(error.Message, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

public sealed class ProduceTopicResponse
{
    public string Name { get; set; } = "";
    public List<ProducePartitionResponse> Partitions { get; set; } = [];
}

public sealed class ProducePartitionResponse
{
    public int Index { get; set; }
    public ErrorCode ErrorCode { get; set; }
    public long BaseOffset { get; set; } = -1;
    public long LogAppendTimeMs { get; set; } = -1;
    public long LogStartOffset { get; set; } = -1;
    public List<ProduceRecordError> RecordErrors { get; set; } = [];
    public string? ErrorMessage { get; set; }
}

public readonly record struct ProduceRecordError(int BatchIndex, string? Message);
