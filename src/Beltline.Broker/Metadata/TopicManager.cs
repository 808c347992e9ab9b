using System.Globalization;
using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Metadata;

/// <summary>A failed topic operation: the Kafka error and the message a client shows.</summary>
public readonly record struct TopicError(ErrorCode Code, string? Message)
{
    public static readonly TopicError None = new(ErrorCode.None, null);
    public bool Failed => Code != ErrorCode.None;
}

/// <summary>A config value with its source, as DescribeConfigs reports it.</summary>
public readonly record struct ConfigValue(string Name, string Value, ConfigSource Source);

/// <summary>
/// Topics and their partition logs: creation, deletion, partitions, configs, with Kafka's validation rules.
/// New logs are created before the journal records them (and removed if that fails); a deletion is journaled,
/// then its logs are renamed away. Start-up reconciles the two: directories the journal does not know are removed.
/// <para>
/// Changes are serialised by a lock; the map of logs is copy-on-write, so <see cref="GetLog"/> (every produce and
/// fetch) never waits for one. A topic being created has its (normalised) name reserved, so a concurrent create of
/// the same or a colliding name waits for the outcome instead of racing it, while its logs are created outside the lock.
/// </para>
/// </summary>
internal sealed class TopicManager : IDisposable
{
    public const int MaxTopicNameLength = 249;
    /// <summary>A guard against requests that would open tens of thousands of files.</summary>
    public const int MaxPartitionsPerTopic = 10000;

    private readonly BrokerOptions _options;
    private readonly MetadataStore _store;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    /// <summary>Replaced whole under <see cref="_lock"/>, read without it.</summary>
    private volatile Dictionary<KafkaUuid, PartitionLog[]> _logs = [];
    /// <summary>Creations in progress, by normalised name ('.' as '_'), completing when they finish either way.</summary>
    private readonly Dictionary<string, Task> _creating = new(StringComparer.Ordinal);

    public TopicManager(BrokerOptions options, MetadataStore store, ILoggerFactory loggerFactory)
    {
        _options = options;
        _store = store;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Beltline.Topics");
    }

    public string ClusterId => _store.ClusterId;

    public IReadOnlyList<TopicInfo> Topics => _store.Topics;

    public bool TryGetTopic(string name, out TopicInfo topic) => _store.TryGetTopic(name, out topic);

    public bool TryGetTopic(KafkaUuid id, out TopicInfo topic) => _store.TryGetTopic(id, out topic);

    /// <summary>Whether <paramref name="topic"/> exists with a partition <paramref name="partition"/>.</summary>
    public bool HasPartition(string topic, int partition) =>
        _store.TryGetTopic(topic, out var info) && partition >= 0 && partition < info.PartitionCount;

    public IEnumerable<PartitionLog> AllLogs => _logs.Values.SelectMany(l => l).ToList();

    /// <summary>Lock-free: reads the current snapshot of the logs map.</summary>
    public PartitionLog? GetLog(KafkaUuid topicId, int partition) =>
        _logs.TryGetValue(topicId, out var logs) && partition >= 0 && partition < logs.Length ? logs[partition] : null;

    /// <summary>Publishes a changed copy of the logs map; caller holds <see cref="_lock"/>.</summary>
    private void PublishLogs(Action<Dictionary<KafkaUuid, PartitionLog[]>> change)
    {
        var copy = new Dictionary<KafkaUuid, PartitionLog[]>(_logs);
        change(copy);
        _logs = copy;
    }

