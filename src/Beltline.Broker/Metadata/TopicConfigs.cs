using System.Globalization;
using Beltline.Protocol.Messages;

namespace Beltline.Broker.Metadata;

/// <summary>One topic-level config as Kafka 3.6 defines it: type, default, the broker settings that stand behind it.</summary>
public sealed record TopicConfigDefinition(
    string Name,
    ConfigType Type,
    string Default,
    string Documentation,
    IReadOnlyList<string> BrokerSynonyms,
    Func<string, string?> Validate)
{
    /// <summary>Whether Beltline acts on this config (the others are accepted and stored, as a single-node Kafka ignores replication settings).</summary>
    public bool Enforced { get; init; } = true;
}

/// <summary>The topic configs a Kafka 3.6 topic has, with Kafka's names, defaults and validation.</summary>
public static class TopicConfigs
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string CompressionType = "compression.type";
    public const string DeleteRetentionMs = "delete.retention.ms";
    public const string FileDeleteDelayMs = "file.delete.delay.ms";
    public const string FlushMessages = "flush.messages";
    public const string FollowerReplicationThrottledReplicas = "follower.replication.throttled.replicas";
    public const string LeaderReplicationThrottledReplicas = "leader.replication.throttled.replicas";
    public const string LocalRetentionBytes = "local.retention.bytes";
    public const string LocalRetentionMs = "local.retention.ms";
    public const string MessageDownconversionEnable = "message.downconversion.enable";
    public const string MessageFormatVersion = "message.format.version";
    public const string UncleanLeaderElectionEnable = "unclean.leader.election.enable";
    public const string FlushMs = "flush.ms";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string MaxCompactionLagMs = "max.compaction.lag.ms";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string MessageTimestampType = "message.timestamp.type";
    public const string MessageTimestampDifferenceMaxMs = "message.timestamp.difference.max.ms";
    public const string MessageTimestampBeforeMaxMs = "message.timestamp.before.max.ms";
    public const string MessageTimestampAfterMaxMs = "message.timestamp.after.max.ms";
    public const string MinCleanableDirtyRatio = "min.cleanable.dirty.ratio";
    public const string MinCompactionLagMs = "min.compaction.lag.ms";
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string Preallocate = "preallocate";
    public const string RetentionBytes = "retention.bytes";
    public const string RetentionMs = "retention.ms";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentIndexBytes = "segment.index.bytes";
    public const string SegmentJitterMs = "segment.jitter.ms";
    public const string SegmentMs = "segment.ms";

    private const string LongMax = "9223372036854775807";

    public static readonly IReadOnlyList<TopicConfigDefinition> All =
    [
        new(CleanupPolicy, ConfigType.List, "delete", "The retention policy for log segments: \"delete\" discards old segments, \"compact\" keeps the latest value per key.",
            ["log.cleanup.policy"], v => ListOf(v, "delete", "compact")),
        new(CompressionType, ConfigType.String, "producer", "The compression of the topic's batches; \"producer\" keeps the codec the producer chose.",
            ["compression.type"], v => OneOf(v, "uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")),
        new(DeleteRetentionMs, ConfigType.Long, "86400000", "How long delete tombstones are kept for compacted topics.",
            ["log.cleaner.delete.retention.ms"], v => LongAtLeast(v, 0)),
        new(FileDeleteDelayMs, ConfigType.Long, "60000", "Time to wait before deleting a file from the filesystem.",
            ["log.segment.delete.delay.ms"], v => LongAtLeast(v, 0)) { Enforced = false },
        new(FlushMessages, ConfigType.Long, LongMax, "Force an fsync of the log after this many messages.",
            ["log.flush.interval.messages"], v => LongAtLeast(v, 1)),
        new(FlushMs, ConfigType.Long, LongMax, "Force an fsync of the log after this many milliseconds.",
            ["log.flush.interval.ms"], v => LongAtLeast(v, 0)),
        new(FollowerReplicationThrottledReplicas, ConfigType.List, "", "Replicas whose log replication followers throttle (no followers on a single node).",
            ["follower.replication.throttled.replicas"], _ => null) { Enforced = false },
        new(IndexIntervalBytes, ConfigType.Int, "4096", "How often (in bytes of log) an entry is added to the offset index.",
            ["log.index.interval.bytes"], v => IntAtLeast(v, 0)),
        new(LeaderReplicationThrottledReplicas, ConfigType.List, "", "Replicas whose log replication the leader throttles (no followers on a single node).",
            ["leader.replication.throttled.replicas"], _ => null) { Enforced = false },
        new(LocalRetentionBytes, ConfigType.Long, "-2", "Tiered storage: bytes kept locally; -2 means retention.bytes.",
            ["log.local.retention.bytes"], v => LongAtLeast(v, -2)) { Enforced = false },
        new(LocalRetentionMs, ConfigType.Long, "-2", "Tiered storage: time kept locally; -2 means retention.ms.",
            ["log.local.retention.ms"], v => LongAtLeast(v, -2)) { Enforced = false },
        new(MaxCompactionLagMs, ConfigType.Long, LongMax, "The maximum time a message will remain ineligible for compaction.",
            ["log.cleaner.max.compaction.lag.ms"], v => LongAtLeast(v, 1)),
        new(MaxMessageBytes, ConfigType.Int, "1048588", "The largest record batch size allowed, after compression.",
            ["message.max.bytes"], v => IntAtLeast(v, 0)),
        new(MessageDownconversionEnable, ConfigType.Boolean, "true", "Whether old consumers may get down-converted batches (Beltline serves v2 batches only).",
            ["log.message.downconversion.enable"], Boolean) { Enforced = false },
        new(MessageFormatVersion, ConfigType.String, "3.0-IV1", "Deprecated: ignored from inter.broker.protocol.version 3.0 on, as here; batches stay v2.",
            ["log.message.format.version"], KafkaVersion) { Enforced = false },
        new(MessageTimestampType, ConfigType.String, "CreateTime", "Whether record timestamps are the producer's (CreateTime) or the broker's append time (LogAppendTime).",
            ["log.message.timestamp.type"], v => OneOf(v, "CreateTime", "LogAppendTime")),
        new(MessageTimestampDifferenceMaxMs, ConfigType.Long, LongMax, "The maximum difference allowed between a CreateTime timestamp and the broker's time.",
            ["log.message.timestamp.difference.max.ms"], v => LongAtLeast(v, 0)),
        new(MessageTimestampBeforeMaxMs, ConfigType.Long, LongMax, "How far in the past a CreateTime timestamp may be.",
            ["log.message.timestamp.before.max.ms"], v => LongAtLeast(v, 0)),
        new(MessageTimestampAfterMaxMs, ConfigType.Long, LongMax, "How far in the future a CreateTime timestamp may be.",
            ["log.message.timestamp.after.max.ms"], v => LongAtLeast(v, 0)),
        new(MinCleanableDirtyRatio, ConfigType.Double, "0.5", "The minimum ratio of dirty log to total log for the cleaner to compact.",
            ["log.cleaner.min.cleanable.ratio"], v => DoubleBetween(v, 0, 1)),
        new(MinCompactionLagMs, ConfigType.Long, "0", "The minimum time a message will remain uncompacted.",
            ["log.cleaner.min.compaction.lag.ms"], v => LongAtLeast(v, 0)),
        new(MinInsyncReplicas, ConfigType.Int, "1", "The minimum number of in-sync replicas for acks=all (always met by a single node).",
            ["min.insync.replicas"], v => IntAtLeast(v, 1)) { Enforced = false },
        new(Preallocate, ConfigType.Boolean, "false", "Whether to preallocate segment files.",
            ["log.preallocate"], Boolean) { Enforced = false },
        new(RetentionBytes, ConfigType.Long, "-1", "The maximum size a partition log may grow to before old segments are discarded; -1 means no limit.",
            ["log.retention.bytes"], v => LongAtLeast(v, -1)),
        new(RetentionMs, ConfigType.Long, "604800000", "How long a segment is kept after its newest record; -1 means no limit.",
            ["log.retention.ms", "log.retention.minutes", "log.retention.hours"], v => LongAtLeast(v, -1)),
        new(SegmentBytes, ConfigType.Int, "1073741824", "The segment file size of the log.",
            ["log.segment.bytes"], v => IntAtLeast(v, 14)),
        new(SegmentIndexBytes, ConfigType.Int, "10485760", "The size of the offset index.",
            ["log.index.size.max.bytes"], v => IntAtLeast(v, 4)) { Enforced = false },
        new(SegmentJitterMs, ConfigType.Long, "0", "The maximum random jitter subtracted from segment.ms.",
            ["log.roll.jitter.ms", "log.roll.jitter.hours"], v => LongAtLeast(v, 0)) { Enforced = false },
        new(SegmentMs, ConfigType.Long, "604800000", "The period after which the active segment is rolled even if not full.",
            ["log.roll.ms", "log.roll.hours"], v => LongAtLeast(v, 1)),
        new(UncleanLeaderElectionEnable, ConfigType.Boolean, "false", "Whether an out-of-sync replica may become leader (one replica here: never out of sync).",
            ["unclean.leader.election.enable"], Boolean) { Enforced = false },
    ];

    private static readonly Dictionary<string, TopicConfigDefinition> ByName = All.ToDictionary(d => d.Name);

    public static bool TryGet(string name, out TopicConfigDefinition definition) => ByName.TryGetValue(name, out definition!);

    /// <summary>Null when every entry names a known config with a valid value; else the message for INVALID_CONFIG.</summary>
    public static string? ValidateAll(IEnumerable<KeyValuePair<string, string?>> configs)
    {
        foreach (var (name, value) in configs)
        {
            if (!ByName.TryGetValue(name, out var definition))
                return $"Unknown topic config name: {name}";
            if (value is null)
                return $"Null value not supported for topic config {name}.";
            if (definition.Validate(value) is { } error)
                return $"Invalid value {value} for configuration {name}: {error}";
        }
        return null;
    }

    private static string? OneOf(string value, params string[] allowed) =>
        allowed.Contains(value, StringComparer.Ordinal) ? null : $"String must be one of: {string.Join(", ", allowed)}";

    private static string? ListOf(string value, params string[] allowed)
    {
        var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
            return "List must not be empty.";
        return items.All(i => allowed.Contains(i, StringComparer.Ordinal)) ? null : $"List items must be among: {string.Join(", ", allowed)}";
    }

    private static string? LongAtLeast(string value, long min) =>
        !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? "Not a number of type LONG"
        : parsed < min ? $"Value must be at least {min}" : null;

    private static string? IntAtLeast(string value, int min) =>
        !int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? "Not a number of type INT"
        : parsed < min ? $"Value must be at least {min}" : null;

    private static string? DoubleBetween(string value, double min, double max) =>
        !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? "Not a number of type DOUBLE"
        : parsed < min || parsed > max ? $"Value must be between {min} and {max}" : null;

    /// <summary>A Kafka release or metadata version as message.format.version takes them: 0.10.0, 2.8, 3.0-IV1.</summary>
    private static string? KafkaVersion(string value) =>
        System.Text.RegularExpressions.Regex.IsMatch(value, @"^\d+\.\d+(\.\d+){0,2}(-IV\d+)?$") ? null : $"Version `{value}` is not a valid version";

    private static string? Boolean(string value) =>
        value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase) ? null : "Expected value to be either true or false";
}
