namespace Beltline.Protocol.Messages;

// ApiVersions (key 18), v0–3. KIP-35; v3 flexible with client software name/version (KIP-511).
// The response always uses response header v0, so a client that sent a version we do not know can still
// read the error and our supported ranges.

/// <summary>
/// <code>
/// ApiVersions Request (Version: 0-2) =>
/// ApiVersions Request (Version: 3) => client_software_name client_software_version TAG_BUFFER
/// </code>
/// </summary>
public sealed class ApiVersionsRequest : IKafkaMessage<ApiVersionsRequest>
{
    public static ApiKey ApiKey => ApiKey.ApiVersions;

    public string ClientSoftwareName { get; set; } = "";
    public string ClientSoftwareVersion { get; set; } = "";

    public static ApiVersionsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new ApiVersionsRequest();
        if (version >= 3)
        {
            request.ClientSoftwareName = reader.ReadString(compact: true);
            request.ClientSoftwareVersion = reader.ReadString(compact: true);
            reader.SkipTaggedFields();
        }
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        if (version >= 3)
        {
            writer.WriteString(ClientSoftwareName, compact: true);
            writer.WriteString(ClientSoftwareVersion, compact: true);
            writer.WriteEmptyTaggedFields();
        }
    }
}

/// <summary>
/// <code>
/// ApiVersions Response (Version: 0) => error_code [api_keys]
/// ApiVersions Response (Version: 1-2) => error_code [api_keys] throttle_time_ms
/// ApiVersions Response (Version: 3) => error_code [api_keys] throttle_time_ms TAG_BUFFER
///   api_keys => api_key min_version max_version (TAG_BUFFER in v3)
///   tagged (v3): 0 supported_features, 1 finalized_features_epoch, 2 finalized_features, 3 zk_migration_ready
/// </code>
/// </summary>
public sealed class ApiVersionsResponse : IKafkaMessage<ApiVersionsResponse>
{
    public static ApiKey ApiKey => ApiKey.ApiVersions;

    public ErrorCode ErrorCode { get; set; }
    public List<ApiVersionRange> ApiKeys { get; set; } = [];
    public int ThrottleTimeMs { get; set; }

    public static ApiVersionsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 3;
        var response = new ApiVersionsResponse
        {
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ApiKeys = reader.ReadArray(ReadRange, version, flexible),
        };
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 3;
        writer.WriteInt16((short)ErrorCode);
        writer.WriteArray(ApiKeys, WriteRange, version, flexible);
        if (version >= 1)
            writer.WriteInt32(ThrottleTimeMs);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static ApiVersionRange ReadRange(ref KafkaReader reader, short version)
    {
        var range = new ApiVersionRange((ApiKey)reader.ReadInt16(), reader.ReadInt16(), reader.ReadInt16());
        if (version >= 3)
            reader.SkipTaggedFields();
        return range;
    }

    private static void WriteRange(ref KafkaWriter writer, ApiVersionRange range, short version)
    {
        writer.WriteInt16((short)range.ApiKey);
        writer.WriteInt16(range.MinVersion);
        writer.WriteInt16(range.MaxVersion);
        if (version >= 3)
            writer.WriteEmptyTaggedFields();
    }
}

public readonly record struct ApiVersionRange(ApiKey ApiKey, short MinVersion, short MaxVersion);
