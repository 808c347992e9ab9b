namespace Beltline.Protocol.Messages;

// CreatePartitions (key 37), v0–3, flexible from v2. KIP-195; KIP-599 (v3 may throttle).

/// <summary>
/// <code>
/// CreatePartitions Request (Version: 0-1) => [topics] timeout_ms validate_only
/// CreatePartitions Request (Version: 2-3) => [topics] timeout_ms validate_only TAG_BUFFER
///   topics => name count [assignments] (TAG_BUFFER in v2+)
///     assignments => [broker_ids] (TAG_BUFFER in v2+)
///   [assignments] => nullable (null: the broker places the new partitions)
/// </code>
/// </summary>
public sealed class CreatePartitionsRequest : IKafkaMessage<CreatePartitionsRequest>
{
    public static ApiKey ApiKey => ApiKey.CreatePartitions;

    public List<CreatePartitionsTopic> Topics { get; set; } = [];
    public int TimeoutMs { get; set; }
    public bool ValidateOnly { get; set; }

    public static CreatePartitionsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var request = new CreatePartitionsRequest
        {
            Topics = reader.ReadArray(ReadTopic, version, flexible),
            TimeoutMs = reader.ReadInt32(),
            ValidateOnly = reader.ReadBool(),
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
        writer.WriteBool(ValidateOnly);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static CreatePartitionsTopic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var topic = new CreatePartitionsTopic
        {
            Name = reader.ReadString(flexible),
            Count = reader.ReadInt32(),
            Assignments = reader.ReadNullableArray(ReadAssignment, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, CreatePartitionsTopic topic, short version)
    {
        var flexible = version >= 2;
        writer.WriteString(topic.Name, flexible);
        writer.WriteInt32(topic.Count);
        writer.WriteArray(topic.Assignments, WriteAssignment, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static CreatePartitionsAssignment ReadAssignment(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var assignment = new CreatePartitionsAssignment { BrokerIds = reader.ReadInt32Array(flexible) };
        if (flexible)
            reader.SkipTaggedFields();
        return assignment;
    }

    private static void WriteAssignment(ref KafkaWriter writer, CreatePartitionsAssignment assignment, short version)
    {
        var flexible = version >= 2;
        writer.WriteInt32Array(assignment.BrokerIds, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class CreatePartitionsTopic
    {
        public string Name { get; set; } = "";

        /// <summary>The new total partition count, not the number to add.</summary>
        public int Count { get; set; }

        /// <summary>Replicas of each new partition, in order; null lets the broker place them.</summary>
        public List<CreatePartitionsAssignment>? Assignments { get; set; }
    }

    public sealed class CreatePartitionsAssignment
    {
        public List<int> BrokerIds { get; set; } = [];
    }
}

/// <summary>
/// <code>
/// CreatePartitions Response (Version: 0-1) => throttle_time_ms [results]
/// CreatePartitions Response (Version: 2-3) => throttle_time_ms [results] TAG_BUFFER
///   results => name error_code error_message (TAG_BUFFER in v2+)
///   error_message => nullable
/// </code>
/// </summary>
public sealed class CreatePartitionsResponse : IKafkaMessage<CreatePartitionsResponse>
{
    public static ApiKey ApiKey => ApiKey.CreatePartitions;

    public int ThrottleTimeMs { get; set; }
    public List<CreatePartitionsTopicResult> Results { get; set; } = [];

    public static CreatePartitionsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var response = new CreatePartitionsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            Results = reader.ReadArray(ReadResult, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Results, WriteResult, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static CreatePartitionsTopicResult ReadResult(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var result = new CreatePartitionsTopicResult
        {
            Name = reader.ReadString(flexible),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return result;
    }

    private static void WriteResult(ref KafkaWriter writer, CreatePartitionsTopicResult result, short version)
    {
        var flexible = version >= 2;
        writer.WriteString(result.Name, flexible);
        writer.WriteInt16((short)result.ErrorCode);
        writer.WriteNullableString(result.ErrorMessage, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class CreatePartitionsTopicResult
    {
        public string Name { get; set; } = "";
        public ErrorCode ErrorCode { get; set; }

        /// <summary>Null when there was no error.</summary>
        public string? ErrorMessage { get; set; }
    }
}
