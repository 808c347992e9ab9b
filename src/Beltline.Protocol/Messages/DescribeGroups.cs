namespace Beltline.Protocol.Messages;

// DescribeGroups (key 15), v0–5, flexible from v5. KIP-124 (v1), KIP-219 (v2), KIP-430 (v3), KIP-345 (v4), KIP-482 (v5).
// v1 and v2 requests are byte-for-byte v0; v4 requests are byte-for-byte v3; v2 responses are byte-for-byte v1.

/// <summary>
/// <code>
/// DescribeGroups Request (Version: 0-2) => [groups]
/// DescribeGroups Request (Version: 3-4) => [groups] include_authorized_operations
/// DescribeGroups Request (Version: 5) => [groups] include_authorized_operations TAG_BUFFER
/// </code>
/// </summary>
public sealed class DescribeGroupsRequest : IKafkaMessage<DescribeGroupsRequest>
{
    public static ApiKey ApiKey => ApiKey.DescribeGroups;

    /// <summary>v0+: group ids.</summary>
    public List<string> Groups { get; set; } = [];

    /// <summary>v3+.</summary>
    public bool IncludeAuthorizedOperations { get; set; }

    public static DescribeGroupsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var request = new DescribeGroupsRequest { Groups = reader.ReadStringArray(flexible) };
        if (version >= 3)
            request.IncludeAuthorizedOperations = reader.ReadBool();
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 5;
        writer.WriteStringArray(Groups, flexible);
        if (version >= 3)
            writer.WriteBool(IncludeAuthorizedOperations);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// DescribeGroups Response (Version: 0) => [groups]
/// DescribeGroups Response (Version: 1-2) => throttle_time_ms [groups]
///   groups => error_code group_id group_state protocol_type protocol_data [members]
///     members => member_id client_id client_host member_metadata member_assignment
/// DescribeGroups Response (Version: 3) => throttle_time_ms [groups]
///   groups => error_code group_id group_state protocol_type protocol_data [members] authorized_operations
///     members => member_id client_id client_host member_metadata member_assignment
/// DescribeGroups Response (Version: 4) => throttle_time_ms [groups]
///   groups => error_code group_id group_state protocol_type protocol_data [members] authorized_operations
///     members => member_id group_instance_id client_id client_host member_metadata member_assignment
/// DescribeGroups Response (Version: 5) => throttle_time_ms [groups] TAG_BUFFER
///   groups => error_code group_id group_state protocol_type protocol_data [members] authorized_operations TAG_BUFFER
///     members => member_id group_instance_id client_id client_host member_metadata member_assignment TAG_BUFFER
///   nullable: members.group_instance_id
/// </code>
/// </summary>
public sealed class DescribeGroupsResponse : IKafkaMessage<DescribeGroupsResponse>
{
    public static ApiKey ApiKey => ApiKey.DescribeGroups;

    /// <summary>v1+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+: one per requested group.</summary>
    public List<DescribedGroup> Groups { get; set; } = [];

    public static DescribeGroupsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var response = new DescribeGroupsResponse();
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.Groups = reader.ReadArray(ReadGroup, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 5;
        if (version >= 1)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Groups, WriteGroup, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DescribedGroup ReadGroup(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var group = new DescribedGroup
        {
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            GroupId = reader.ReadString(flexible),
            GroupState = reader.ReadString(flexible),
            ProtocolType = reader.ReadString(flexible),
            ProtocolData = reader.ReadString(flexible),
            Members = reader.ReadArray(ReadMember, version, flexible),
        };
        if (version >= 3)
            group.AuthorizedOperations = reader.ReadInt32();
        if (flexible)
            reader.SkipTaggedFields();
        return group;
    }

    private static void WriteGroup(ref KafkaWriter writer, DescribedGroup group, short version)
    {
        var flexible = version >= 5;
        writer.WriteInt16((short)group.ErrorCode);
        writer.WriteString(group.GroupId, flexible);
        writer.WriteString(group.GroupState, flexible);
        writer.WriteString(group.ProtocolType, flexible);
        writer.WriteString(group.ProtocolData, flexible);
        writer.WriteArray(group.Members, WriteMember, version, flexible);
        if (version >= 3)
            writer.WriteInt32(group.AuthorizedOperations);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DescribedGroupMember ReadMember(ref KafkaReader reader, short version)
    {
        var flexible = version >= 5;
        var member = new DescribedGroupMember { MemberId = reader.ReadString(flexible) };
        if (version >= 4)
            member.GroupInstanceId = reader.ReadNullableString(flexible);
        member.ClientId = reader.ReadString(flexible);
        member.ClientHost = reader.ReadString(flexible);
        member.MemberMetadata = reader.ReadBytes(flexible);
        member.MemberAssignment = reader.ReadBytes(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return member;
    }

    private static void WriteMember(ref KafkaWriter writer, DescribedGroupMember member, short version)
    {
        var flexible = version >= 5;
        writer.WriteString(member.MemberId, flexible);
        if (version >= 4)
            writer.WriteNullableString(member.GroupInstanceId, flexible);
        writer.WriteString(member.ClientId, flexible);
        writer.WriteString(member.ClientHost, flexible);
        writer.WriteBytes(member.MemberMetadata.Span, flexible);
        writer.WriteBytes(member.MemberAssignment.Span, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class DescribedGroup
    {
        /// <summary>v0+.</summary>
        public ErrorCode ErrorCode { get; set; }

        /// <summary>v0+.</summary>
        public string GroupId { get; set; } = "";

        /// <summary>v0+: e.g. "Stable", or "Dead" for an unknown group.</summary>
        public string GroupState { get; set; } = "";

        /// <summary>v0+; empty for a group without one.</summary>
        public string ProtocolType { get; set; } = "";

        /// <summary>v0+: the selected protocol (assignor) name, set while the group is Stable.</summary>
        public string ProtocolData { get; set; } = "";

        /// <summary>v0+.</summary>
        public List<DescribedGroupMember> Members { get; set; } = [];

        /// <summary>v3+: bitfield of AclOperation codes, or int.MinValue when not requested.</summary>
        public int AuthorizedOperations { get; set; } = int.MinValue;
    }

    public sealed class DescribedGroupMember
    {
        /// <summary>v0+.</summary>
        public string MemberId { get; set; } = "";

        /// <summary>v4+.</summary>
        public string? GroupInstanceId { get; set; }

        /// <summary>v0+: the client id of the member's latest JoinGroup.</summary>
        public string ClientId { get; set; } = "";

        /// <summary>v0+.</summary>
        public string ClientHost { get; set; } = "";

        /// <summary>v0+: set while the group is Stable.</summary>
        public ReadOnlyMemory<byte> MemberMetadata { get; set; }

        /// <summary>v0+: set while the group is Stable.</summary>
        public ReadOnlyMemory<byte> MemberAssignment { get; set; }
    }
}
