namespace Beltline.Protocol.Messages;

// Metadata (key 3), v0–12. v4 auto-create flag (KIP-204 era), v7 leader epoch (KIP-320), v8 authorized
// operations (KIP-430), v9 flexible (KIP-482), v10 topic ids (KIP-516), v11 drops cluster operations (KIP-700),
// v12 nullable topic names.

/// <summary>
/// <code>
/// Metadata Request (Version: 0) => [topics]            (empty array = all topics)
/// Metadata Request (Version: 1-3) => [topics]          (null = all topics)
/// Metadata Request (Version: 4-7) => [topics] allow_auto_topic_creation
/// Metadata Request (Version: 8-10) => [topics] allow_auto_topic_creation include_cluster_authorized_operations include_topic_authorized_operations
/// Metadata Request (Version: 11-12) => [topics] allow_auto_topic_creation include_topic_authorized_operations
///   topics => topic_id (v10+) name (nullable v10+) (TAG_BUFFER v9+)
/// </code>
/// </summary>
public sealed class MetadataRequest : IKafkaMessage<MetadataRequest>
{
    public static ApiKey ApiKey => ApiKey.Metadata;

    /// <summary>Null asks for every topic (v0 sends an empty array for that; see <see cref="WantsAllTopics"/>).</summary>
    public List<MetadataRequestTopic>? Topics { get; set; }
    public bool AllowAutoTopicCreation { get; set; } = true;
    public bool IncludeClusterAuthorizedOperations { get; set; }
    public bool IncludeTopicAuthorizedOperations { get; set; }

    public bool WantsAllTopics(short version) => Topics is null || (version == 0 && Topics.Count == 0);

    public static MetadataRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        // v0 has no null array (an empty one asks for every topic); null is only valid from v1.
        var request = new MetadataRequest
        {
            Topics = version >= 1 ? reader.ReadNullableArray(ReadTopic, version, flexible) : reader.ReadArray(ReadTopic, version, flexible),
        };
        if (version >= 4)
            request.AllowAutoTopicCreation = reader.ReadBool();
        if (version is >= 8 and <= 10)
            request.IncludeClusterAuthorizedOperations = reader.ReadBool();
        if (version >= 8)
            request.IncludeTopicAuthorizedOperations = reader.ReadBool();
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 9;
        writer.WriteArray(version == 0 ? Topics ?? [] : Topics, WriteTopic, version, flexible);
        if (version >= 4)
            writer.WriteBool(AllowAutoTopicCreation);
        if (version is >= 8 and <= 10)
            writer.WriteBool(IncludeClusterAuthorizedOperations);
        if (version >= 8)
            writer.WriteBool(IncludeTopicAuthorizedOperations);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static MetadataRequestTopic ReadTopic(ref KafkaReader reader, short version)
    {
        var topic = new MetadataRequestTopic();
        if (version >= 10)
            topic.TopicId = reader.ReadUuid();
        topic.Name = version >= 10 ? reader.ReadNullableString(compact: true) : reader.ReadString(version >= 9);
        if (version >= 9)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, MetadataRequestTopic topic, short version)
    {
        if (version >= 10)
            writer.WriteUuid(topic.TopicId);
        if (version >= 10)
            writer.WriteNullableString(topic.Name, compact: true);
        else
            writer.WriteString(topic.Name ?? throw new InvalidOperationException(
                $"Metadata v{version} cannot ask for a topic by id alone; only v10+ can (null topic name)."), version >= 9);
        if (version >= 9)
            writer.WriteEmptyTaggedFields();
    }
}

public sealed class MetadataRequestTopic
{
    public KafkaUuid TopicId { get; set; }
    public string? Name { get; set; }
}

/// <summary>
/// <code>
/// Metadata Response (Version: 0) => [brokers] [topics]
///   brokers => node_id host port
///   topics => error_code name [partitions]
///     partitions => error_code partition_index leader_id [replica_nodes] [isr_nodes]
/// Metadata Response (Version: 1) => [brokers] controller_id [topics]            brokers + rack, topics + is_internal
/// Metadata Response (Version: 2) => [brokers] cluster_id controller_id [topics]
/// Metadata Response (Version: 3-4) => throttle_time_ms [brokers] cluster_id controller_id [topics]
/// Metadata Response (Version: 5-6) => ...                                         partitions + [offline_replicas]
/// Metadata Response (Version: 7) => ...                                           partitions + leader_epoch
/// Metadata Response (Version: 8) => ... [topics] cluster_authorized_operations    topics + topic_authorized_operations
/// Metadata Response (Version: 9-10) => same, compact, TAG_BUFFER everywhere; v10 topics + topic_id
/// Metadata Response (Version: 11-12) => throttle_time_ms [brokers] cluster_id controller_id [topics] TAG_BUFFER
/// </code>
/// </summary>
public sealed class MetadataResponse : IKafkaMessage<MetadataResponse>
{
    public static ApiKey ApiKey => ApiKey.Metadata;

