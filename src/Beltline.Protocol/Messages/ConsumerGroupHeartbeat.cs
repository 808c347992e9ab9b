namespace Beltline.Protocol.Messages;

// ConsumerGroupHeartbeat (key 68), v0–1, flexible from v0. KIP-848 (the consumer group protocol); v1 adds the regex (KIP-848 follow-up).

/// <summary>
/// <code>
/// ConsumerGroupHeartbeat Request (Version: 0) => group_id member_id member_epoch instance_id rack_id rebalance_timeout_ms
///     [subscribed_topic_names] server_assignor [topic_partitions] TAG_BUFFER
/// ConsumerGroupHeartbeat Request (Version: 1) => group_id member_id member_epoch instance_id rack_id rebalance_timeout_ms
///     [subscribed_topic_names] subscribed_topic_regex server_assignor [topic_partitions] TAG_BUFFER
///   topic_partitions => topic_id [partitions] TAG_BUFFER
///   nullable: instance_id, rack_id, subscribed_topic_names, subscribed_topic_regex, server_assignor, topic_partitions
/// </code>
/// </summary>
public sealed class ConsumerGroupHeartbeatRequest : IKafkaMessage<ConsumerGroupHeartbeatRequest>
{
    public static ApiKey ApiKey => ApiKey.ConsumerGroupHeartbeat;

    public string GroupId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public int MemberEpoch { get; set; }
    public string? InstanceId { get; set; }
    public string? RackId { get; set; }
    public int RebalanceTimeoutMs { get; set; } = -1;
    public List<string>? SubscribedTopicNames { get; set; }

    /// <summary>v1+.</summary>
    public string? SubscribedTopicRegex { get; set; }

    public string? ServerAssignor { get; set; }
    public List<TopicPartitions>? OwnedTopicPartitions { get; set; }

    public static ConsumerGroupHeartbeatRequest Read(ref KafkaReader reader, short version)
    {
        var request = new ConsumerGroupHeartbeatRequest
        {
            GroupId = reader.ReadString(compact: true),
            MemberId = reader.ReadString(compact: true),
            MemberEpoch = reader.ReadInt32(),
            InstanceId = reader.ReadNullableString(compact: true),
            RackId = reader.ReadNullableString(compact: true),
            RebalanceTimeoutMs = reader.ReadInt32(),
            SubscribedTopicNames = reader.ReadNullableArray(static (ref KafkaReader r, short _) => r.ReadString(compact: true), version, compact: true),
        };
        if (version >= 1)
            request.SubscribedTopicRegex = reader.ReadNullableString(compact: true);
        request.ServerAssignor = reader.ReadNullableString(compact: true);
        request.OwnedTopicPartitions = reader.ReadNullableArray(TopicPartitions.Read, version, compact: true);
        reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteString(GroupId, compact: true);
        writer.WriteString(MemberId, compact: true);
        writer.WriteInt32(MemberEpoch);
        writer.WriteNullableString(InstanceId, compact: true);
        writer.WriteNullableString(RackId, compact: true);
        writer.WriteInt32(RebalanceTimeoutMs);
        writer.WriteArray(SubscribedTopicNames, static (ref KafkaWriter w, string name, short _) => w.WriteString(name, compact: true), version, compact: true);
        if (version >= 1)
            writer.WriteNullableString(SubscribedTopicRegex, compact: true);
        writer.WriteNullableString(ServerAssignor, compact: true);
        writer.WriteArray(OwnedTopicPartitions, TopicPartitions.Write, version, compact: true);
        writer.WriteEmptyTaggedFields();
    }

    /// <summary>A topic's partitions: owned ones in requests, assigned ones in responses.</summary>
    public sealed class TopicPartitions
    {
        public KafkaUuid TopicId { get; set; }
        public List<int> Partitions { get; set; } = [];

        public static TopicPartitions Read(ref KafkaReader reader, short version)
        {
            var result = new TopicPartitions { TopicId = reader.ReadUuid(), Partitions = reader.ReadInt32Array(compact: true) };
            reader.SkipTaggedFields();
            return result;
        }

        public static void Write(ref KafkaWriter writer, TopicPartitions item, short version)
        {
            writer.WriteUuid(item.TopicId);
            writer.WriteInt32Array(item.Partitions, compact: true);
            writer.WriteEmptyTaggedFields();
        }
    }
}

/// <summary>
/// <code>
/// ConsumerGroupHeartbeat Response (Version: 0-1) => throttle_time_ms error_code error_message member_id member_epoch
///     heartbeat_interval_ms assignment TAG_BUFFER
///   assignment => [topic_partitions] TAG_BUFFER   (a nullable struct: int8 -1 for null, 1 before its fields)
///   nullable: error_message, member_id, assignment
/// </code>
/// </summary>
public sealed class ConsumerGroupHeartbeatResponse : IKafkaMessage<ConsumerGroupHeartbeatResponse>
{
    public static ApiKey ApiKey => ApiKey.ConsumerGroupHeartbeat;

    public int ThrottleTimeMs { get; set; }
    public ErrorCode ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public string? MemberId { get; set; }
    public int MemberEpoch { get; set; }
    public int HeartbeatIntervalMs { get; set; }

    /// <summary>Null when unchanged.</summary>
    public List<ConsumerGroupHeartbeatRequest.TopicPartitions>? Assignment { get; set; }

    public static ConsumerGroupHeartbeatResponse Read(ref KafkaReader reader, short version)
    {
        var response = new ConsumerGroupHeartbeatResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(compact: true),
            MemberId = reader.ReadNullableString(compact: true),
            MemberEpoch = reader.ReadInt32(),
            HeartbeatIntervalMs = reader.ReadInt32(),
        };
        var present = reader.ReadInt8();
        if (present is not (-1 or 1))
            throw new KafkaProtocolException($"Bad nullable struct marker {present}.");
        if (present == 1)
        {
            response.Assignment = reader.ReadArray(ConsumerGroupHeartbeatRequest.TopicPartitions.Read, version, compact: true);
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteNullableString(ErrorMessage, compact: true);
        writer.WriteNullableString(MemberId, compact: true);
        writer.WriteInt32(MemberEpoch);
        writer.WriteInt32(HeartbeatIntervalMs);
        if (Assignment is null)
            writer.WriteInt8(-1);
        else
        {
            writer.WriteInt8(1);
            writer.WriteArray(Assignment, ConsumerGroupHeartbeatRequest.TopicPartitions.Write, version, compact: true);
            writer.WriteEmptyTaggedFields();
        }
        writer.WriteEmptyTaggedFields();
    }
}
