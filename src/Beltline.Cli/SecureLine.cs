using System.Net;
using System.Security.Cryptography;
using Beltline.Broker;
using Beltline.Broker.Network;
using Beltline.Line.Kafka;
using Beltline.Line.ClickstreamProcessor;
using Beltline.Security;
using Beltline.Security.Acls;
using Beltline.Security.Sasl;
using Confluent.Kafka;
using SecurityProtocol = Beltline.Broker.Network.SecurityProtocol;

namespace Beltline.Cli;

/// <summary>
/// What <c>up --secure</c> sets up, like the workshop's secured MSK cluster: a private CA (the ACM PCA twin) with the
/// broker's and nancy's certificates, SCRAM users whose secrets exist only as salted keys, and least-privilege ACLs:
/// each station its own principal, alice the seed's demo user (denied topic testiamfail), admin the super user (also
/// the search store's master user and the dashboard's login). Everything is made once in the data dir and reused by
/// the next <c>up --secure</c>; ready-to-use client property files land in <c>{data}/clients/</c>.
/// </summary>
internal sealed class SecureLine
{
    public const string Admin = "admin";
    public const string Alice = "alice";
    public const string AliceDeniedTopic = "testiamfail";
    public const string OrderProducer = "order-producer";
    public const string ClickstreamProducer = "clickstream-producer";
    public const string Processor = "processor";
    public const string SearchSink = "search-sink";
    public const string Dashboard = "dashboard";

    private static readonly string[] ResultTopics =
        [ClickstreamJobOptions.DefaultSessionsTopic, ClickstreamJobOptions.DefaultSessionCountsTopic, ClickstreamJobOptions.DefaultDepartmentsTopic];

    private readonly Dictionary<string, string> _passwords;

    public string CaDirectory { get; }
    public string ClientsDirectory { get; }
    public string CaCertificate => Path.Combine(CaDirectory, CertificateAuthority.CertificateFile);
    public TlsSettings BrokerTls { get; }
    public string AdminPassword => _passwords[Admin];

    /// <summary>SASL_SSL bootstrap address, once the broker listens.</summary>
    public string SaslBootstrap { get; private set; } = "";

    private SecureLine(string root, Dictionary<string, string> passwords, TlsSettings brokerTls)
    {
        CaDirectory = Path.Combine(root, "ca");
        ClientsDirectory = Path.Combine(root, "clients");
        _passwords = passwords;
        BrokerTls = brokerTls;
    }

