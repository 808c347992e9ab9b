namespace Beltline.Broker.Network;

/// <summary>Kafka's security.protocol values, as a listener speaks them.</summary>
public enum SecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

/// <summary>One listener, as in Kafka's <c>listeners=NAME://host:port</c> plus its security protocol.</summary>
public sealed record ListenerOptions(string Name, int Port, SecurityProtocol SecurityProtocol);
