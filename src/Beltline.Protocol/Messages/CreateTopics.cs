namespace Beltline.Protocol.Messages;

// CreateTopics (key 19), v0–7, flexible from v5. KIP-464 (v4), KIP-525 (v5), KIP-599 (v6), KIP-516 (v7).
// v4 allows num_partitions/replication_factor -1 without assignments; v5 returns each new topic's settings
// and configs; v6 may throttle; v7 returns topic_id.

/// <summary>
/// <code>
/// CreateTopics Request (Version: 0) => [topics] timeout_ms
/// CreateTopics Request (Version: 1-4) => [topics] timeout_ms validate_only
/// CreateTopics Request (Version: 5-7) => [topics] timeout_ms validate_only TAG_BUFFER
///   topics => name num_partitions replication_factor [assignments] [configs] (TAG_BUFFER in v5+)
///     assignments => partition_index [broker_ids] (TAG_BUFFER in v5+)
///     configs => name value (TAG_BUFFER in v5+)
///   configs.value => NULLABLE_STRING
/// </code>
/// </summary>
public sealed class CreateTopicsRequest : IKafkaMessage<CreateTopicsRequest>
{
    public static ApiKey ApiKey => ApiKey.CreateTopics;

    public List<CreatableTopic> Topics { get; set; } = [];
    public int TimeoutMs { get; set; } = 60000;
    public bool ValidateOnly { get; set; }