    /// <summary>Makes (or finds) the CA, certificates, users and ACLs under <paramref name="root"/>; the broker is not running yet.</summary>
    public static SecureLine Prepare(string root, BrokerOptions broker)
    {
        var caDirectory = Path.Combine(root, "ca");
        var ca = File.Exists(Path.Combine(caDirectory, CertificateAuthority.CertificateFile))
            ? CertificateAuthority.Load(caDirectory)
            : CertificateAuthority.Init(caDirectory);
        var brokerFiles = File.Exists(Path.Combine(caDirectory, "broker.crt"))
            ? new IssuedFiles(Path.Combine(caDirectory, "broker.crt"), Path.Combine(caDirectory, "broker.key"))
            : ca.IssueBroker("broker", ["localhost"], [IPAddress.Loopback], TimeSpan.FromDays(825));
        if (!File.Exists(Path.Combine(caDirectory, "nancy.crt")))
            ca.IssueClient("nancy", TimeSpan.FromDays(825));

        // Passwords: the seed's for alice; generated for the others, kept in their client files.
        var clients = Path.Combine(root, "clients");
        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in new[] { Admin, Alice, OrderProducer, ClickstreamProducer, Processor, SearchSink, Dashboard })
            passwords[user] = ReadPassword(Path.Combine(clients, user + ".properties"))
                ?? (user == Alice ? "alice-secret" : RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 24));
        var users = CredentialStore.Open(broker.EffectiveCredentialsFile);
        foreach (var (user, password) in passwords)
            if (users.Find(user, ScramMechanism.Sha512) is not { } existing || !existing.Matches(ScramMechanism.Sha512, password))
                users.Set(user, ScramMechanism.Sha512, ScramCredential.FromPassword(ScramMechanism.Sha512, password));

        AclStore.Open(broker.EffectiveAclsFile).Add(LeastPrivilege());
        return new SecureLine(root, passwords, TlsSettings.Load(brokerFiles.CertificatePath, brokerFiles.KeyPath, Path.Combine(caDirectory, CertificateAuthority.CertificateFile)));
    }

    /// <summary>Each station may do its job and nothing else; alice and nancy are the workshop's client users.</summary>
    private static IEnumerable<AclEntry> LeastPrivilege()
    {
        static AclEntry Allow(string user, ResourceType type, string name, AclOperation operation, PatternType pattern = PatternType.Literal) =>
            new(type, name, pattern, "User:" + user, "*", operation, AclPermission.Allow);

        yield return Allow(OrderProducer, ResourceType.Topic, FactoryLine.OrdersTopic, AclOperation.Write);
        yield return Allow(OrderProducer, ResourceType.Topic, FactoryLine.OrdersTopic, AclOperation.Create);   // the function creates its topic if missing
        yield return Allow(ClickstreamProducer, ResourceType.Topic, FactoryLine.ClickstreamTopic, AclOperation.Write);
        yield return Allow(Processor, ResourceType.Topic, FactoryLine.ClickstreamTopic, AclOperation.Read);
        yield return Allow(Processor, ResourceType.Group, "flink-clickstream-processor", AclOperation.Read);
        foreach (var topic in ResultTopics)
        {
            yield return Allow(Processor, ResourceType.Topic, topic, AclOperation.Write);
            yield return Allow(SearchSink, ResourceType.Topic, topic, AclOperation.Read);
        }
        yield return Allow(SearchSink, ResourceType.Group, "search-sink", AclOperation.Read);
        yield return Allow(Dashboard, ResourceType.Topic, "*", AclOperation.Describe);
        yield return Allow(Dashboard, ResourceType.Group, "*", AclOperation.Describe);
        foreach (var user in new[] { Alice, "CN=nancy" })
        {
            yield return Allow(user, ResourceType.Topic, "*", AclOperation.All);
            yield return Allow(user, ResourceType.Group, "*", AclOperation.All);
        }
        // The template's IAM demo: alice may not read or write topic testiamfail.
        yield return new AclEntry(ResourceType.Topic, AliceDeniedTopic, PatternType.Literal, "User:" + Alice, "*", AclOperation.Read, AclPermission.Deny);
        yield return new AclEntry(ResourceType.Topic, AliceDeniedTopic, PatternType.Literal, "User:" + Alice, "*", AclOperation.Write, AclPermission.Deny);
    }

    /// <summary>The broker's listeners: MSK's SSL (mutual TLS with the CA's client certificates) and SASL_SSL ports, no PLAINTEXT.</summary>
    public IReadOnlyList<ListenerOptions> Listeners(int tlsPort, int saslPort) =>
    [
        new ListenerOptions("SSL", tlsPort, SecurityProtocol.Ssl) { Tls = BrokerTls },
        new ListenerOptions("SASL_SSL", saslPort, SecurityProtocol.SaslSsl) { Tls = BrokerTls with { ClientCa = null }, SaslMechanisms = ["SCRAM-SHA-512", "SCRAM-SHA-256"] },
    ];

    /// <summary>Writes the client property files (librdkafka names, for kcat -F and --command-config), owner-readable only.</summary>
    public void WriteClientFiles(string saslBootstrap, string tlsBootstrap)
    {
        SaslBootstrap = saslBootstrap;
        Directory.CreateDirectory(ClientsDirectory);
        foreach (var (user, _) in _passwords)
            WritePrivate(Path.Combine(ClientsDirectory, user + ".properties"), string.Join('\n', SaslProperties(user).Select(p => $"{p.Key}={p.Value}")) + "\n");
        WritePrivate(Path.Combine(ClientsDirectory, "nancy-mtls.properties"),
            $"bootstrap.servers={tlsBootstrap}\nsecurity.protocol=SSL\nssl.ca.location={CaCertificate}\n" +
            $"ssl.certificate.location={Path.Combine(CaDirectory, "nancy.crt")}\nssl.key.location={Path.Combine(CaDirectory, "nancy.key")}\n");
    }

    /// <summary>SASL_SSL settings of a user: SCRAM-SHA-512 over TLS, trusting the line's CA.</summary>
    public IEnumerable<KeyValuePair<string, string>> SaslProperties(string user) =>
    [
        new("bootstrap.servers", SaslBootstrap),
        new("security.protocol", "SASL_SSL"),
        new("sasl.mechanism", "SCRAM-SHA-512"),
        new("sasl.username", user),
        new("sasl.password", _passwords[user]),
        new("ssl.ca.location", CaCertificate),
    ];

    /// <summary>Configures an in-process station's client as <paramref name="user"/>.</summary>
    public T As<T>(T config, string user) where T : ClientConfig
    {
        foreach (var (key, value) in SaslProperties(user))
            config.Set(key, value);
        return config;
    }

    private static string? ReadPassword(string path) =>
        File.Exists(path) ? ClientProperties.Load(path).Properties.LastOrDefault(p => p.Key == "sasl.password").Value : null;

    private static void WritePrivate(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var writer = new StreamWriter(new FileStream(path, options));
        writer.Write(text);
    }
}
