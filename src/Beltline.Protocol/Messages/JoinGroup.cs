namespace Beltline.Protocol.Messages;

// JoinGroup (key 11), v0–9, flexible from v6. KIP-62 (v1), KIP-124/KIP-219 (v2–3), KIP-394 (v4), KIP-345 (v5),
// KIP-482 (v6), KIP-559 (v7), KIP-800 (v8), KIP-814 (v9).
// v2–4 add no request field; v3 and v4 change behaviour only (throttling, member id required).

/// <summary>
/// <code>
/// JoinGroup Request (Version: 0) => group_id session_timeout_ms member_id protocol_type [protocols]
/// JoinGroup Request (Version: 1-4) => group_id session_timeout_ms rebalance_timeout_ms member_id protocol_type [protocols]
/// JoinGroup Request (Version: 5) => group_id session_timeout_ms rebalance_timeout_ms member_id group_instance_id protocol_type [protocols]
/// JoinGroup Request (Version: 6-7) => group_id session_timeout_ms rebalance_timeout_ms member_id group_instance_id protocol_type [protocols] TAG_BUFFER
/// JoinGroup Request (Version: 8-9) => group_id session_timeout_ms rebalance_timeout_ms member_id group_instance_id protocol_type [protocols] reason TAG_BUFFER
///   protocols => name metadata (TAG_BUFFER in v6+)
///   nullable: group_instance_id, reason
/// </code>
/// </summary>
public sealed class JoinGroupRequest : IKafkaMessage<JoinGroupRequest>
{
    public static ApiKey ApiKey => ApiKey.JoinGroup;

    /// <summary>v0+.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>v0+.</summary>
    public int SessionTimeoutMs { get; set; }

    /// <summary>v1+; v0 members use <see cref="SessionTimeoutMs"/> instead.</summary>
    public int RebalanceTimeoutMs { get; set; } = -1;

    /// <summary>v0+; empty on a member's first join.</summary>
    public string MemberId { get; set; } = "";

    /// <summary>v5+; null for a dynamic (non-static) member.</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>v0+.</summary>
    public string ProtocolType { get; set; } = "";

    /// <summary>v0+.</summary>
    public List<Protocol> Protocols { get; set; } = [];

    /// <summary>v8+.</summary>
    public string? Reason { get; set; }

