namespace Beltline.Protocol.Messages;

// DescribeCluster (key 60), v0–1, flexible from v0. KIP-700; KIP-919 (v1 endpoint_type).

/// <summary>
/// <code>
/// DescribeCluster Request (Version: 0) => include_cluster_authorized_operations TAG_BUFFER
/// DescribeCluster Request (Version: 1) => include_cluster_authorized_operations endpoint_type TAG_BUFFER
/// </code>
/// </summary>
public sealed class DescribeClusterRequest : IKafkaMessage<DescribeClusterRequest>
{
    public static ApiKey ApiKey => ApiKey.DescribeCluster;

    public bool IncludeClusterAuthorizedOperations { get; set; }

    /// <summary>v1+.</summary>
    public EndpointType EndpointType { get; set; } = EndpointType.Brokers;

    public static DescribeClusterRequest Read(ref KafkaReader reader, short version)
    {
        var request = new DescribeClusterRequest { IncludeClusterAuthorizedOperations = reader.ReadBool() };
        if (version >= 1)
            request.EndpointType = (EndpointType)reader.ReadInt8();
        reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteBool(IncludeClusterAuthorizedOperations);
        if (version >= 1)
            writer.WriteInt8((sbyte)EndpointType);
        writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// DescribeCluster Response (Version: 0) => throttle_time_ms error_code error_message cluster_id controller_id [brokers] cluster_authorized_operations TAG_BUFFER
/// DescribeCluster Response (Version: 1) => throttle_time_ms error_code error_message endpoint_type cluster_id controller_id [brokers] cluster_authorized_operations TAG_BUFFER
///   brokers => broker_id host port rack TAG_BUFFER
///   nullable: error_message, brokers.rack
/// </code>
/// </summary>
public sealed class DescribeClusterResponse : IKafkaMessage<DescribeClusterResponse>
{
    public static ApiKey ApiKey => ApiKey.DescribeCluster;

    /// <summary>The spec's cluster_authorized_operations default: "not requested".</summary>
    public const int AuthorizedOperationsNotRequested = int.MinValue;

    public int ThrottleTimeMs { get; set; }
    public ErrorCode ErrorCode { get; set; }

    /// <summary>Null when there was no error.</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>v1+.</summary>
    public EndpointType EndpointType { get; set; } = EndpointType.Brokers;

    public string ClusterId { get; set; } = "";
    public int ControllerId { get; set; } = -1;
    public List<DescribeClusterBroker> Brokers { get; set; } = [];

    /// <summary>Bitfield of AclOperation codes, or <see cref="AuthorizedOperationsNotRequested"/>.</summary>
    public int ClusterAuthorizedOperations { get; set; } = AuthorizedOperationsNotRequested;

    public static DescribeClusterResponse Read(ref KafkaReader reader, short version)
    {
        var response = new DescribeClusterResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(compact: true),
        };
        if (version >= 1)
            response.EndpointType = (EndpointType)reader.ReadInt8();
        response.ClusterId = reader.ReadString(compact: true);
        response.ControllerId = reader.ReadInt32();
        response.Brokers = reader.ReadArray(ReadBroker, version, compact: true);
        response.ClusterAuthorizedOperations = reader.ReadInt32();
        reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteNullableString(ErrorMessage, compact: true);
        if (version >= 1)
            writer.WriteInt8((sbyte)EndpointType);
        writer.WriteString(ClusterId, compact: true);
        writer.WriteInt32(ControllerId);
        writer.WriteArray(Brokers, WriteBroker, version, compact: true);
        writer.WriteInt32(ClusterAuthorizedOperations);
        writer.WriteEmptyTaggedFields();
    }

    private static DescribeClusterBroker ReadBroker(ref KafkaReader reader, short version)
    {
        var broker = new DescribeClusterBroker
        {
            BrokerId = reader.ReadInt32(),
            Host = reader.ReadString(compact: true),
            Port = reader.ReadInt32(),
            Rack = reader.ReadNullableString(compact: true),
        };
        reader.SkipTaggedFields();
        return broker;
    }

    private static void WriteBroker(ref KafkaWriter writer, DescribeClusterBroker broker, short version)
    {
        writer.WriteInt32(broker.BrokerId);
        writer.WriteString(broker.Host, compact: true);
        writer.WriteInt32(broker.Port);
        writer.WriteNullableString(broker.Rack, compact: true);
        writer.WriteEmptyTaggedFields();
    }

    public sealed class DescribeClusterBroker
    {
        public int BrokerId { get; set; }
        public string Host { get; set; } = "";
        public int Port { get; set; }

        /// <summary>Null when the broker has no rack.</summary>
        public string? Rack { get; set; }
    }
}

/// <summary>The int8 endpoint_type of DescribeCluster v1+ (KIP-919).</summary>
public enum EndpointType : sbyte
{
    Unknown = 0,
    Brokers = 1,
    Controllers = 2,
}
