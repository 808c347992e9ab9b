namespace Beltline.Protocol.Messages;

// SaslHandshake (key 17), v0–1, never flexible. KIP-43; KIP-152 (v1).
// v1 means the SASL tokens follow in SaslAuthenticate requests, not raw on the socket; the version cannot be bumped (KAFKA-9577).

/// <summary>
/// <code>
/// SaslHandshake Request (Version: 0-1) => mechanism
/// </code>
/// </summary>
public sealed class SaslHandshakeRequest : IKafkaMessage<SaslHandshakeRequest>
{
    public static ApiKey ApiKey => ApiKey.SaslHandshake;

    public string Mechanism { get; set; } = "";

    public static SaslHandshakeRequest Read(ref KafkaReader reader, short version) =>
        new() { Mechanism = reader.ReadString(compact: false) };

    public void Write(ref KafkaWriter writer, short version) => writer.WriteString(Mechanism, compact: false);
}

/// <summary>
/// <code>
/// SaslHandshake Response (Version: 0-1) => error_code [mechanisms]
/// </code>
/// </summary>
public sealed class SaslHandshakeResponse : IKafkaMessage<SaslHandshakeResponse>
{
    public static ApiKey ApiKey => ApiKey.SaslHandshake;

    public ErrorCode ErrorCode { get; set; }

    /// <summary>The mechanisms the broker enables, so a client that asked for another can say which exist.</summary>
    public List<string> Mechanisms { get; set; } = [];

    public static SaslHandshakeResponse Read(ref KafkaReader reader, short version) => new()
    {
        ErrorCode = (ErrorCode)reader.ReadInt16(),
        Mechanisms = reader.ReadStringArray(compact: false),
    };

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteInt16((short)ErrorCode);
        writer.WriteStringArray(Mechanisms, compact: false);
    }
}
