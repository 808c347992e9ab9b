namespace Beltline.Broker.Groups;

/// <summary>The group coordinator's broker settings, by their Kafka names.</summary>
public sealed record GroupCoordinatorOptions
{
    /// <summary>
    /// group.initial.rebalance.delay.ms. Kafka's default is 3000, but its own quickstart config sets 0 "for a better
    /// out-of-the-box experience for development and testing", which is what a local broker is for.
    /// </summary>
    public int InitialRebalanceDelayMs { get; init; }

    /// <summary>group.min.session.timeout.ms.</summary>
    public int MinSessionTimeoutMs { get; init; } = 6000;

    /// <summary>group.max.session.timeout.ms.</summary>
    public int MaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary>group.max.size.</summary>
    public int MaxSize { get; init; } = int.MaxValue;

    /// <summary>offsets.topic.num.partitions (fixed once the topic exists).</summary>
    public int OffsetsTopicPartitions { get; init; } = 50;

    /// <summary>offsets.retention.minutes: how long offsets outlive a group that became empty.</summary>
    public TimeSpan OffsetsRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>offsets.retention.check.interval.ms.</summary>
    public TimeSpan OffsetsRetentionCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>offset.metadata.max.bytes.</summary>
    public int OffsetMetadataMaxBytes { get; init; } = 4096;

    /// <summary>The broker config names this record answers to, for --config and DescribeConfigs.</summary>
    public static readonly IReadOnlyList<string> ConfigNames =
    [
        "group.initial.rebalance.delay.ms", "group.min.session.timeout.ms", "group.max.session.timeout.ms", "group.max.size",
        "offsets.topic.num.partitions", "offsets.retention.minutes", "offsets.retention.check.interval.ms", "offset.metadata.max.bytes",
    ];

    /// <summary>A copy with one broker config applied, or an error naming what is wrong with it.</summary>
    public (GroupCoordinatorOptions? Options, string? Error) With(string name, string value)
    {
        if (!long.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 0)
            return (null, $"{name} must be a non-negative integer, got '{value}'.");
        int AsInt() => (int)Math.Min(number, int.MaxValue);
        return name switch
        {
            "group.initial.rebalance.delay.ms" => (this with { InitialRebalanceDelayMs = AsInt() }, null),
            "group.min.session.timeout.ms" => (this with { MinSessionTimeoutMs = AsInt() }, null),
            "group.max.session.timeout.ms" => (this with { MaxSessionTimeoutMs = AsInt() }, null),
            "group.max.size" when number >= 1 => (this with { MaxSize = AsInt() }, null),
            "offsets.topic.num.partitions" when number is >= 1 and <= 1000 => (this with { OffsetsTopicPartitions = AsInt() }, null),
            "offsets.retention.minutes" when number >= 1 => (this with { OffsetsRetention = TimeSpan.FromMinutes(number) }, null),
            "offsets.retention.check.interval.ms" when number >= 1 => (this with { OffsetsRetentionCheckInterval = TimeSpan.FromMilliseconds(number) }, null),
            "offset.metadata.max.bytes" => (this with { OffsetMetadataMaxBytes = AsInt() }, null),
            _ when ConfigNames.Contains(name) => (null, $"{name}={value} is out of range."),
            _ => (null, $"{name} is not a group coordinator config."),
        };
    }
}
