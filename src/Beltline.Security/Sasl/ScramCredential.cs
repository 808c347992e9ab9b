using System.Security.Cryptography;
using System.Text;

namespace Beltline.Security.Sasl;

/// <summary>The two SCRAM mechanisms Kafka (and MSK) offer.</summary>
public enum ScramMechanism
{
    Sha256,
    Sha512,
}

public static class ScramMechanisms
{
    /// <summary>Kafka's minimum iteration count for a SCRAM credential.</summary>
    public const int MinIterations = 4096;

    public static string Name(this ScramMechanism mechanism) => mechanism == ScramMechanism.Sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";

    public static bool TryParse(string name, out ScramMechanism mechanism)
    {
        mechanism = name switch { "SCRAM-SHA-256" => ScramMechanism.Sha256, _ => ScramMechanism.Sha512 };
        return name is "SCRAM-SHA-256" or "SCRAM-SHA-512";
    }

    internal static HashAlgorithmName Hash(this ScramMechanism mechanism) => mechanism == ScramMechanism.Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512;

    internal static byte[] Hmac(this ScramMechanism mechanism, byte[] key, byte[] data) =>
        mechanism == ScramMechanism.Sha256 ? HMACSHA256.HashData(key, data) : HMACSHA512.HashData(key, data);

    internal static byte[] Digest(this ScramMechanism mechanism, byte[] data) =>
        mechanism == ScramMechanism.Sha256 ? SHA256.HashData(data) : SHA512.HashData(data);

    /// <summary>RFC 5802's Hi(): PBKDF2 with the mechanism's HMAC, one hash long. Passwords are UTF-8, as Kafka uses them.</summary>
    public static byte[] SaltedPassword(this ScramMechanism mechanism, string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, mechanism.Hash(), mechanism == ScramMechanism.Sha256 ? 32 : 64);
}

/// <summary>
/// What the broker keeps of a SCRAM user (RFC 5802 §3): salt, iterations, StoredKey and ServerKey. Enough to check a
/// client's proof and to prove itself to the client, never enough to log in as the user.
/// </summary>
public sealed record ScramCredential(byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    /// <summary>A credential for <paramref name="password"/> with a fresh random salt.</summary>
    public static ScramCredential FromPassword(ScramMechanism mechanism, string password, int iterations = ScramMechanisms.MinIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        return FromSaltedPassword(mechanism, salt, iterations, mechanism.SaltedPassword(password, salt, iterations));
    }

    /// <summary>From a salted password, as AlterUserScramCredentials sends it (clients salt the password themselves).</summary>
    public static ScramCredential FromSaltedPassword(ScramMechanism mechanism, byte[] salt, int iterations, byte[] saltedPassword)
    {
        if (iterations < ScramMechanisms.MinIterations)
            throw new ArgumentException($"SCRAM iterations must be at least {ScramMechanisms.MinIterations}, got {iterations}.");
        var clientKey = mechanism.Hmac(saltedPassword, "Client Key"u8.ToArray());
        return new ScramCredential(salt, iterations, mechanism.Digest(clientKey), mechanism.Hmac(saltedPassword, "Server Key"u8.ToArray()));
    }

    /// <summary>Whether <paramref name="password"/> is the one this credential was made from (for SASL/PLAIN).</summary>
    public bool Matches(ScramMechanism mechanism, string password)
    {
        var clientKey = mechanism.Hmac(mechanism.SaltedPassword(password, Salt, Iterations), "Client Key"u8.ToArray());
        return CryptographicOperations.FixedTimeEquals(mechanism.Digest(clientKey), StoredKey);
    }
}
