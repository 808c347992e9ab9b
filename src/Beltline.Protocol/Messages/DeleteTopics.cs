namespace Beltline.Protocol.Messages;

// DeleteTopics (key 20), v0–6, flexible from v4. KIP-599 (v5), KIP-516 (v6).
// v5 adds error_message; v6 names topics by name or by id, so v6 requests fill Topics and older ones TopicNames.

/// <summary>
/// <code>
/// DeleteTopics Request (Version: 0-3) => [topic_names] timeout_ms
/// DeleteTopics Request (Version: 4-5) => [topic_names] timeout_ms TAG_BUFFER
/// DeleteTopics Request (Version: 6) => [topics] timeout_ms TAG_BUFFER
///   topics => name topic_id TAG_BUFFER
///   topics.name => COMPACT_NULLABLE_STRING (null when the topic is named by id)
/// </code>
/// </summary>
public sealed class DeleteTopicsRequest : IKafkaMessage<DeleteTopicsRequest>
{
    public static ApiKey ApiKey => ApiKey.DeleteTopics;

    /// <summary>v6+.</summary>
    public List<DeleteTopicState> Topics { get; set; } = [];

    /// <summary>v0–5.</summary>
    public List<string> TopicNames { get; set; } = [];

    public int TimeoutMs { get; set; }

    public static DeleteTopicsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var request = new DeleteTopicsRequest();
        if (version >= 6)
            request.Topics = reader.ReadArray(ReadTopic, version, flexible);
        else
            request.TopicNames = reader.ReadStringArray(flexible);
        request.TimeoutMs = reader.ReadInt32();
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 4;
        if (version >= 6)
            writer.WriteArray(Topics, WriteTopic, version, flexible);
        else
            writer.WriteStringArray(TopicNames, flexible);
        writer.WriteInt32(TimeoutMs);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    // Only v6+ has this element, so it is always compact.
    private static DeleteTopicState ReadTopic(ref KafkaReader reader, short version)
    {
        var topic = new DeleteTopicState
        {
            Name = reader.ReadNullableString(compact: true),
            TopicId = reader.ReadUuid(),
        };
        reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, DeleteTopicState topic, short version)
    {
        writer.WriteNullableString(topic.Name, compact: true);
        writer.WriteUuid(topic.TopicId);
        writer.WriteEmptyTaggedFields();
    }

    public sealed class DeleteTopicState
    {
        /// <summary>Null when the topic is named by <see cref="TopicId"/>.</summary>
        public string? Name { get; set; }

        /// <summary>Zero when the topic is named by <see cref="Name"/>.</summary>
        public KafkaUuid TopicId { get; set; }
    }
}

/// <summary>
/// <code>
/// DeleteTopics Response (Version: 0) => [responses]
///   responses => name error_code
/// DeleteTopics Response (Version: 1-3) => throttle_time_ms [responses]
///   responses => name error_code
/// DeleteTopics Response (Version: 4) => throttle_time_ms [responses] TAG_BUFFER
///   responses => name error_code TAG_BUFFER
/// DeleteTopics Response (Version: 5) => throttle_time_ms [responses] TAG_BUFFER
///   responses => name error_code error_message TAG_BUFFER
/// DeleteTopics Response (Version: 6) => throttle_time_ms [responses] TAG_BUFFER
///   responses => name topic_id error_code error_message TAG_BUFFER
///   nullable: error_message; name only in v6+
/// </code>
/// </summary>
public sealed class DeleteTopicsResponse : IKafkaMessage<DeleteTopicsResponse>
{
    public static ApiKey ApiKey => ApiKey.DeleteTopics;

    public int ThrottleTimeMs { get; set; }
    public List<DeletableTopicResult> Responses { get; set; } = [];

    public static DeleteTopicsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var response = new DeleteTopicsResponse();
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.Responses = reader.ReadArray(ReadResult, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 4;
        if (version >= 1)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Responses, WriteResult, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DeletableTopicResult ReadResult(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var result = new DeletableTopicResult
        {
            Name = version >= 6 ? reader.ReadNullableString(flexible) : reader.ReadString(flexible),
        };
        if (version >= 6)
            result.TopicId = reader.ReadUuid();
        result.ErrorCode = (ErrorCode)reader.ReadInt16();
        if (version >= 5)
            result.ErrorMessage = reader.ReadNullableString(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return result;
    }

    private static void WriteResult(ref KafkaWriter writer, DeletableTopicResult result, short version)
    {
        var flexible = version >= 4;
        if (version >= 6)
            writer.WriteNullableString(result.Name, flexible);
        else
            writer.WriteString(result.Name ?? throw new InvalidOperationException(
                $"DeleteTopics v{version} cannot carry a null topic name; only v6+ can (topics deleted by id)."), flexible);
        if (version >= 6)
            writer.WriteUuid(result.TopicId);
        writer.WriteInt16((short)result.ErrorCode);
        if (version >= 5)
            writer.WriteNullableString(result.ErrorMessage, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class DeletableTopicResult
    {
        /// <summary>Null only in v6+ (a topic asked for by an unknown id); writing null to an older version throws.</summary>
        public string? Name { get; set; } = "";

        /// <summary>v6+.</summary>
        public KafkaUuid TopicId { get; set; }

        public ErrorCode ErrorCode { get; set; }

        /// <summary>v5+; null when there was no error.</summary>
        public string? ErrorMessage { get; set; }
    }
}
