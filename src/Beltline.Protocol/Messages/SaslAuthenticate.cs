namespace Beltline.Protocol.Messages;

// SaslAuthenticate (key 36), v0–2, flexible from v2. KIP-152; KIP-368 (v1: session lifetime, for re-authentication).

/// <summary>
/// <code>
/// SaslAuthenticate Request (Version: 0-1) => auth_bytes
/// SaslAuthenticate Request (Version: 2) => auth_bytes TAG_BUFFER
/// </code>
/// </summary>
public sealed class SaslAuthenticateRequest : IKafkaMessage<SaslAuthenticateRequest>
{
    public static ApiKey ApiKey => ApiKey.SaslAuthenticate;

    /// <summary>The mechanism's token from the client.</summary>
    public byte[] AuthBytes { get; set; } = [];

    public static SaslAuthenticateRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var request = new SaslAuthenticateRequest { AuthBytes = reader.ReadBytes(flexible).ToArray() };
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteBytes(AuthBytes, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// SaslAuthenticate Response (Version: 0) => error_code error_message auth_bytes
/// SaslAuthenticate Response (Version: 1) => error_code error_message auth_bytes session_lifetime_ms
/// SaslAuthenticate Response (Version: 2) => error_code error_message auth_bytes session_lifetime_ms TAG_BUFFER
///   nullable: error_message
/// </code>
/// </summary>
public sealed class SaslAuthenticateResponse : IKafkaMessage<SaslAuthenticateResponse>
{
    public static ApiKey ApiKey => ApiKey.SaslAuthenticate;

    public ErrorCode ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }

    /// <summary>The mechanism's token for the client.</summary>
    public byte[] AuthBytes { get; set; } = [];

    /// <summary>v1+: milliseconds until the client must re-authenticate on this connection (0: never).</summary>
    public long SessionLifetimeMs { get; set; }

    public static SaslAuthenticateResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var response = new SaslAuthenticateResponse
        {
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(flexible),
            AuthBytes = reader.ReadBytes(flexible).ToArray(),
        };
        if (version >= 1)
            response.SessionLifetimeMs = reader.ReadInt64();
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteInt16((short)ErrorCode);
        writer.WriteNullableString(ErrorMessage, flexible);
        writer.WriteBytes(AuthBytes, flexible);
        if (version >= 1)
            writer.WriteInt64(SessionLifetimeMs);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}
