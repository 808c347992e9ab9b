namespace Beltline.Protocol.Messages;

// LeaveGroup (key 13), v0–5, flexible from v4. KIP-124 (v1), KIP-219 (v2), KIP-345 (v3 batching), KIP-482 (v4), KIP-800 (v5).
// v0–2 requests name one member in MemberId; v3+ requests list Members instead. v5 responses are byte-for-byte v4.

/// <summary>
/// <code>
/// LeaveGroup Request (Version: 0-2) => group_id member_id
/// LeaveGroup Request (Version: 3) => group_id [members]
///   members => member_id group_instance_id
/// LeaveGroup Request (Version: 4) => group_id [members] TAG_BUFFER
///   members => member_id group_instance_id TAG_BUFFER
/// LeaveGroup Request (Version: 5) => group_id [members] TAG_BUFFER
///   members => member_id group_instance_id reason TAG_BUFFER
///   nullable: members.group_instance_id, members.reason
/// </code>
/// </summary>
public sealed class LeaveGroupRequest : IKafkaMessage<LeaveGroupRequest>
{
    public static ApiKey ApiKey => ApiKey.LeaveGroup;

    /// <summary>v0+.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>v0–2.</summary>
    public string MemberId { get; set; } = "";

    /// <summary>v3+.</summary>
    public List<MemberIdentity> Members { get; set; } = [];

    public static LeaveGroupRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var request = new LeaveGroupRequest { GroupId = reader.ReadString(flexible) };
        if (version <= 2)
            request.MemberId = reader.ReadString(flexible);
        else
            request.Members = reader.ReadArray(ReadMember, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 4;
        writer.WriteString(GroupId, flexible);
        if (version <= 2)
            writer.WriteString(MemberId, flexible);
        else
            writer.WriteArray(Members, WriteMember, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    // Only v3+ has this element.
    private static MemberIdentity ReadMember(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var member = new MemberIdentity
        {
            MemberId = reader.ReadString(flexible),
            GroupInstanceId = reader.ReadNullableString(flexible),
        };
        if (version >= 5)
            member.Reason = reader.ReadNullableString(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return member;
    }

    private static void WriteMember(ref KafkaWriter writer, MemberIdentity member, short version)
    {
        var flexible = version >= 4;
        writer.WriteString(member.MemberId, flexible);
        writer.WriteNullableString(member.GroupInstanceId, flexible);
        if (version >= 5)
            writer.WriteNullableString(member.Reason, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class MemberIdentity
    {
        /// <summary>v3+; may be empty when the member is named by <see cref="GroupInstanceId"/>.</summary>
        public string MemberId { get; set; } = "";

        /// <summary>v3+.</summary>
        public string? GroupInstanceId { get; set; }

        /// <summary>v5+.</summary>
        public string? Reason { get; set; }
    }
}

/// <summary>
/// <code>
/// LeaveGroup Response (Version: 0) => error_code
/// LeaveGroup Response (Version: 1-2) => throttle_time_ms error_code
/// LeaveGroup Response (Version: 3) => throttle_time_ms error_code [members]
///   members => member_id group_instance_id error_code
/// LeaveGroup Response (Version: 4-5) => throttle_time_ms error_code [members] TAG_BUFFER
///   members => member_id group_instance_id error_code TAG_BUFFER
///   nullable: members.group_instance_id
/// </code>
/// </summary>
public sealed class LeaveGroupResponse : IKafkaMessage<LeaveGroupResponse>
{
    public static ApiKey ApiKey => ApiKey.LeaveGroup;

    /// <summary>v1+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+: a group-level error; per-member errors are in <see cref="Members"/>.</summary>
    public ErrorCode ErrorCode { get; set; }

    /// <summary>v3+: one result per requested member.</summary>
    public List<MemberResponse> Members { get; set; } = [];

    public static LeaveGroupResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var response = new LeaveGroupResponse();
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        if (version >= 3)
            response.Members = reader.ReadArray(ReadMember, version, flexible);
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
        if (version >= 3)
            writer.WriteArray(Members, WriteMember, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    // Only v3+ has this element.
    private static MemberResponse ReadMember(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var member = new MemberResponse
        {
            MemberId = reader.ReadString(flexible),
            GroupInstanceId = reader.ReadNullableString(flexible),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return member;
    }

    private static void WriteMember(ref KafkaWriter writer, MemberResponse member, short version)
    {
        var flexible = version >= 4;
        writer.WriteString(member.MemberId, flexible);
        writer.WriteNullableString(member.GroupInstanceId, flexible);
        writer.WriteInt16((short)member.ErrorCode);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class MemberResponse
    {
        /// <summary>v3+.</summary>
        public string MemberId { get; set; } = "";

        /// <summary>v3+; the spec gives no default, so "" (Kafka's default for a string), not null.</summary>
        public string? GroupInstanceId { get; set; } = "";

        /// <summary>v3+.</summary>
        public ErrorCode ErrorCode { get; set; }
    }
}
