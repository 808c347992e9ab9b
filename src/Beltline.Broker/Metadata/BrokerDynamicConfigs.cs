namespace Beltline.Broker.Metadata;

/// <summary>
/// Broker configs Kafka lets AlterConfigs change per broker at run time (DynamicBrokerConfig) that this single node
/// stores and reports without acting on: listener security settings (ssl.*, sasl.*, listener.name.*), thread
/// counts, connection limits and log cleaner tuning. Clients and tools that set them get Kafka's answer instead of
/// INVALID_CONFIG; the topic-default configs (log.retention.ms, …) are validated and applied as before.
/// </summary>
internal static class BrokerDynamicConfigs
{
    private static readonly string[] Prefixes = ["ssl.", "sasl.", "listener.name."];

    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "background.threads", "num.io.threads", "num.network.threads", "num.replica.fetchers", "num.recovery.threads.per.data.dir",
        "max.connections", "max.connections.per.ip", "max.connections.per.ip.overrides", "max.connection.creation.rate",
        "log.cleaner.threads", "log.cleaner.io.max.bytes.per.second", "log.cleaner.dedupe.buffer.size", "log.cleaner.io.buffer.size",
        "log.cleaner.io.buffer.load.factor", "log.cleaner.backoff.ms", "metric.reporters", "principal.builder.class",
        "follower.replication.throttled.rate", "leader.replication.throttled.rate",
        "replica.alter.log.dirs.io.max.bytes.per.second",
    };

    public static bool IsStoredOnly(string name) => Names.Contains(name) || Prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Passwords and JAAS settings: stored, never described back (Kafka reports them as sensitive, without a value).</summary>
    public static bool IsSensitive(string name) =>
        name.Contains("password", StringComparison.Ordinal) || name.EndsWith("jaas.config", StringComparison.Ordinal);
}
