using System.Security.Cryptography;
using System.Text;
using Beltline.Security.Sasl;

namespace Beltline.Security.Tests;

/// <summary>SCRAM and PLAIN exchanges against a credential store, with a client written here from RFC 5802.</summary>
public sealed class SaslServerTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "beltline-scram-" + Guid.NewGuid().ToString("N") + ".json");

    public void Dispose() => File.Delete(_file);

    private CredentialStore Store()
    {
        var store = CredentialStore.Open(_file);
        store.Set("alice", ScramMechanism.Sha512, ScramCredential.FromPassword(ScramMechanism.Sha512, "alice-secret"));
        store.Set("alice", ScramMechanism.Sha256, ScramCredential.FromPassword(ScramMechanism.Sha256, "alice-secret"));
        return store;
    }

    /// <summary>A SCRAM client: returns the server's final message, or throws what the server threw.</summary>
    private static string Exchange(ISaslServer server, string user, string password, bool sha512, Func<string, string>? tamperFinal = null)
    {
        const string clientNonce = "fyko+d2lbbFgONRv9qkxdawL";
        var clientFirstBare = $"n={user},r={clientNonce}";
        var serverFirst = Encoding.UTF8.GetString(server.Evaluate(Encoding.UTF8.GetBytes("n,," + clientFirstBare)));
        var fields = serverFirst.Split(',').ToDictionary(f => f[0], f => f[2..]);
        Assert.StartsWith(clientNonce, fields['r']);
        var salt = Convert.FromBase64String(fields['s']);
        var iterations = int.Parse(fields['i'], System.Globalization.CultureInfo.InvariantCulture);
        var hash = sha512 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
        var saltedPassword = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, hash, sha512 ? 64 : 32);
        byte[] Hmac(byte[] key, byte[] data) => sha512 ? HMACSHA512.HashData(key, data) : HMACSHA256.HashData(key, data);
        var clientKey = Hmac(saltedPassword, Encoding.UTF8.GetBytes("Client Key"));
        var storedKey = sha512 ? SHA512.HashData(clientKey) : SHA256.HashData(clientKey);
        var withoutProof = $"c=biws,r={fields['r']}";
        var authMessage = Encoding.UTF8.GetBytes($"{clientFirstBare},{serverFirst},{withoutProof}");
        var signature = Hmac(storedKey, authMessage);
        var proof = clientKey.Select((b, i) => (byte)(b ^ signature[i])).ToArray();
        var final = $"{withoutProof},p={Convert.ToBase64String(proof)}";
        var serverFinal = Encoding.UTF8.GetString(server.Evaluate(Encoding.UTF8.GetBytes(tamperFinal?.Invoke(final) ?? final)));
        var serverKey = Hmac(saltedPassword, Encoding.UTF8.GetBytes("Server Key"));
        Assert.Equal("v=" + Convert.ToBase64String(Hmac(serverKey, authMessage)), serverFinal);   // the server proves it knows the key
        return serverFinal;
    }

    [Theory]
    [InlineData("SCRAM-SHA-512", true)]
    [InlineData("SCRAM-SHA-256", false)]
    public void Scram_authenticates_the_right_password_and_proves_the_server(string mechanism, bool sha512)
    {
        var server = SaslServers.Create(mechanism, Store())!;
        Exchange(server, "alice", "alice-secret", sha512);
        Assert.True(server.IsComplete);
        Assert.Equal("alice", server.User);
    }

    [Fact]
    public void Scram_refuses_a_wrong_password_an_unknown_user_and_a_changed_nonce()
    {
        var wrong = Assert.Throws<SaslAuthenticationException>(() => Exchange(SaslServers.Create("SCRAM-SHA-512", Store())!, "alice", "nope", true));
        Assert.Equal("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512", wrong.Message);
        Assert.Throws<SaslAuthenticationException>(() => Exchange(SaslServers.Create("SCRAM-SHA-512", Store())!, "bob", "alice-secret", true));
        Assert.Throws<SaslAuthenticationException>(() => Exchange(SaslServers.Create("SCRAM-SHA-512", Store())!, "alice", "alice-secret", true,
            final => final.Replace(",r=fyko", ",r=evil", StringComparison.Ordinal)));
        Assert.Throws<SaslAuthenticationException>(() => SaslServers.Create("SCRAM-SHA-256", Store())!.Evaluate("garbage"u8));
    }

    [Fact]
    public void A_replayed_client_final_message_is_refused()
    {
        // Record a successful exchange's final message, then replay it against a new exchange (a new server nonce).
        string? recorded = null;
        Exchange(SaslServers.Create("SCRAM-SHA-512", Store())!, "alice", "alice-secret", true, final => recorded = final);
        var replay = SaslServers.Create("SCRAM-SHA-512", Store())!;
        replay.Evaluate(Encoding.UTF8.GetBytes("n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL"));
        Assert.Throws<SaslAuthenticationException>(() => replay.Evaluate(Encoding.UTF8.GetBytes(recorded!)));
        Assert.False(replay.IsComplete);
    }

    [Fact]
    public void Plain_checks_the_password_against_the_scram_credential()
    {
        var server = SaslServers.Create("PLAIN", Store())!;
        server.Evaluate("\0alice\0alice-secret"u8);
        Assert.Equal("alice", server.User);
        Assert.Throws<SaslAuthenticationException>(() => SaslServers.Create("PLAIN", Store())!.Evaluate("\0alice\0wrong"u8));
        Assert.Throws<SaslAuthenticationException>(() => SaslServers.Create("PLAIN", Store())!.Evaluate("bob\0alice\0alice-secret"u8));   // acting for someone else
    }

    [Fact]
    public void The_store_keeps_salts_and_keys_never_the_password_and_survives_reopening()
    {
        Store();
        var text = File.ReadAllText(_file);
        Assert.DoesNotContain("alice-secret", text);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(_file));
        var reopened = CredentialStore.Open(_file);
        Assert.True(reopened.Find("alice", ScramMechanism.Sha512)!.Matches(ScramMechanism.Sha512, "alice-secret"));
        Assert.True(reopened.Delete("alice", ScramMechanism.Sha256));
        Assert.Equal([(ScramMechanism.Sha512, 4096)], CredentialStore.Open(_file).List().Single().Credentials);
        Assert.Throws<ArgumentException>(() => ScramCredential.FromPassword(ScramMechanism.Sha256, "x", iterations: 1000));
    }
}
