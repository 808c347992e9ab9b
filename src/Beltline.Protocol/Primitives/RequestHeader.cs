namespace Beltline.Protocol;

/// <summary>
/// Request header.
/// <code>
/// RequestHeader v1 => request_api_key request_api_version correlation_id client_id
/// RequestHeader v2 => request_api_key request_api_version correlation_id client_id TAG_BUFFER
///   client_id => NULLABLE_STRING (never compact, even in v2)
/// </code>
/// </summary>
public readonly record struct RequestHeader(ApiKey ApiKey, short ApiVersion, int CorrelationId, string? ClientId)
{
    /// <summary>Bytes every header starts with: key, version, correlation id.</summary>
    public const int FixedPrefixLength = 8;

    /// <summary>Reads the header; the caller has checked the key is known (it decides header v1 or v2).</summary>
    public static RequestHeader Read(ref KafkaReader reader)
    {
        var key = (ApiKey)reader.ReadInt16();
        var version = reader.ReadInt16();
        var correlationId = reader.ReadInt32();
        var clientId = reader.ReadNullableString(compact: false);
        if (ApiSpec.TryGet(key, out var spec) && spec.IsFlexible(version))
            reader.SkipTaggedFields();
        return new RequestHeader(key, version, correlationId, clientId);
    }

    public void Write(ref KafkaWriter writer)
    {
        writer.WriteInt16((short)ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        writer.WriteNullableString(ClientId, compact: false);
        if (ApiSpec.UsesFlexibleRequestHeader(ApiKey, ApiVersion))
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// Response header.
/// <code>
/// ResponseHeader v0 => correlation_id
/// ResponseHeader v1 => correlation_id TAG_BUFFER
/// </code>
/// </summary>
public static class ResponseHeader
{
    public static void Write(ref KafkaWriter writer, int correlationId, bool flexible)
    {
        writer.WriteInt32(correlationId);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public static int Read(ref KafkaReader reader, bool flexible)
    {
        var correlationId = reader.ReadInt32();
        if (flexible)
            reader.SkipTaggedFields();
        return correlationId;
    }
}
