using System.Security.Cryptography.X509Certificates;

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
public sealed record ListenerOptions(string Name, int Port, SecurityProtocol SecurityProtocol)
{
    /// <summary>The broker's certificate and the client CA, for SSL and SASL_SSL listeners.</summary>
    public TlsSettings? Tls { get; init; }

    /// <summary>SASL mechanisms enabled on a SASL_PLAINTEXT or SASL_SSL listener (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN).</summary>
    public IReadOnlyList<string> SaslMechanisms { get; init; } = [];

    public bool UsesTls => SecurityProtocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;

    public bool UsesSasl => SecurityProtocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
}

/// <summary>
/// TLS of a listener: the broker's certificate (with its private key) and, for mutual TLS, the CA whose client
/// certificates it accepts (Kafka's <c>ssl.client.auth=requested</c>: a client may connect without one, and one
/// it presents must chain to this CA; its subject becomes the client's principal).
/// </summary>
public sealed record TlsSettings(X509Certificate2 Certificate, X509Certificate2? ClientCa)
{
    /// <summary>Reads PEM files; a missing or unreadable file is an <see cref="ArgumentException"/> naming it.</summary>
    public static TlsSettings Load(string certificatePath, string keyPath, string? clientCaPath)
    {
        foreach (var path in new[] { certificatePath, keyPath, clientCaPath })
            if (path is not null && !File.Exists(path))
                throw new ArgumentException($"TLS file {Path.GetFullPath(path)} does not exist.");
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            var clientCa = clientCaPath is null ? null : X509Certificate2.CreateFromPem(File.ReadAllText(clientCaPath));
            return new TlsSettings(certificate, clientCa);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ArgumentException($"TLS certificate {certificatePath} with key {keyPath}: {e.Message}", e);
        }
    }
}
