using Beltline.Broker.Network;

namespace Beltline.Broker;

/// <summary>Settings of one broker node. Defaults mirror a single Kafka 3.6 broker where Kafka has one.</summary>
public sealed record BrokerOptions
{
    public int NodeId { get; init; } = 1;

    /// <summary>Bind address, also advertised to clients. 127.0.0.1 rather than localhost: librdkafka may resolve localhost to ::1.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Host clients are told to connect to (advertised.listeners); null advertises <see cref="Host"/>.</summary>
    public string? AdvertisedHost { get; init; }

    /// <summary>What Metadata and DescribeCluster tell clients to connect to.</summary>
    public string EffectiveAdvertisedHost => AdvertisedHost ?? Host;

    /// <summary>Listeners (name, port, security protocol); port 0 picks a free port.</summary>
    public IReadOnlyList<ListenerOptions> Listeners { get; init; } = [new("PLAINTEXT", 9092, SecurityProtocol.Plaintext)];

    public string DataDir { get; init; } = Path.Combine(".beltline", "data");

    /// <summary>Partitions of auto-created topics and of CreateTopics with num_partitions -1 (num.partitions).</summary>
    public int DefaultPartitions { get; init; } = 1;

    /// <summary>auto.create.topics.enable.</summary>
    public bool AutoCreateTopics { get; init; } = true;

    /// <summary>When true, acks=all produce responses wait for fsync (batched across requests: group commit).</summary>
    public bool Durable { get; init; }

    /// <summary>
    /// Segment files use direct I/O (O_DIRECT) where the file system allows, bypassing the page cache; false
    /// writes through the page cache as Kafka does. See docs/storage.md for the measurements behind the default.
    /// </summary>
    public bool DirectIo { get; init; } = true;

    /// <summary>Port of the HTTP /metrics endpoint (Prometheus text format); null disables it.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>socket.request.max.bytes: larger frames close the connection.</summary>
    public int MaxFrameBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>SCRAM users' salted credentials; default <c>{DataDir}/security/scram-credentials.json</c>.</summary>
    public string? CredentialsFile { get; init; }

    public string EffectiveCredentialsFile => CredentialsFile ?? Path.Combine(DataDir, "security", "scram-credentials.json");

    /// <summary>
    /// Kafka's authorizer (authorizer.class.name set): every request is checked against the ACLs, and what no ACL
    /// allows is denied (allow.everyone.if.no.acl.found=false). Off: everyone may do everything, and the ACL APIs
    /// answer SECURITY_DISABLED, as Kafka without an authorizer.
    /// </summary>
    public bool AuthorizerEnabled { get; init; }

    /// <summary>Principals allowed everything (super.users), e.g. <c>User:admin</c>.</summary>
    public IReadOnlySet<string> SuperUsers { get; init; } = new HashSet<string>();

    /// <summary>The ACLs; default <c>{DataDir}/security/acls.json</c>.</summary>
    public string EffectiveAclsFile => Path.Combine(DataDir, "security", "acls.json");

    /// <summary>KIP-368's connections.max.reauth.ms: how long a SASL session lasts before the client must re-authenticate (null: forever).</summary>
    public TimeSpan? SaslSessionLifetime { get; init; }

    /// <summary>log.retention.check.interval.ms.</summary>
    public TimeSpan RetentionCheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>log.flush.scheduler.interval.ms: how often flush.ms is checked.</summary>
    public TimeSpan FlushCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>log.cleaner.backoff.ms: how often the cleaner looks for compacted logs that are due.</summary>
    public TimeSpan CleanerInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Broker-wide defaults for topic configs, by Kafka topic config name (e.g. retention.ms).</summary>
    public IReadOnlyDictionary<string, string> TopicConfigDefaults { get; init; } = new Dictionary<string, string>();

    /// <summary>The group coordinator's settings (group.* and offsets.* broker configs).</summary>
    public Groups.GroupCoordinatorOptions Groups { get; init; } = new();

    /// <summary>The clock of session and rebalance deadlines; tests pass a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Logging; null logs nothing.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Fails fast, with a message naming the setting, on values that cannot work.</summary>
    public void Validate()
    {
        if (NodeId < 0)
            throw new ArgumentException($"node id must be >= 0, got {NodeId}.");
        if (!System.Net.IPAddress.TryParse(Host, out var bind))
            throw new ArgumentException($"host must be an IP address to bind, got '{Host}'.");
        if ((bind.Equals(System.Net.IPAddress.Any) || bind.Equals(System.Net.IPAddress.IPv6Any)) && string.IsNullOrWhiteSpace(AdvertisedHost))
            throw new ArgumentException($"host {Host} binds every interface, which clients cannot connect to: give an advertised host.");
        if (AdvertisedHost is not null && (AdvertisedHost.Length == 0 || AdvertisedHost.Any(c => char.IsWhiteSpace(c) || c == ':')))
            throw new ArgumentException($"advertised host '{AdvertisedHost}' is not a host name or IPv4 address.");
        if (Listeners.Count == 0)
            throw new ArgumentException("at least one listener is required.");
        foreach (var listener in Listeners)
        {
            if (listener.Port is < 0 or > 65535)
                throw new ArgumentException($"listener {listener.Name}: port {listener.Port} is not in 0-65535.");
            if (listener.UsesSasl && listener.SaslMechanisms.Count == 0)
                throw new ArgumentException($"listener {listener.Name}: {listener.SecurityProtocol} needs at least one SASL mechanism.");
            if (listener.SaslMechanisms.FirstOrDefault(m => m is not ("SCRAM-SHA-256" or "SCRAM-SHA-512" or "PLAIN")) is { } unknown)
                throw new ArgumentException($"listener {listener.Name}: SASL mechanism {unknown} is not one of SCRAM-SHA-512, SCRAM-SHA-256, PLAIN.");
            if (listener.UsesTls && listener.Tls is null)
                throw new ArgumentException($"listener {listener.Name}: {listener.SecurityProtocol} needs a certificate and key.");
        }
        if (Listeners.Select(l => l.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != Listeners.Count)
            throw new ArgumentException("listener names must be unique.");
        if (string.IsNullOrWhiteSpace(DataDir))
            throw new ArgumentException("data dir must not be empty.");
        if (DefaultPartitions < 1)
            throw new ArgumentException($"default partitions must be >= 1, got {DefaultPartitions}.");
        if (MetricsPort is < 0 or > 65535)
            throw new ArgumentException($"metrics port {MetricsPort} is not in 0-65535.");
        if (MaxFrameBytes < 1024)
            throw new ArgumentException($"max frame bytes must be >= 1024, got {MaxFrameBytes}.");
    }
}
