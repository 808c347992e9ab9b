namespace Beltline.Protocol.Messages;

// DeleteGroups (key 42), v0–2, flexible from v2. KIP-229 (v0), KIP-219 (v1), KIP-482 (v2).
// v1 is byte-for-byte v0.

/// <summary>
/// <code>
/// DeleteGroups Request (Version: 0-1) => [groups_names]
/// DeleteGroups Request (Version: 2) => [groups_names] TAG_BUFFER
/// </code>
/// </summary>
public sealed class DeleteGroupsRequest : IKafkaMessage<DeleteGroupsRequest>
{
    public static ApiKey ApiKey => ApiKey.DeleteGroups;

    /// <summary>v0+: group ids (the spec's field name is "GroupsNames").</summary>
    public List<string> GroupsNames { get; set; } = [];

    public static DeleteGroupsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var request = new DeleteGroupsRequest { GroupsNames = reader.ReadStringArray(flexible) };
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteStringArray(GroupsNames, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// DeleteGroups Response (Version: 0-1) => throttle_time_ms [results]
///   results => group_id error_code
/// DeleteGroups Response (Version: 2) => throttle_time_ms [results] TAG_BUFFER
///   results => group_id error_code TAG_BUFFER
/// </code>
/// </summary>
public sealed class DeleteGroupsResponse : IKafkaMessage<DeleteGroupsResponse>
{
    public static ApiKey ApiKey => ApiKey.DeleteGroups;

    /// <summary>v0+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+: one per requested group.</summary>
    public List<DeletableGroupResult> Results { get; set; } = [];

    public static DeleteGroupsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var response = new DeleteGroupsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            Results = reader.ReadArray(ReadResult, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Results, WriteResult, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DeletableGroupResult ReadResult(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var result = new DeletableGroupResult
        {
            GroupId = reader.ReadString(flexible),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return result;
    }

    private static void WriteResult(ref KafkaWriter writer, DeletableGroupResult result, short version)
    {
        var flexible = version >= 2;
        writer.WriteString(result.GroupId, flexible);
        writer.WriteInt16((short)result.ErrorCode);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class DeletableGroupResult
    {
        /// <summary>v0+.</summary>
        public string GroupId { get; set; } = "";

        /// <summary>v0+.</summary>
        public ErrorCode ErrorCode { get; set; }
    }
}
