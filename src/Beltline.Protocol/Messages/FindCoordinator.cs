namespace Beltline.Protocol.Messages;

// FindCoordinator (key 10), v0–6, flexible from v3. KIP-98 (v1 key_type), KIP-699 (v4 batching), KIP-890 (v5), KIP-932 (v6).
// v5 and v6 only add error codes and a key type: their bytes are those of v4.

/// <summary>
/// <code>
/// FindCoordinator Request (Version: 0) => key
/// FindCoordinator Request (Version: 1-2) => key key_type
/// FindCoordinator Request (Version: 3) => key key_type TAG_BUFFER
/// FindCoordinator Request (Version: 4-6) => key_type [coordinator_keys] TAG_BUFFER
/// </code>
/// </summary>
public sealed class FindCoordinatorRequest : IKafkaMessage<FindCoordinatorRequest>
{
    public static ApiKey ApiKey => ApiKey.FindCoordinator;

    /// <summary>v0–3.</summary>
    public string Key { get; set; } = "";

    /// <summary>v1+; v0 always means a group.</summary>
    public CoordinatorType KeyType { get; set; } = CoordinatorType.Group;

    /// <summary>v4+.</summary>
    public List<string> CoordinatorKeys { get; set; } = [];

    public static FindCoordinatorRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 3;
        var request = new FindCoordinatorRequest();
        if (version <= 3)
            request.Key = reader.ReadString(flexible);
        if (version >= 1)
            request.KeyType = (CoordinatorType)reader.ReadInt8();
        if (version >= 4)
            request.CoordinatorKeys = reader.ReadStringArray(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 3;
        if (version <= 3)
            writer.WriteString(Key, flexible);
        if (version >= 1)
            writer.WriteInt8((sbyte)KeyType);
        if (version >= 4)
            writer.WriteStringArray(CoordinatorKeys, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// FindCoordinator Response (Version: 0) => error_code node_id host port
/// FindCoordinator Response (Version: 1-2) => throttle_time_ms error_code error_message node_id host port
/// FindCoordinator Response (Version: 3) => throttle_time_ms error_code error_message node_id host port TAG_BUFFER
/// FindCoordinator Response (Version: 4-6) => throttle_time_ms [coordinators] TAG_BUFFER
///   coordinators => key node_id host port error_code error_message TAG_BUFFER
///   nullable: error_message, coordinators.error_message
/// </code>
/// </summary>
public sealed class FindCoordinatorResponse : IKafkaMessage<FindCoordinatorResponse>
{
    public static ApiKey ApiKey => ApiKey.FindCoordinator;

    /// <summary>v1+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0–3.</summary>
    public ErrorCode ErrorCode { get; set; }

    /// <summary>v1–3; null when there was no error.</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>v0–3.</summary>
    public int NodeId { get; set; }

    /// <summary>v0–3.</summary>
    public string Host { get; set; } = "";

    /// <summary>v0–3.</summary>
    public int Port { get; set; }

    /// <summary>v4+: one result per requested key.</summary>
    public List<Coordinator> Coordinators { get; set; } = [];

    public static FindCoordinatorResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 3;
        var response = new FindCoordinatorResponse();
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        if (version <= 3)
        {
            response.ErrorCode = (ErrorCode)reader.ReadInt16();
            if (version >= 1)
                response.ErrorMessage = reader.ReadNullableString(flexible);
            response.NodeId = reader.ReadInt32();
            response.Host = reader.ReadString(flexible);
            response.Port = reader.ReadInt32();
        }
        else
            response.Coordinators = reader.ReadArray(ReadCoordinator, version, compact: true);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 3;
        if (version >= 1)
            writer.WriteInt32(ThrottleTimeMs);
        if (version <= 3)
        {
            writer.WriteInt16((short)ErrorCode);
            if (version >= 1)
                writer.WriteNullableString(ErrorMessage, flexible);
            writer.WriteInt32(NodeId);
            writer.WriteString(Host, flexible);
            writer.WriteInt32(Port);
        }
        else
            writer.WriteArray(Coordinators, WriteCoordinator, version, compact: true);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    // Only v4+ has this element, so it is always flexible.
    private static Coordinator ReadCoordinator(ref KafkaReader reader, short version)
    {
        var coordinator = new Coordinator
        {
            Key = reader.ReadString(compact: true),
            NodeId = reader.ReadInt32(),
            Host = reader.ReadString(compact: true),
            Port = reader.ReadInt32(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(compact: true),
        };
        reader.SkipTaggedFields();
        return coordinator;
    }

    private static void WriteCoordinator(ref KafkaWriter writer, Coordinator coordinator, short version)
    {
        writer.WriteString(coordinator.Key, compact: true);
        writer.WriteInt32(coordinator.NodeId);
        writer.WriteString(coordinator.Host, compact: true);
        writer.WriteInt32(coordinator.Port);
        writer.WriteInt16((short)coordinator.ErrorCode);
        writer.WriteNullableString(coordinator.ErrorMessage, compact: true);
        writer.WriteEmptyTaggedFields();
    }

    public sealed class Coordinator
    {
        public string Key { get; set; } = "";
        public int NodeId { get; set; }
        public string Host { get; set; } = "";
        public int Port { get; set; }
        public ErrorCode ErrorCode { get; set; }

        /// <summary>Null when there was no error.</summary>
        public string? ErrorMessage { get; set; }
    }
}

/// <summary>The int8 key_type of FindCoordinator v1+.</summary>
public enum CoordinatorType : sbyte
{
    Group = 0,
    Transaction = 1,

    /// <summary>v6+: the coordinator of a share group's partition state (KIP-932).</summary>
    Share = 2,
}