    /// <summary>
    /// Opens every topic's logs; directories of deleted or replaced topics are removed, and so are directories
    /// that deletions renamed away (<c>*-delete</c>) and did not get to remove.
    /// </summary>
    public void LoadLogs(bool cleanShutdown)
    {
        foreach (var directory in Directory.EnumerateDirectories(_options.DataDir, "*" + PartitionLog.DeletedDirectorySuffix))
        {
            if (!PartitionLog.IsDeletedDirectoryName(Path.GetFileName(directory)))
                continue;
            _logger.LogInformation("Removing {Directory}, left by a topic deletion", directory);
            PartitionLog.DeleteDirectory(directory, _logger);
        }
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in _store.Topics)
        {
            var config = BuildLogConfig(topic);
            var logs = new PartitionLog[topic.PartitionCount];
            for (var p = 0; p < logs.Length; p++)
            {
                var directory = Path.Combine(_options.DataDir, PartitionLog.DirectoryName(topic.Name, p));
                known.Add(Path.GetFullPath(directory));
                logs[p] = Directory.Exists(directory) && PartitionLog.ReadTopicId(directory) == topic.Id
                    ? PartitionLog.Open(directory, topic.Name, p, config, cleanShutdown, LogLogger, _options.DirectIo)
                    : PartitionLog.Create(_options.DataDir, topic.Name, p, topic.Id, config, LogLogger, _options.DirectIo);
            }
            lock (_lock) PublishLogs(map => map[topic.Id] = logs);
        }
        foreach (var directory in Directory.EnumerateDirectories(_options.DataDir))
        {
            if (known.Contains(Path.GetFullPath(directory)) || !File.Exists(Path.Combine(directory, PartitionLog.TopicIdFile)))
                continue;
            _logger.LogWarning("Removing stray partition directory {Directory} (its topic no longer exists)", directory);
            Directory.Delete(directory, recursive: true);
        }
    }

    private ILogger LogLogger => _loggerFactory.CreateLogger("Beltline.Log");

    /// <summary>Kafka's topic name rules (org.apache.kafka.common.internals.Topic.validate).</summary>
    public static string? ValidateTopicName(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "Topic name is illegal, it can't be empty";
        if (name is "." or "..")
            return "Topic name cannot be \".\" or \"..\"";
        if (name.Length > MaxTopicNameLength)
            return $"Topic name is illegal, it can't be longer than {MaxTopicNameLength} characters, topic name: {name}";
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                return $"Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
        return null;
    }

    /// <summary>Creates a topic (or, with <paramref name="validateOnly"/>, checks that it could be created).</summary>
    public (TopicError Error, TopicInfo? Topic) CreateTopic(string name, int partitions, short replicationFactor,
        IReadOnlyDictionary<string, string?> configs, bool validateOnly)
    {
        if (ValidateTopicName(name) is { } invalidName)
            return (new TopicError(ErrorCode.InvalidTopicException, invalidName), null);
        if (name == "__cluster_metadata")
            return (new TopicError(ErrorCode.InvalidTopicException, "The name __cluster_metadata is reserved for the metadata log."), null);
        var normalized = name.Replace('.', '_');
        TopicInfo topic;
        TaskCompletionSource reservation;
        while (true)
        {
            Task? pending;
            lock (_lock)
            {
                // As Kafka's controller: existence and collisions are checked before partitions, replication and configs.
                if (_store.TryGetTopic(name, out _))
                    return (new TopicError(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists."), null);
                if (!_creating.TryGetValue(normalized, out pending))
                {
                    var collision = _store.Topics.FirstOrDefault(t => t.Name.Replace('.', '_') == normalized);
                    if (collision is not null)
                        return (new TopicError(ErrorCode.InvalidTopicException, $"Topic '{name}' collides with existing topic: {collision.Name}"), null);
                    if (partitions == -1)
                        partitions = _options.DefaultPartitions;
                    if (partitions < 1)
                        return (new TopicError(ErrorCode.InvalidPartitions, "Number of partitions must be larger than 0."), null);
                    if (partitions > MaxPartitionsPerTopic)
                        return (new TopicError(ErrorCode.InvalidPartitions, $"Number of partitions must not exceed {MaxPartitionsPerTopic}."), null);
                    if (replicationFactor is not (-1 or 1))
                        return (new TopicError(ErrorCode.InvalidReplicationFactor,
                            replicationFactor < 1 ? "Replication factor must be larger than 0." : $"Unable to replicate the partition {replicationFactor} time(s): The target replication factor of {replicationFactor} cannot be reached because only 1 broker(s) are registered."), null);
                    if (TopicConfigs.ValidateAll(configs) is { } invalidConfig)
                        return (new TopicError(ErrorCode.InvalidConfig, invalidConfig), null);
                    topic = new TopicInfo(name, KafkaUuid.NewRandom(), partitions, configs.ToDictionary(c => c.Key, c => c.Value!));
                    if (validateOnly)
                        return (TopicError.None, topic);
                    reservation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _creating[normalized] = reservation.Task;
                    break;
                }
            }
            // The same or a colliding name is being created: its outcome decides (exists, collides, or free again).
            pending.Wait();
        }

        var logs = new List<PartitionLog>(topic.PartitionCount);
        try
        {
            // Outside the lock: up to MaxPartitionsPerTopic directories, while other topics' changes go on.
            var config = BuildLogConfig(topic);
            for (var p = 0; p < topic.PartitionCount; p++)
                logs.Add(PartitionLog.Create(_options.DataDir, name, p, topic.Id, config, LogLogger, _options.DirectIo));
            lock (_lock)
            {
                _store.AddTopic(topic);
                // Broker defaults may have changed while the logs were created.
                config = BuildLogConfig(topic);
                foreach (var log in logs)
                    log.Config = config;
                PublishLogs(map => map[topic.Id] = [.. logs]);
            }
        }
        catch
        {
            // Nothing journaled: the topic does not exist, and neither may its directories.
            foreach (var log in logs)
                log.Close(deleteFiles: true);
            throw;
        }
        finally
        {
            lock (_lock) _creating.Remove(normalized);
            reservation.SetResult();
        }
        _logger.LogInformation("Created topic {Topic} ({TopicId}) with {Partitions} partition(s)", name, topic.Id, topic.PartitionCount);
        return (TopicError.None, topic);
    }

    /// <summary>Creates a topic on first use (auto.create.topics.enable), as a Metadata request may ask.</summary>
    public TopicInfo? AutoCreate(string name)
    {
        var (error, topic) = CreateTopic(name, -1, -1, new Dictionary<string, string?>(), validateOnly: false);
        if (error.Code == ErrorCode.TopicAlreadyExists && TryGetTopic(name, out var existing))
            return existing;
        if (!error.Failed)
            _logger.LogInformation("Auto-created topic {Topic}", name);
        return topic;
    }

    /// <summary>
    /// Deletes a topic: journaled, then, still under the lock, each log is closed and its directory renamed to
    /// <c>*-delete</c> (so a topic re-created with the same name, which needs the lock, starts in a fresh directory
    /// that nothing of the old one can touch), and the renamed directories are removed after the lock is released.
    /// </summary>
    public TopicError DeleteTopic(TopicInfo topic)
    {
        var renamed = new List<string>();
        lock (_lock)
        {
            if (!_store.TryGetTopic(topic.Id, out _))
                return new TopicError(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
            _store.RemoveTopic(topic.Id);
            if (_logs.TryGetValue(topic.Id, out var logs))
            {
                PublishLogs(map => map.Remove(topic.Id));
                foreach (var log in logs)
                    if (log.MarkDeleted() is { } directory)
                        renamed.Add(directory);
            }
        }
        foreach (var directory in renamed)
            PartitionLog.DeleteDirectory(directory, _logger);
        _logger.LogInformation("Deleted topic {Topic} ({TopicId})", topic.Name, topic.Id);
        return TopicError.None;
    }

    public TopicError CreatePartitions(string name, int newTotal, bool validateOnly)
    {
        lock (_lock)
        {
            if (!_store.TryGetTopic(name, out var topic))
                return new TopicError(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
            if (newTotal < topic.PartitionCount)
                return new TopicError(ErrorCode.InvalidPartitions, $"Topic currently has {topic.PartitionCount} partitions, which is higher than the requested {newTotal}.");
            if (newTotal == topic.PartitionCount)
                return new TopicError(ErrorCode.InvalidPartitions, $"Topic already has {topic.PartitionCount} partitions.");
            if (newTotal > MaxPartitionsPerTopic)
                return new TopicError(ErrorCode.InvalidPartitions, $"Number of partitions must not exceed {MaxPartitionsPerTopic}.");
            if (validateOnly)
                return TopicError.None;
            var config = BuildLogConfig(topic);
            var logs = _logs[topic.Id];
            var grown = new PartitionLog[newTotal];
            logs.CopyTo(grown, 0);
            var p = logs.Length;
            try
            {
                // The logs first, then the journal: a failure in between leaves neither (the stray check covers a crash).
                for (; p < newTotal; p++)
                    grown[p] = PartitionLog.Create(_options.DataDir, name, p, topic.Id, config, LogLogger, _options.DirectIo);
                _store.SetPartitionCount(topic.Id, newTotal);
            }
            catch
            {
                for (var created = logs.Length; created < p; created++)
                    grown[created].Close(deleteFiles: true);
                throw;
            }
            PublishLogs(map => map[topic.Id] = grown);
            _logger.LogInformation("Topic {Topic} now has {Partitions} partitions", name, newTotal);
            return TopicError.None;
        }
    }

    /// <summary>Replaces a topic's overrides (validated), and applies them to its logs at once.</summary>
    public TopicError SetTopicConfigs(string name, IReadOnlyDictionary<string, string> overrides, bool validateOnly)
    {
        lock (_lock)
        {
            // As Kafka: a topic that does not exist is reported as such before its values are judged.
            if (!_store.TryGetTopic(name, out var topic))
                return new TopicError(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
            if (TopicConfigs.ValidateAll(overrides.Select(o => KeyValuePair.Create(o.Key, (string?)o.Value))) is { } invalid)
                return new TopicError(ErrorCode.InvalidConfig, invalid);
            if (validateOnly)
                return TopicError.None;
            _store.SetTopicConfigs(topic.Id, overrides);
            ApplyConfigs(topic.Id);
            _logger.LogInformation("Topic {Topic} configs now {Configs}", name, string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}")));
            return TopicError.None;
        }
    }

    /// <summary>Replaces the dynamic broker-level defaults of topic configs (keyed by their broker names, e.g. log.retention.ms).</summary>
    public TopicError SetBrokerConfigs(IReadOnlyDictionary<string, string> configs, bool validateOnly)
    {
        foreach (var (name, value) in configs)
        {
            var definition = TopicConfigs.All.FirstOrDefault(d => d.BrokerSynonyms.Count > 0 && d.BrokerSynonyms[0] == name);
            if (definition is null && BrokerDynamicConfigs.IsStoredOnly(name))
                continue;
            if (definition is null)
                return new TopicError(ErrorCode.InvalidConfig, $"Cannot update broker config {name} dynamically; dynamic broker configs are the topic defaults ({string.Join(", ", TopicConfigs.All.Select(d => d.BrokerSynonyms[0]))}) and Kafka's per-broker listener, thread and cleaner settings.");
            if (definition.Validate(value) is { } error)
                return new TopicError(ErrorCode.InvalidConfig, $"Invalid value {value} for configuration {name}: {error}");
        }
        if (validateOnly)
            return TopicError.None;
        lock (_lock)
        {
            _store.SetBrokerConfigs(configs);
            foreach (var id in _logs.Keys.ToList())
                ApplyConfigs(id);
        }
        return TopicError.None;
    }

    public IReadOnlyDictionary<string, string> BrokerConfigs => _store.BrokerConfigs;

    private void ApplyConfigs(KafkaUuid topicId)
    {
        if (!_store.TryGetTopic(topicId, out var topic) || !_logs.TryGetValue(topicId, out var logs))
            return;
        var config = BuildLogConfig(topic);
        foreach (var log in logs)
            log.Config = config;
    }

    private LogConfig BuildLogConfig(TopicInfo topic) => LogConfig.From(name => EffectiveValue(topic, name).Value);

    /// <summary>A topic config's value and where it comes from: topic override, dynamic broker default, static broker default, Kafka's default.</summary>
    public ConfigValue EffectiveValue(TopicInfo? topic, string name)
    {
        if (topic is not null && topic.Configs.TryGetValue(name, out var value))
            return new ConfigValue(name, value, ConfigSource.DynamicTopicConfig);
        return BrokerDefault(name);
    }

    /// <summary>The broker-level default of a topic config, under the broker's name for it.</summary>
    public ConfigValue BrokerDefault(string topicConfigName)
    {
        TopicConfigs.TryGet(topicConfigName, out var definition);
        var brokerName = definition.BrokerSynonyms[0];
        if (_store.BrokerConfigs.TryGetValue(brokerName, out var dynamic))
            return new ConfigValue(brokerName, dynamic, ConfigSource.DynamicBrokerConfig);
        if (_options.TopicConfigDefaults.TryGetValue(topicConfigName, out var configured))
            return new ConfigValue(brokerName, configured, ConfigSource.StaticBrokerConfig);
        return new ConfigValue(brokerName, definition.Default, ConfigSource.DefaultConfig);
    }

    /// <summary>Runs retention and flush.ms checks for every log.</summary>
    public void RunRetention(long nowMs)
    {
        foreach (var log in AllLogs)
        {
            try { log.EnforceRetention(nowMs); }
            catch (IOException e) { _logger.LogError(e, "Retention failed for {Topic}-{Partition}", log.Topic, log.Partition); }
        }
    }

    /// <summary>One pass of the log cleaner: compacts every compacted log that is due (see PartitionLog.Clean).</summary>
    public void RunCleaner(long nowMs)
    {
        foreach (var log in AllLogs)
        {
            if (!log.Config.Compact || log.IsClosed)
                continue;
            try
            {
                log.Clean(nowMs);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Beltline.Protocol.Records.CorruptRecordException)
            {
                // The log is left as it was; the next pass tries again.
                _logger.LogError(e, "Compacting {Topic}-{Partition} failed", log.Topic, log.Partition);
            }
        }
    }

    public void RunScheduledFlushes()
    {
        foreach (var log in AllLogs)
        {
            try { log.FlushIfDue(); }
            catch (IOException e) { _logger.LogError(e, "Flush failed for {Topic}-{Partition}", log.Topic, log.Partition); }
        }
    }

    /// <summary>Flushes and closes every log (graceful shutdown); a failed flush is rethrown once every log is closed.</summary>
    public void Dispose()
    {
        List<Exception>? failures = null;
        foreach (var log in AllLogs)
        {
            try { log.Close(); }
            catch (IOException e) { (failures ??= []).Add(e); }
        }
        lock (_lock) _logs = [];
        if (failures is not null)
            throw new AggregateException("Flushing logs at shutdown failed.", failures);
    }

    public static string PartitionName(string topic, int partition) => $"{topic}-{partition.ToString(CultureInfo.InvariantCulture)}";
}