    public int ThrottleTimeMs { get; set; }
    public List<MetadataBroker> Brokers { get; set; } = [];
    public string? ClusterId { get; set; }
    public int ControllerId { get; set; } = -1;
    public List<MetadataTopic> Topics { get; set; } = [];
    public int ClusterAuthorizedOperations { get; set; } = int.MinValue;

    public static MetadataResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var response = new MetadataResponse();
        if (version >= 3)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.Brokers = reader.ReadArray(ReadBroker, version, flexible);
        if (version >= 2)
            response.ClusterId = reader.ReadNullableString(flexible);
        if (version >= 1)
            response.ControllerId = reader.ReadInt32();
        response.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (version is >= 8 and <= 10)
            response.ClusterAuthorizedOperations = reader.ReadInt32();
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 9;
        if (version >= 3)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Brokers, WriteBroker, version, flexible);
        if (version >= 2)
            writer.WriteNullableString(ClusterId, flexible);
        if (version >= 1)
            writer.WriteInt32(ControllerId);
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (version is >= 8 and <= 10)
            writer.WriteInt32(ClusterAuthorizedOperations);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static MetadataBroker ReadBroker(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var broker = new MetadataBroker { NodeId = reader.ReadInt32(), Host = reader.ReadString(flexible), Port = reader.ReadInt32() };
        if (version >= 1)
            broker.Rack = reader.ReadNullableString(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return broker;
    }

    private static void WriteBroker(ref KafkaWriter writer, MetadataBroker broker, short version)
    {
        var flexible = version >= 9;
        writer.WriteInt32(broker.NodeId);
        writer.WriteString(broker.Host, flexible);
        writer.WriteInt32(broker.Port);
        if (version >= 1)
            writer.WriteNullableString(broker.Rack, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static MetadataTopic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var topic = new MetadataTopic
        {
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            Name = version >= 12 ? reader.ReadNullableString(flexible) : reader.ReadString(flexible),
        };
        if (version >= 10)
            topic.TopicId = reader.ReadUuid();
        if (version >= 1)
            topic.IsInternal = reader.ReadBool();
        topic.Partitions = reader.ReadArray(ReadPartition, version, flexible);
        if (version >= 8)
            topic.TopicAuthorizedOperations = reader.ReadInt32();
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, MetadataTopic topic, short version)
    {
        var flexible = version >= 9;
        writer.WriteInt16((short)topic.ErrorCode);
        writer.WriteNullableString(version >= 12 ? topic.Name : topic.Name ?? "", flexible);
        if (version >= 10)
            writer.WriteUuid(topic.TopicId);
        if (version >= 1)
            writer.WriteBool(topic.IsInternal);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (version >= 8)
            writer.WriteInt32(topic.TopicAuthorizedOperations);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static MetadataPartition ReadPartition(ref KafkaReader reader, short version)
    {
        var flexible = version >= 9;
        var partition = new MetadataPartition
        {
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            PartitionIndex = reader.ReadInt32(),
            LeaderId = reader.ReadInt32(),
        };
        if (version >= 7)
            partition.LeaderEpoch = reader.ReadInt32();
        partition.ReplicaNodes = reader.ReadInt32Array(flexible);
        partition.IsrNodes = reader.ReadInt32Array(flexible);
        if (version >= 5)
            partition.OfflineReplicas = reader.ReadInt32Array(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, MetadataPartition partition, short version)
    {
        var flexible = version >= 9;
        writer.WriteInt16((short)partition.ErrorCode);
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt32(partition.LeaderId);
        if (version >= 7)
            writer.WriteInt32(partition.LeaderEpoch);
        writer.WriteInt32Array(partition.ReplicaNodes, flexible);
        writer.WriteInt32Array(partition.IsrNodes, flexible);
        if (version >= 5)
            writer.WriteInt32Array(partition.OfflineReplicas, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

public sealed class MetadataBroker
{
    public int NodeId { get; set; }
    public string Host { get; set; } = "";
    public int Port { get; set; }
    public string? Rack { get; set; }
}

public sealed class MetadataTopic
{
    public ErrorCode ErrorCode { get; set; }
    public string? Name { get; set; }
    public KafkaUuid TopicId { get; set; }
    public bool IsInternal { get; set; }
    public List<MetadataPartition> Partitions { get; set; } = [];
    public int TopicAuthorizedOperations { get; set; } = int.MinValue;
}

public sealed class MetadataPartition
{
    public ErrorCode ErrorCode { get; set; }
    public int PartitionIndex { get; set; }
    public int LeaderId { get; set; }
    public int LeaderEpoch { get; set; } = -1;
    public List<int> ReplicaNodes { get; set; } = [];
    public List<int> IsrNodes { get; set; } = [];
    public List<int> OfflineReplicas { get; set; } = [];
}
