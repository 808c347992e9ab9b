namespace Beltline.Protocol.Messages;

// SyncGroup (key 14), v0–5, flexible from v4. KIP-124 (v1), KIP-219 (v2), KIP-345 (v3), KIP-482 (v4), KIP-559 (v5).
// v1 and v2 requests are byte-for-byte v0; v2 and v3 responses are byte-for-byte v1.

/// <summary>
/// <code>
/// SyncGroup Request (Version: 0-2) => group_id generation_id member_id [assignments]
/// SyncGroup Request (Version: 3) => group_id generation_id member_id group_instance_id [assignments]
/// SyncGroup Request (Version: 4) => group_id generation_id member_id group_instance_id [assignments] TAG_BUFFER
/// SyncGroup Request (Version: 5) => group_id generation_id member_id group_instance_id protocol_type protocol_name [assignments] TAG_BUFFER
///   assignments => member_id assignment (TAG_BUFFER in v4+)
///   nullable: group_instance_id, protocol_type, protocol_name
/// </code>
/// </summary>
public sealed class SyncGroupRequest : IKafkaMessage<SyncGroupRequest>
{
    public static ApiKey ApiKey => ApiKey.SyncGroup;

    /// <summary>v0+.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>v0+.</summary>
    public int GenerationId { get; set; }

    /// <summary>v0+.</summary>
    public string MemberId { get; set; } = "";

    /// <summary>v3+.</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>v5+; checked against the group's when not null.</summary>
    public string? ProtocolType { get; set; }

    /// <summary>v5+; checked against the group's when not null.</summary>
    public string? ProtocolName { get; set; }

    /// <summary>v0+: sent by the leader only; empty from the other members.</summary>
    public List<SyncGroupRequestAssignment> Assignments { get; set; } = [];

    public static SyncGroupRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var request = new SyncGroupRequest
        {
            GroupId = reader.ReadString(flexible),
            GenerationId = reader.ReadInt32(),
            MemberId = reader.ReadString(flexible),
        };
        if (version >= 3)
            request.GroupInstanceId = reader.ReadNullableString(flexible);
        if (version >= 5)
        {
            request.ProtocolType = reader.ReadNullableString(flexible);
            request.ProtocolName = reader.ReadNullableString(flexible);
        }
        request.Assignments = reader.ReadArray(ReadAssignment, version, flexible);
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
        if (version >= 5)
        {
            writer.WriteNullableString(ProtocolType, flexible);
            writer.WriteNullableString(ProtocolName, flexible);
        }
        writer.WriteArray(Assignments, WriteAssignment, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static SyncGroupRequestAssignment ReadAssignment(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var assignment = new SyncGroupRequestAssignment
        {
            MemberId = reader.ReadString(flexible),
            Assignment = reader.ReadBytes(flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return assignment;
    }

    private static void WriteAssignment(ref KafkaWriter writer, SyncGroupRequestAssignment assignment, short version)
    {
        var flexible = version >= 4;
        writer.WriteString(assignment.MemberId, flexible);
        writer.WriteBytes(assignment.Assignment.Span, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    // Keeps the spec's full type name: "Assignment" would clash with its own Assignment property (CS0542).
    public sealed class SyncGroupRequestAssignment
    {
        /// <summary>v0+.</summary>
        public string MemberId { get; set; } = "";

        /// <summary>v0+: opaque to the coordinator (for consumers, a ConsumerProtocolAssignment).</summary>
        public ReadOnlyMemory<byte> Assignment { get; set; }
    }
}

/// <summary>
/// <code>
/// SyncGroup Response (Version: 0) => error_code assignment
/// SyncGroup Response (Version: 1-3) => throttle_time_ms error_code assignment
/// SyncGroup Response (Version: 4) => throttle_time_ms error_code assignment TAG_BUFFER
/// SyncGroup Response (Version: 5) => throttle_time_ms error_code protocol_type protocol_name assignment TAG_BUFFER
///   nullable: protocol_type, protocol_name
/// </code>
/// </summary>
public sealed class SyncGroupResponse : IKafkaMessage<SyncGroupResponse>
{
    public static ApiKey ApiKey => ApiKey.SyncGroup;

    /// <summary>v1+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+.</summary>
    public ErrorCode ErrorCode { get; set; }

    /// <summary>v5+.</summary>
    public string? ProtocolType { get; set; }

    /// <summary>v5+.</summary>
    public string? ProtocolName { get; set; }

    /// <summary>v0+: this member's assignment.</summary>
    public ReadOnlyMemory<byte> Assignment { get; set; }

    public static SyncGroupResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var response = new SyncGroupResponse();
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        if (version >= 5)
        {
            response.ProtocolType = reader.ReadNullableString(flexible);
            response.ProtocolName = reader.ReadNullableString(flexible);
        }
        response.Assignment = reader.ReadBytes(flexible);
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
        if (version >= 5)
        {
            writer.WriteNullableString(ProtocolType, flexible);
            writer.WriteNullableString(ProtocolName, flexible);
        }
        writer.WriteBytes(Assignment.Span, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}
