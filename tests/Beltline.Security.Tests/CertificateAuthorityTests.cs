using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Beltline.Security.Tests;

/// <summary>The local CA: the root the workshop's template describes, and broker and client certificates that chain to it.</summary>
public sealed class CertificateAuthorityTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "beltline-ca-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A file's Unix permissions (the line runs on Linux; Windows has none to check).</summary>
    private static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(path);

    private static bool Chains(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    [Fact]
    public void Init_makes_the_templates_root_with_an_owner_only_key()
    {
        var ca = CertificateAuthority.Init(_dir);

        var root = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_dir, "ca.crt")));
        Assert.Equal("CN=MyMSKPCA", root.Subject);
        Assert.Equal(root.Subject, root.Issuer);
        Assert.Equal("sha256RSA", root.SignatureAlgorithm.FriendlyName);
        Assert.Equal(2048, root.GetRSAPublicKey()!.KeySize);
        Assert.InRange((root.NotAfter - root.NotBefore).TotalDays, 3650, 3654);
        Assert.True(root.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(Path.Combine(_dir, "ca.key")));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(_dir, "ca.key")));
        Assert.Equal(root.Thumbprint, ca.Root.Thumbprint);
    }

    [Fact]
    public void Init_refuses_to_replace_a_root_unless_forced()
    {
        var first = CertificateAuthority.Init(_dir);
        var error = Assert.Throws<InvalidOperationException>(() => CertificateAuthority.Init(_dir));
        Assert.Contains("already exists", error.Message);
        Assert.NotEqual(first.Root.Thumbprint, CertificateAuthority.Init(_dir, overwrite: true).Root.Thumbprint);
    }

    [Fact]
    public void Load_without_a_root_says_to_run_init()
    {
        var error = Assert.Throws<FileNotFoundException>(() => CertificateAuthority.Load(_dir));
        Assert.Contains("beltline ca init", error.Message);
    }

    [Fact]
    public void A_broker_certificate_chains_to_the_root_and_names_the_addresses_clients_dial()
    {
        CertificateAuthority.Init(_dir);
        var files = CertificateAuthority.Load(_dir).IssueBroker("broker", ["localhost"], [IPAddress.Loopback], TimeSpan.FromDays(365));

        var broker = X509Certificate2.CreateFromPemFile(files.CertificatePath, files.KeyPath);
        Assert.True(broker.HasPrivateKey);
        Assert.True(Chains(broker, CertificateAuthority.Load(_dir).Root));
        Assert.True(broker.MatchesHostname("localhost"));
        Assert.True(broker.MatchesHostname("127.0.0.1"));
        Assert.False(broker.MatchesHostname("example.com"));
        var usages = broker.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToList();
        Assert.Contains("1.3.6.1.5.5.7.3.1", usages);   // server auth
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(files.KeyPath));
    }

    [Fact]
    public void A_client_certificate_carries_its_principal_and_only_its_own_ca_accepts_it()
    {
        var ca = CertificateAuthority.Init(_dir);
        var files = ca.IssueClient("nancy", TimeSpan.FromDays(30));
        var nancy = X509Certificate2.CreateFromPemFile(files.CertificatePath, files.KeyPath);
        Assert.Equal("CN=nancy", nancy.Subject);
        Assert.Equal("CN=MyMSKPCA", nancy.Issuer);
        Assert.True(Chains(nancy, ca.Root));
        Assert.InRange((nancy.NotAfter - DateTime.UtcNow).TotalDays, 29, 31);

        var other = CertificateAuthority.Init(Path.Combine(_dir, "other"), "SomeoneElsesCA");
        Assert.False(Chains(nancy, other.Root));
    }

    [Theory]
    [InlineData("ca")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Names_that_cannot_be_files_are_refused(string name)
    {
        var ca = CertificateAuthority.Init(_dir);
        Assert.Throws<ArgumentException>(() => ca.IssueClient(name, TimeSpan.FromDays(1)));
    }
}