    public static JoinGroupRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var request = new JoinGroupRequest
        {
            GroupId = reader.ReadString(flexible),
            SessionTimeoutMs = reader.ReadInt32(),
        };
        if (version >= 1)
            request.RebalanceTimeoutMs = reader.ReadInt32();
        request.MemberId = reader.ReadString(flexible);
        if (version >= 5)
            request.GroupInstanceId = reader.ReadNullableString(flexible);
        request.ProtocolType = reader.ReadString(flexible);
        request.Protocols = reader.ReadArray(ReadProtocol, version, flexible);
        if (version >= 8)
            request.Reason = reader.ReadNullableString(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 6;
        writer.WriteString(GroupId, flexible);
        writer.WriteInt32(SessionTimeoutMs);
        if (version >= 1)
            writer.WriteInt32(RebalanceTimeoutMs);
        writer.WriteString(MemberId, flexible);
        if (version >= 5)
            writer.WriteNullableString(GroupInstanceId, flexible);
        writer.WriteString(ProtocolType, flexible);
        writer.WriteArray(Protocols, WriteProtocol, version, flexible);
        if (version >= 8)
            writer.WriteNullableString(Reason, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static Protocol ReadProtocol(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var protocol = new Protocol
        {
            Name = reader.ReadString(flexible),
            Metadata = reader.ReadBytes(flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return protocol;
    }

    private static void WriteProtocol(ref KafkaWriter writer, Protocol protocol, short version)
    {
        var flexible = version >= 6;
        writer.WriteString(protocol.Name, flexible);
        writer.WriteBytes(protocol.Metadata.Span, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class Protocol
    {
        /// <summary>v0+: e.g. an assignor name such as "range".</summary>
        public string Name { get; set; } = "";

        /// <summary>v0+: opaque to the coordinator (for consumers, a ConsumerProtocolSubscription).</summary>
        public ReadOnlyMemory<byte> Metadata { get; set; }
    }
}

/// <summary>
/// <code>
/// JoinGroup Response (Version: 0-1) => error_code generation_id protocol_name leader member_id [members]
/// JoinGroup Response (Version: 2-4) => throttle_time_ms error_code generation_id protocol_name leader member_id [members]
///   members => member_id metadata
/// JoinGroup Response (Version: 5) => throttle_time_ms error_code generation_id protocol_name leader member_id [members]
///   members => member_id group_instance_id metadata
/// JoinGroup Response (Version: 6) => throttle_time_ms error_code generation_id protocol_name leader member_id [members] TAG_BUFFER
///   members => member_id group_instance_id metadata TAG_BUFFER
/// JoinGroup Response (Version: 7-8) => throttle_time_ms error_code generation_id protocol_type protocol_name leader member_id [members] TAG_BUFFER
/// JoinGroup Response (Version: 9) => throttle_time_ms error_code generation_id protocol_type protocol_name leader skip_assignment member_id [members] TAG_BUFFER
///   members => member_id group_instance_id metadata TAG_BUFFER
///   nullable: protocol_type, protocol_name (v7+), members.group_instance_id
/// </code>
/// </summary>
public sealed class JoinGroupResponse : IKafkaMessage<JoinGroupResponse>
{
    public static ApiKey ApiKey => ApiKey.JoinGroup;

    /// <summary>v2+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+.</summary>
    public ErrorCode ErrorCode { get; set; }

    /// <summary>v0+.</summary>
    public int GenerationId { get; set; } = -1;

    /// <summary>v7+.</summary>
    public string? ProtocolType { get; set; }

    /// <summary>v0+; null only in v7+ (Kafka sends "" on errors before v7); writing null to an older version throws.</summary>
    public string? ProtocolName { get; set; } = "";

    /// <summary>v0+: the leader's member id.</summary>
    public string Leader { get; set; } = "";

    /// <summary>v9+.</summary>
    public bool SkipAssignment { get; set; }

    /// <summary>v0+: the member id of the member that joined.</summary>
    public string MemberId { get; set; } = "";

    /// <summary>v0+: every member, for the leader only; empty for the others.</summary>
    public List<Member> Members { get; set; } = [];

    public static JoinGroupResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var response = new JoinGroupResponse();
        if (version >= 2)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        response.GenerationId = reader.ReadInt32();
        if (version >= 7)
            response.ProtocolType = reader.ReadNullableString(flexible);
        response.ProtocolName = version >= 7 ? reader.ReadNullableString(flexible) : reader.ReadString(flexible);
        response.Leader = reader.ReadString(flexible);
        if (version >= 9)
            response.SkipAssignment = reader.ReadBool();
        response.MemberId = reader.ReadString(flexible);
        response.Members = reader.ReadArray(ReadMember, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 6;
        if (version >= 2)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteInt32(GenerationId);
        if (version >= 7)
        {
            writer.WriteNullableString(ProtocolType, flexible);
            writer.WriteNullableString(ProtocolName, flexible);
        }
        else
            writer.WriteString(ProtocolName ?? throw new InvalidOperationException(
                $"JoinGroup v{version} cannot carry a null protocol_name; only v7+ can."), flexible);
        writer.WriteString(Leader, flexible);
        if (version >= 9)
            writer.WriteBool(SkipAssignment);
        writer.WriteString(MemberId, flexible);
        writer.WriteArray(Members, WriteMember, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static Member ReadMember(ref KafkaReader reader, short version)
    {
        var flexible = version >= 6;
        var member = new Member { MemberId = reader.ReadString(flexible) };
        if (version >= 5)
            member.GroupInstanceId = reader.ReadNullableString(flexible);
        member.Metadata = reader.ReadBytes(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return member;
    }

    private static void WriteMember(ref KafkaWriter writer, Member member, short version)
    {
        var flexible = version >= 6;
        writer.WriteString(member.MemberId, flexible);
        if (version >= 5)
            writer.WriteNullableString(member.GroupInstanceId, flexible);
        writer.WriteBytes(member.Metadata.Span, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class Member
    {
        /// <summary>v0+.</summary>
        public string MemberId { get; set; } = "";

        /// <summary>v5+.</summary>
        public string? GroupInstanceId { get; set; }

        /// <summary>v0+: the member's metadata for the selected protocol.</summary>
        public ReadOnlyMemory<byte> Metadata { get; set; }
    }
}
