namespace Beltline.Protocol.Messages;

// Heartbeat (key 12), v0–4, flexible from v4. KIP-124 (v1), KIP-219 (v2), KIP-345 (v3), KIP-482 (v4).
// v1 and v2 requests are byte-for-byte v0; v2 and v3 responses are byte-for-byte v1.

/// <summary>
/// <code>
/// Heartbeat Request (Version: 0-2) => group_id generation_id member_id
/// Heartbeat Request (Version: 3) => group_id generation_id member_id group_instance_id
/// Heartbeat Request (Version: 4) => group_id generation_id member_id group_instance_id TAG_BUFFER
///   nullable: group_instance_id
/// </code>
/// </summary>
public sealed class HeartbeatRequest : IKafkaMessage<HeartbeatRequest>
{
    public static ApiKey ApiKey => ApiKey.Heartbeat;

    /// <summary>v0+.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>v0+.</summary>
    public int GenerationId { get; set; }

    /// <summary>v0+.</summary>
    public string MemberId { get; set; } = "";

    /// <summary>v3+.</summary>
    public string? GroupInstanceId { get; set; }

    public static HeartbeatRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var request = new HeartbeatRequest
        {
            GroupId = reader.ReadString(flexible),
            GenerationId = reader.ReadInt32(),
            MemberId = reader.ReadString(flexible),
        };
        if (version >= 3)
            request.GroupInstanceId = reader.ReadNullableString(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 4;
        writer.WriteString(GroupId, flexible);
        writer.WriteInt32(GenerationId);
        writer.WriteString(MemberId, flexible);
        if (version >= 3)
            writer.WriteNullableString(GroupInstanceId, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// Heartbeat Response (Version: 0) => error_code
/// Heartbeat Response (Version: 1-3) => throttle_time_ms error_code
/// Heartbeat Response (Version: 4) => throttle_time_ms error_code TAG_BUFFER
/// </code>
/// </summary>
public sealed class HeartbeatResponse : IKafkaMessage<HeartbeatResponse>
{
    public static ApiKey ApiKey => ApiKey.Heartbeat;

    /// <summary>v1+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+.</summary>
    public ErrorCode ErrorCode { get; set; }

    public static HeartbeatResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var response = new HeartbeatResponse();
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 4;
        if (version >= 1)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteInt16((short)ErrorCode);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}
