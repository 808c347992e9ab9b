using System.Security.Cryptography;
using System.Text;

namespace Beltline.Security.Sasl;

/// <summary>A failed SASL exchange; the message is what the client is told (never which part was wrong).</summary>
public sealed class SaslAuthenticationException(string message) : Exception(message);

/// <summary>The server side of one SASL exchange: tokens in, tokens out, until <see cref="IsComplete"/>.</summary>
public interface ISaslServer
{
    string Mechanism { get; }

    /// <summary>The authenticated user once complete.</summary>
    string? User { get; }

    bool IsComplete { get; }

    /// <summary>The answer to the client's token; throws <see cref="SaslAuthenticationException"/> when it fails.</summary>
    byte[] Evaluate(ReadOnlySpan<byte> token);
}

/// <summary>Creates the server for a mechanism name, or null when that mechanism is not one this store can check.</summary>
public static class SaslServers
{
    public const string Plain = "PLAIN";

    public static ISaslServer? Create(string mechanism, CredentialStore credentials) => mechanism switch
    {
        Plain => new PlainServer(credentials),
        _ when ScramMechanisms.TryParse(mechanism, out var scram) => new ScramServer(scram, credentials),
        _ => null,
    };

    internal static string Failure(string mechanism) =>
        $"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}";
}

/// <summary>
/// SASL/SCRAM (RFC 5802, RFC 7677), server side, as Kafka runs it:
/// <code>
///   client-first = gs2-header client-first-bare      gs2-header = "n," [ "a=" authzid ] ","
///   client-first-bare = "n=" user ",r=" c-nonce [ "," extensions ]
///   server-first = "r=" c-nonce s-nonce ",s=" base64(salt) ",i=" iterations
///   client-final = "c=" base64(gs2-header) ",r=" nonce ",p=" base64(ClientProof)
///   server-final = "v=" base64(ServerSignature)
/// </code>
/// The proof is checked against the stored key alone: ClientKey = proof XOR HMAC(StoredKey, AuthMessage), and
/// H(ClientKey) must equal StoredKey.
/// </summary>
public sealed class ScramServer(ScramMechanism mechanism, CredentialStore credentials) : ISaslServer
{
    private enum Step { First, Final, Done }

    private Step _step = Step.First;
    private string _clientFirstBare = "", _serverFirst = "", _gs2Header = "", _nonce = "", _user = "";
    private ScramCredential? _credential;

    public string Mechanism => mechanism.Name();
    public string? User => _step == Step.Done ? _user : null;
    public bool IsComplete => _step == Step.Done;

    public byte[] Evaluate(ReadOnlySpan<byte> token)
    {
        var text = Decode(token);
        return _step switch
        {
            Step.First => ClientFirst(text),
            Step.Final => ClientFinal(text),
            _ => throw new SaslAuthenticationException("SASL exchange already complete"),
        };
    }

    private byte[] ClientFirst(string message)
    {
        // gs2-header: "n" (no channel binding); "y" and "p" are refused, as Kafka refuses them.
        var parts = message.Split(',', 3);
        if (parts.Length != 3 || parts[0] != "n" || (parts[1].Length > 0 && !parts[1].StartsWith("a=", StringComparison.Ordinal)))
            throw Invalid("invalid SCRAM client-first message");
        _gs2Header = parts[0] + "," + parts[1] + ",";
        _clientFirstBare = parts[2];
        var attributes = Attributes(_clientFirstBare);
        if (!attributes.TryGetValue('n', out var user) || !attributes.TryGetValue('r', out var clientNonce) || clientNonce.Length == 0)
            throw Invalid("invalid SCRAM client-first message");
        _user = user.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        _credential = credentials.Find(_user, mechanism) ?? throw new SaslAuthenticationException(SaslServers.Failure(Mechanism));
        // Letters and digits only, as Kafka's own nonces: librdkafka 2.0 mangled nonces holding '+' or '/'.
        _nonce = clientNonce + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        _step = Step.Final;
        return Encoding.UTF8.GetBytes(_serverFirst);
    }

    private byte[] ClientFinal(string message)
    {
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
            throw Invalid("invalid SCRAM client-final message");
        var withoutProof = message[..proofAt];
        var attributes = Attributes(withoutProof);
        if (!attributes.TryGetValue('c', out var binding) || binding != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header)))
            throw Invalid("SCRAM channel binding does not match the client-first message");
        // Kafka checks that the nonce ends with its own (librdkafka up to 2.0 sends the client nonce twice).
        if (!attributes.TryGetValue('r', out var nonce) || !nonce.EndsWith(_nonce, StringComparison.Ordinal))
            throw Invalid("SCRAM nonce does not match the server's");
        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(message[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            throw Invalid("invalid SCRAM client proof");
        }
        var credential = _credential!;
        var authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + _serverFirst + "," + withoutProof);
        var clientSignature = mechanism.Hmac(credential.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length)
            throw new SaslAuthenticationException(SaslServers.Failure(Mechanism));
        var clientKey = new byte[proof.Length];
        for (var i = 0; i < proof.Length; i++)
            clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        if (!CryptographicOperations.FixedTimeEquals(mechanism.Digest(clientKey), credential.StoredKey))
            throw new SaslAuthenticationException(SaslServers.Failure(Mechanism));
        _step = Step.Done;
        return Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(mechanism.Hmac(credential.ServerKey, authMessage)));
    }

    /// <summary>"k=value" pairs; extensions after the known ones are kept and ignored.</summary>
    private static Dictionary<char, string> Attributes(string message)
    {
        var attributes = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length < 2 || part[1] != '=')
                throw Invalid("invalid SCRAM attribute");
            attributes.TryAdd(part[0], part[2..]);
        }
        return attributes;
    }

    private static string Decode(ReadOnlySpan<byte> token)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(token);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid("SCRAM message is not UTF-8");
        }
    }

    private static SaslAuthenticationException Invalid(string what) => new($"Authentication failed: {what}");
}

/// <summary>
/// SASL/PLAIN (RFC 4616): one token "authzid NUL user NUL password", checked against the user's SCRAM credential
/// (SHA-512, else SHA-256), so no password is ever stored for it either. Only sensible over TLS.
/// </summary>
public sealed class PlainServer(CredentialStore credentials) : ISaslServer
{
    private string? _user;

    public string Mechanism => SaslServers.Plain;
    public string? User => _user;
    public bool IsComplete => _user is not null;

    public byte[] Evaluate(ReadOnlySpan<byte> token)
    {
        var parts = Encoding.UTF8.GetString(token).Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0 || (parts[0].Length > 0 && parts[0] != parts[1]))
            throw new SaslAuthenticationException("Authentication failed: invalid SASL/PLAIN message");
        var (user, password) = (parts[1], parts[2]);
        var matches = credentials.Find(user, ScramMechanism.Sha512) is { } sha512 ? sha512.Matches(ScramMechanism.Sha512, password)
            : credentials.Find(user, ScramMechanism.Sha256) is { } sha256 && sha256.Matches(ScramMechanism.Sha256, password);
        if (!matches)
            throw new SaslAuthenticationException("Authentication failed: Invalid username or password");
        _user = user;
        return [];
    }
}
