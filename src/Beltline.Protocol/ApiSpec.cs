namespace Beltline.Protocol;

/// <summary>
/// What the Kafka spec (Kafka 3.x, KIP-482 flexible versions) says of one API: the version range our codecs
/// read and write, and the first version that uses compact types, tagged fields and header v2/v1.
/// What the broker advertises is its own decision (BrokerApis).
/// </summary>
public readonly record struct ApiSpec(ApiKey Key, short MinVersion, short MaxVersion, short FirstFlexibleVersion)
{
    public const short NeverFlexible = short.MaxValue;

    public bool IsFlexible(short version) => version >= FirstFlexibleVersion;

    public bool Covers(short version) => version >= MinVersion && version <= MaxVersion;

    private static readonly Dictionary<ApiKey, ApiSpec> Specs = new ApiSpec[]
    {
        new(ApiKey.Produce, 0, 10, 9),
        new(ApiKey.Fetch, 0, 16, 12),
        new(ApiKey.ListOffsets, 0, 8, 6),
        new(ApiKey.Metadata, 0, 12, 9),
        new(ApiKey.OffsetCommit, 0, 9, 8),
        new(ApiKey.OffsetFetch, 0, 9, 6),
        new(ApiKey.FindCoordinator, 0, 6, 3),
        new(ApiKey.JoinGroup, 0, 9, 6),
        new(ApiKey.Heartbeat, 0, 4, 4),
        new(ApiKey.LeaveGroup, 0, 5, 4),
        new(ApiKey.SyncGroup, 0, 5, 4),
        new(ApiKey.DescribeGroups, 0, 5, 5),
        new(ApiKey.ListGroups, 0, 5, 3),
        new(ApiKey.SaslHandshake, 0, 1, NeverFlexible),
        new(ApiKey.ApiVersions, 0, 3, 3),
        new(ApiKey.CreateTopics, 0, 7, 5),
        new(ApiKey.DeleteTopics, 0, 6, 4),
        new(ApiKey.DeleteRecords, 0, 2, 2),
        new(ApiKey.InitProducerId, 0, 5, 2),
        new(ApiKey.OffsetForLeaderEpoch, 0, 4, 4),
        new(ApiKey.AddPartitionsToTxn, 0, 5, 3),
        new(ApiKey.AddOffsetsToTxn, 0, 4, 3),
        new(ApiKey.EndTxn, 0, 4, 3),
        new(ApiKey.WriteTxnMarkers, 0, 1, 1),
        new(ApiKey.TxnOffsetCommit, 0, 4, 3),
        new(ApiKey.DescribeAcls, 0, 3, 2),
        new(ApiKey.CreateAcls, 0, 3, 2),
        new(ApiKey.DeleteAcls, 0, 3, 2),
        new(ApiKey.DescribeConfigs, 0, 4, 4),
        new(ApiKey.AlterConfigs, 0, 2, 2),
        new(ApiKey.DescribeLogDirs, 0, 4, 2),
        new(ApiKey.SaslAuthenticate, 0, 2, 2),
        new(ApiKey.CreatePartitions, 0, 3, 2),
        new(ApiKey.DeleteGroups, 0, 2, 2),
        new(ApiKey.IncrementalAlterConfigs, 0, 1, 1),
        new(ApiKey.OffsetDelete, 0, 0, NeverFlexible),
        new(ApiKey.DescribeUserScramCredentials, 0, 0, 0),
        new(ApiKey.AlterUserScramCredentials, 0, 0, 0),
        new(ApiKey.DescribeCluster, 0, 1, 0),
        new(ApiKey.DescribeProducers, 0, 0, 0),
        new(ApiKey.DescribeTransactions, 0, 0, 0),
        new(ApiKey.ListTransactions, 0, 1, 0),
        new(ApiKey.ConsumerGroupHeartbeat, 0, 1, 0),
        new(ApiKey.ConsumerGroupDescribe, 0, 0, 0),
        new(ApiKey.GetTelemetrySubscriptions, 0, 0, 0),
        new(ApiKey.PushTelemetry, 0, 0, 0),
    }.ToDictionary(s => s.Key);

    public static bool TryGet(ApiKey key, out ApiSpec spec) => Specs.TryGetValue(key, out spec);

    public static ApiSpec Get(ApiKey key) =>
        Specs.TryGetValue(key, out var spec) ? spec : throw new ArgumentOutOfRangeException(nameof(key), key, "Unknown API key.");

    /// <summary>Request header v2 for flexible versions, else v1 (v0 only for ControlledShutdown v0, not served).</summary>
    public static bool UsesFlexibleRequestHeader(ApiKey key, short version) => Get(key).IsFlexible(version);

    /// <summary>Response header v1 for flexible versions, except ApiVersions, whose response always uses v0 (KIP-511).</summary>
    public static bool UsesFlexibleResponseHeader(ApiKey key, short version) =>
        key != ApiKey.ApiVersions && Get(key).IsFlexible(version);
}
