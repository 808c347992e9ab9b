using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Beltline.Security;

/// <summary>A certificate and its private key as PEM files.</summary>
public sealed record IssuedFiles(string CertificatePath, string KeyPath);

/// <summary>
/// The local certificate authority, the twin of the workshop's ACM Private CA: a root (RSA 2048, SHA-256, 10 years,
/// <c>CN=MyMSKPCA</c>) that issues broker certificates (server and client auth, SANs for the addresses clients dial)
/// and client certificates whose subject becomes the client's principal, as MSK maps <c>User:CN=…</c>.
/// Everything is PEM in one directory; private keys are readable by their owner only.
/// </summary>
public sealed class CertificateAuthority
{
    public const string CertificateFile = "ca.crt";
    public const string KeyFile = "ca.key";
    public const string DefaultCommonName = "MyMSKPCA";
    public static readonly TimeSpan RootValidity = TimeSpan.FromDays(3653);

    private const int KeySize = 2048;
    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly X509Certificate2 _root;

    public string Directory { get; }

    /// <summary>The root certificate, with its private key.</summary>
    public X509Certificate2 Root => _root;

    private CertificateAuthority(string directory, X509Certificate2 root)
    {
        Directory = directory;
        _root = root;
    }

    /// <summary>Creates the root in <paramref name="directory"/>; refuses to replace one unless <paramref name="overwrite"/>.</summary>
    public static CertificateAuthority Init(string directory, string commonName = DefaultCommonName, bool overwrite = false)
    {
        if (string.IsNullOrWhiteSpace(commonName))
            throw new ArgumentException("The CA's common name must not be empty.");
        var certificatePath = Path.Combine(directory, CertificateFile);
        if (File.Exists(certificatePath) && !overwrite)
            throw new InvalidOperationException($"A certificate authority already exists in {Path.GetFullPath(directory)}; pass --force to replace it (certificates it issued will no longer verify).");
        using var key = RSA.Create(KeySize);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = DateTimeOffset.UtcNow;
        var root = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(RootValidity));
        CreatePrivateDirectory(directory);
        WriteFiles(directory, CertificateFile, KeyFile, root, key);
        return new CertificateAuthority(directory, root);
    }

    /// <summary>Opens the root created by <see cref="Init"/>.</summary>
    public static CertificateAuthority Load(string directory)
    {
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
            throw new FileNotFoundException($"No certificate authority in {Path.GetFullPath(directory)}: run `beltline ca init` first.", certificatePath);
        return new CertificateAuthority(directory, X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
    }

    /// <summary>
    /// A broker certificate: server and client authentication (brokers talk to each other over TLS too), with the
    /// DNS names and addresses clients connect to as subject alternative names.
    /// </summary>
    public IssuedFiles IssueBroker(string name, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, TimeSpan validity)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
            names.AddDnsName(dns);
        foreach (var address in addresses)
            names.AddIpAddress(address);
        return Issue(name, name, validity, [Oids.ServerAuth, Oids.ClientAuth], names.Build());
    }

    /// <summary>A client certificate: client authentication, its subject <c>CN=<paramref name="commonName"/></c> the principal.</summary>
    public IssuedFiles IssueClient(string commonName, TimeSpan validity) =>
        Issue(commonName, commonName, validity, [Oids.ClientAuth], null);

    private IssuedFiles Issue(string fileName, string commonName, TimeSpan validity, string[] usages, X509Extension? alternativeNames)
    {
        if (string.IsNullOrWhiteSpace(commonName) || fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || fileName is "ca")
            throw new ArgumentException($"'{fileName}' cannot name a certificate: use letters, digits, dots, dashes or underscores (not 'ca').");
        if (validity <= TimeSpan.Zero)
            throw new ArgumentException("A certificate's validity must be positive.");
        using var key = RSA.Create(KeySize);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        var usageOids = new OidCollection();
        foreach (var usage in usages)
            usageOids.Add(new Oid(usage));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usageOids, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (alternativeNames is not null)
            request.CertificateExtensions.Add(alternativeNames);
        var now = DateTimeOffset.UtcNow;
        var notAfter = now.Add(validity) < _root.NotAfter ? now.Add(validity) : new DateTimeOffset(_root.NotAfter);   // never outlives its issuer
        using var certificate = request.Create(_root, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        WriteFiles(Directory, fileName + ".crt", fileName + ".key", certificate, key);
        return new IssuedFiles(Path.Combine(Directory, fileName + ".crt"), Path.Combine(Directory, fileName + ".key"));
    }

    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
            System.IO.Directory.CreateDirectory(directory);
        else
            System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Writes the certificate and then the key, created owner-only (never world-readable, not even briefly).</summary>
    private static void WriteFiles(string directory, string certificateFile, string keyFile, X509Certificate2 certificate, RSA key)
    {
        File.WriteAllText(Path.Combine(directory, certificateFile), certificate.ExportCertificatePem() + "\n");
        var keyPath = Path.Combine(directory, keyFile);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        using (var stream = new FileStream(keyPath, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(key.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(keyPath, OwnerOnly);   // an existing file keeps its mode on overwrite
    }

    private static class Oids
    {
        public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
        public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    }
}
