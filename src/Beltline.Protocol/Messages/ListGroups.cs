namespace Beltline.Protocol.Messages;

// ListGroups (key 16), v0–5, flexible from v3. KIP-124 (v1), KIP-219 (v2), KIP-482 (v3), KIP-518 (v4), KIP-848 (v5).
// v0–2 requests have an empty body; v2 responses are byte-for-byte v1.

/// <summary>
/// <code>
/// ListGroups Request (Version: 0-2) =>
/// ListGroups Request (Version: 3) => TAG_BUFFER
/// ListGroups Request (Version: 4) => [states_filter] TAG_BUFFER
/// ListGroups Request (Version: 5) => [states_filter] [types_filter] TAG_BUFFER
/// </code>
/// </summary>
public sealed class ListGroupsRequest : IKafkaMessage<ListGroupsRequest>
{
    public static ApiKey ApiKey => ApiKey.ListGroups;

    /// <summary>v4+; empty lists groups in every state.</summary>
    public List<string> StatesFilter { get; set; } = [];

    /// <summary>v5+; empty lists groups of every type.</summary>
    public List<string> TypesFilter { get; set; } = [];

    public static ListGroupsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new ListGroupsRequest();
        if (version >= 4)
            request.StatesFilter = reader.ReadStringArray(compact: true);
        if (version >= 5)
            request.TypesFilter = reader.ReadStringArray(compact: true);
        if (version >= 3)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        if (version >= 4)
            writer.WriteStringArray(StatesFilter, compact: true);
        if (version >= 5)
            writer.WriteStringArray(TypesFilter, compact: true);
        if (version >= 3)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// ListGroups Response (Version: 0) => error_code [groups]
/// ListGroups Response (Version: 1-2) => throttle_time_ms error_code [groups]
///   groups => group_id protocol_type
/// ListGroups Response (Version: 3) => throttle_time_ms error_code [groups] TAG_BUFFER
///   groups => group_id protocol_type TAG_BUFFER
/// ListGroups Response (Version: 4) => throttle_time_ms error_code [groups] TAG_BUFFER
///   groups => group_id protocol_type group_state TAG_BUFFER
/// ListGroups Response (Version: 5) => throttle_time_ms error_code [groups] TAG_BUFFER
///   groups => group_id protocol_type group_state group_type TAG_BUFFER
/// </code>
/// </summary>
public sealed class ListGroupsResponse : IKafkaMessage<ListGroupsResponse>
{
    public static ApiKey ApiKey => ApiKey.ListGroups;

    /// <summary>v1+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+.</summary>
    public ErrorCode ErrorCode { get; set; }

    /// <summary>v0+.</summary>
    public List<ListedGroup> Groups { get; set; } = [];

    public static ListGroupsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 3;
        var response = new ListGroupsResponse();
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        response.ErrorCode = (ErrorCode)reader.ReadInt16();
        response.Groups = reader.ReadArray(ReadGroup, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 3;
        if (version >= 1)
            writer.WriteInt32(ThrottleTimeMs);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteArray(Groups, WriteGroup, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ListedGroup ReadGroup(ref KafkaReader reader, short version)
    {
        var flexible = version >= 3;
        var group = new ListedGroup
        {
            GroupId = reader.ReadString(flexible),
            ProtocolType = reader.ReadString(flexible),
        };
        if (version >= 4)
            group.GroupState = reader.ReadString(flexible);
        if (version >= 5)
            group.GroupType = reader.ReadString(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return group;
    }

    private static void WriteGroup(ref KafkaWriter writer, ListedGroup group, short version)
    {
        var flexible = version >= 3;
        writer.WriteString(group.GroupId, flexible);
        writer.WriteString(group.ProtocolType, flexible);
        if (version >= 4)
            writer.WriteString(group.GroupState, flexible);
        if (version >= 5)
            writer.WriteString(group.GroupType, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class ListedGroup
    {
        /// <summary>v0+.</summary>
        public string GroupId { get; set; } = "";

        /// <summary>v0+: e.g. "consumer"; empty for a group without one.</summary>
        public string ProtocolType { get; set; } = "";

        /// <summary>v4+: e.g. "Stable", "Empty".</summary>
        public string GroupState { get; set; } = "";

        /// <summary>v5+: e.g. "classic", "consumer".</summary>
        public string GroupType { get; set; } = "";
    }
}
