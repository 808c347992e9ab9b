using System.Globalization;
using Beltline.Broker.Metadata;

namespace Beltline.Broker.Storage;

/// <summary>The effective configs one partition log acts on, parsed once when the topic's configs change.</summary>
public sealed record LogConfig
{
    public int SegmentBytes { get; init; } = 1073741824;
    public long SegmentMs { get; init; } = 604800000;
    public long RetentionMs { get; init; } = 604800000;
    public long RetentionBytes { get; init; } = -1;
    public int IndexIntervalBytes { get; init; } = 4096;
    public int MaxMessageBytes { get; init; } = 1048588;
    public long FlushMessages { get; init; } = long.MaxValue;
    public long FlushMs { get; init; } = long.MaxValue;
    public bool LogAppendTime { get; init; }
    public long TimestampBeforeMaxMs { get; init; } = long.MaxValue;
    public long TimestampAfterMaxMs { get; init; } = long.MaxValue;
    public bool Delete { get; init; } = true;
    public bool Compact { get; init; }

    /// <summary>compression.type: the codec batches are stored with, or null for "producer" (as sent).</summary>
    public Beltline.Protocol.Records.CompressionType? Compression { get; init; }
    public long DeleteRetentionMs { get; init; } = 86400000;
    public double MinCleanableDirtyRatio { get; init; } = 0.5;
    public long MinCompactionLagMs { get; init; }
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary>
    /// The most a compressed batch may inflate to when the broker reads its records (ListOffsets by timestamp);
    /// larger is treated as corrupt (a decompression bomb). Not a topic config.
    /// </summary>
    public int MaxDecompressedBatchBytes { get; init; } = Beltline.Protocol.Records.Compression.DefaultMaxDecompressedBytes;

    /// <summary>Builds the config from effective values (overrides over broker defaults over Kafka defaults).</summary>
    public static LogConfig From(Func<string, string> effective)
    {
        long Long(string name) => long.Parse(effective(name), CultureInfo.InvariantCulture);
        int Int(string name) => int.Parse(effective(name), CultureInfo.InvariantCulture);
        var policies = effective(TopicConfigs.CleanupPolicy).Split(',', StringSplitOptions.TrimEntries);
        // Kafka 3.6: message.timestamp.difference.max.ms still bounds both directions unless the newer pair is set.
        var difference = Long(TopicConfigs.MessageTimestampDifferenceMaxMs);
        return new LogConfig
        {
            SegmentBytes = Int(TopicConfigs.SegmentBytes),
            SegmentMs = Long(TopicConfigs.SegmentMs),
            RetentionMs = Long(TopicConfigs.RetentionMs),
            RetentionBytes = Long(TopicConfigs.RetentionBytes),
            IndexIntervalBytes = Int(TopicConfigs.IndexIntervalBytes),
            MaxMessageBytes = Int(TopicConfigs.MaxMessageBytes),
            FlushMessages = Long(TopicConfigs.FlushMessages),
            FlushMs = Long(TopicConfigs.FlushMs),
            LogAppendTime = effective(TopicConfigs.MessageTimestampType) == "LogAppendTime",
            TimestampBeforeMaxMs = Math.Min(difference, Long(TopicConfigs.MessageTimestampBeforeMaxMs)),
            TimestampAfterMaxMs = Math.Min(difference, Long(TopicConfigs.MessageTimestampAfterMaxMs)),
            Delete = policies.Contains("delete"),
            Compact = policies.Contains("compact"),
            Compression = effective(TopicConfigs.CompressionType) switch
            {
                "producer" => null,
                "uncompressed" => Beltline.Protocol.Records.CompressionType.None,
                var codec => Enum.Parse<Beltline.Protocol.Records.CompressionType>(codec, ignoreCase: true),
            },
            DeleteRetentionMs = Long(TopicConfigs.DeleteRetentionMs),
            MinCleanableDirtyRatio = double.Parse(effective(TopicConfigs.MinCleanableDirtyRatio), CultureInfo.InvariantCulture),
            MinCompactionLagMs = Long(TopicConfigs.MinCompactionLagMs),
            MaxCompactionLagMs = Long(TopicConfigs.MaxCompactionLagMs),
        };
    }
}