    public static CreateTopicsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var request = new CreateTopicsRequest
        {
            Topics = reader.ReadArray(ReadTopic, version, flexible),
            TimeoutMs = reader.ReadInt32(),
        };
        if (version >= 1)
            request.ValidateOnly = reader.ReadBool();
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 5;
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        writer.WriteInt32(TimeoutMs);
        if (version >= 1)
            writer.WriteBool(ValidateOnly);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static CreatableTopic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var topic = new CreatableTopic
        {
            Name = reader.ReadString(flexible),
            NumPartitions = reader.ReadInt32(),
            ReplicationFactor = reader.ReadInt16(),
            Assignments = reader.ReadArray(ReadAssignment, version, flexible),
            Configs = reader.ReadArray(ReadConfig, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, CreatableTopic topic, short version)
    {
        var flexible = version >= 5;
        writer.WriteString(topic.Name, flexible);
        writer.WriteInt32(topic.NumPartitions);
        writer.WriteInt16(topic.ReplicationFactor);
        writer.WriteArray(topic.Assignments, WriteAssignment, version, flexible);
        writer.WriteArray(topic.Configs, WriteConfig, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static CreatableReplicaAssignment ReadAssignment(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var assignment = new CreatableReplicaAssignment
        {
            PartitionIndex = reader.ReadInt32(),
            BrokerIds = reader.ReadInt32Array(flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return assignment;
    }

    private static void WriteAssignment(ref KafkaWriter writer, CreatableReplicaAssignment assignment, short version)
    {
        var flexible = version >= 5;
        writer.WriteInt32(assignment.PartitionIndex);
        writer.WriteInt32Array(assignment.BrokerIds, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static CreatableTopicConfig ReadConfig(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var config = new CreatableTopicConfig
        {
            Name = reader.ReadString(flexible),
            Value = reader.ReadNullableString(flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return config;
    }

    private static void WriteConfig(ref KafkaWriter writer, CreatableTopicConfig config, short version)
    {
        var flexible = version >= 5;
        writer.WriteString(config.Name, flexible);
        writer.WriteNullableString(config.Value, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class CreatableTopic
    {
        public string Name { get; set; } = "";

        /// <summary>-1 with manual assignments, or (v4+) to use the broker default.</summary>
        public int NumPartitions { get; set; }

        /// <summary>-1 with manual assignments, or (v4+) to use the broker default.</summary>
        public short ReplicationFactor { get; set; }

        /// <summary>Manual placement; empty for automatic assignment.</summary>
        public List<CreatableReplicaAssignment> Assignments { get; set; } = [];

        public List<CreatableTopicConfig> Configs { get; set; } = [];
    }

    public sealed class CreatableReplicaAssignment
    {
        public int PartitionIndex { get; set; }
        public List<int> BrokerIds { get; set; } = [];
    }

    public sealed class CreatableTopicConfig
    {
        public string Name { get; set; } = "";
        public string? Value { get; set; }
    }
}

/// <summary>
/// <code>
/// CreateTopics Response (Version: 0) => [topics]
///   topics => name error_code
/// CreateTopics Response (Version: 1) => [topics]
///   topics => name error_code error_message
/// CreateTopics Response (Version: 2-4) => throttle_time_ms [topics]
///   topics => name error_code error_message
/// CreateTopics Response (Version: 5-6) => throttle_time_ms [topics] TAG_BUFFER
///   topics => name error_code error_message num_partitions replication_factor [configs] TAG_BUFFER
///     configs => name value read_only config_source is_sensitive TAG_BUFFER
/// CreateTopics Response (Version: 7) => throttle_time_ms [topics] TAG_BUFFER
///   topics => name topic_id error_code error_message num_partitions replication_factor [configs] TAG_BUFFER
///     configs => name value read_only config_source is_sensitive TAG_BUFFER
///   nullable: error_message, [configs], configs.value
///   tagged in topics (v5+): 0 topic_config_error_code (INT16, sent only when not 0)
/// </code>
/// </summary>
public sealed class CreateTopicsResponse : IKafkaMessage<CreateTopicsResponse>
{
    public static ApiKey ApiKey => ApiKey.CreateTopics;

    private const int TopicConfigErrorCodeTag = 0;

    public int ThrottleTimeMs { get; set; }
    public List<CreatableTopicResult> Topics { get; set; } = [];

    public static CreateTopicsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var response = new CreateTopicsResponse();
        if (version >= 2)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 5;
        if (version >= 2)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static CreatableTopicResult ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var topic = new CreatableTopicResult { Name = reader.ReadString(flexible) };
        if (version >= 7)
            topic.TopicId = reader.ReadUuid();
        topic.ErrorCode = (ErrorCode)reader.ReadInt16();
        if (version >= 1)
            topic.ErrorMessage = reader.ReadNullableString(flexible);
        if (flexible)
        {
            topic.NumPartitions = reader.ReadInt32();
            topic.ReplicationFactor = reader.ReadInt16();
            topic.Configs = reader.ReadNullableArray(ReadConfig, version, compact: true);
            ReadTopicTaggedFields(ref reader, topic);
        }
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, CreatableTopicResult topic, short version)
    {
        var flexible = version >= 5;
        writer.WriteString(topic.Name, flexible);
        if (version >= 7)
            writer.WriteUuid(topic.TopicId);
        writer.WriteInt16((short)topic.ErrorCode);
        if (version >= 1)
            writer.WriteNullableString(topic.ErrorMessage, flexible);
        if (flexible)
        {
            writer.WriteInt32(topic.NumPartitions);
            writer.WriteInt16(topic.ReplicationFactor);
            writer.WriteArray(topic.Configs, WriteConfig, version, compact: true);
            WriteTopicTaggedFields(ref writer, topic);
        }
    }

    private static void ReadTopicTaggedFields(ref KafkaReader reader, CreatableTopicResult topic)
    {
        var count = reader.ReadUnsignedVarInt();
        for (var i = 0; i < count; i++)
        {
            var (tag, size) = reader.ReadTaggedFieldHeader();
            if (tag != TopicConfigErrorCodeTag)
            {
                reader.Skip(size);
                continue;
            }
            // A wrong size would leave the reader inside or past the field, misreading everything after it.
            if (size != sizeof(short))
                throw new KafkaProtocolException($"topic_config_error_code is {size} bytes, not {sizeof(short)}.");
            topic.TopicConfigErrorCode = (ErrorCode)reader.ReadInt16();
        }
    }

    private static void WriteTopicTaggedFields(ref KafkaWriter writer, CreatableTopicResult topic)
    {
        // Like Kafka, a tagged field at its default is left out.
        if (topic.TopicConfigErrorCode == ErrorCode.None)
        {
            writer.WriteEmptyTaggedFields();
            return;
        }
        writer.WriteUnsignedVarInt(1);
        writer.WriteUnsignedVarInt(TopicConfigErrorCodeTag);
        writer.WriteUnsignedVarInt(sizeof(short));
        writer.WriteInt16((short)topic.TopicConfigErrorCode);
    }

    private static CreatableTopicConfigs ReadConfig(ref KafkaReader reader, short version)
    {
        var config = new CreatableTopicConfigs
        {
            Name = reader.ReadString(compact: true),
            Value = reader.ReadNullableString(compact: true),
            ReadOnly = reader.ReadBool(),
            ConfigSource = (ConfigSource)reader.ReadInt8(),
            IsSensitive = reader.ReadBool(),
        };
        reader.SkipTaggedFields();
        return config;
    }

    private static void WriteConfig(ref KafkaWriter writer, CreatableTopicConfigs config, short version)
    {
        writer.WriteString(config.Name, compact: true);
        writer.WriteNullableString(config.Value, compact: true);
        writer.WriteBool(config.ReadOnly);
        writer.WriteInt8((sbyte)config.ConfigSource);
        writer.WriteBool(config.IsSensitive);
        writer.WriteEmptyTaggedFields();
    }

    public sealed class CreatableTopicResult
    {
        public string Name { get; set; } = "";

        /// <summary>v7+.</summary>
        public KafkaUuid TopicId { get; set; }

        public ErrorCode ErrorCode { get; set; }

        /// <summary>v1+; null when there was no error.</summary>
        public string? ErrorMessage { get; set; }

        /// <summary>v5+ tagged field 0: why <see cref="Configs"/> could not be returned.</summary>
        public ErrorCode TopicConfigErrorCode { get; set; }

        /// <summary>v5+.</summary>
        public int NumPartitions { get; set; } = -1;

        /// <summary>v5+.</summary>
        public short ReplicationFactor { get; set; } = -1;

        /// <summary>v5+; null when the configs are not returned (see <see cref="TopicConfigErrorCode"/>).</summary>
        public List<CreatableTopicConfigs>? Configs { get; set; }
    }

    public sealed class CreatableTopicConfigs
    {
        public string Name { get; set; } = "";
        public string? Value { get; set; }
        public bool ReadOnly { get; set; }
        public ConfigSource ConfigSource { get; set; } = ConfigSource.NotSent;
        public bool IsSensitive { get; set; }
    }
}
