using System.Globalization;
using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Security.Acls;
using Beltline.Protocol;
using Beltline.Protocol.Messages;

namespace Beltline.Broker.Handlers;

/// <summary>One config as DescribeConfigs shows it.</summary>
internal sealed record DescribedConfig(string Name, string Value, ConfigSource Source, bool ReadOnly, ConfigType Type, string Documentation, IReadOnlyList<ConfigValue> Synonyms);

/// <summary>
/// The config resources of this node, shared by DescribeConfigs, AlterConfigs and IncrementalAlterConfigs:
/// topics (overrides over broker defaults over Kafka's defaults) and the broker (static settings, read-only,
/// plus the topic defaults under their broker names, which are dynamic).
/// </summary>
internal sealed class ConfigResources(BrokerNode node)
{
    public TopicError DescribeTopic(string name, out IReadOnlyList<DescribedConfig> configs)
    {
        configs = [];
        if (!node.Topics.TryGetTopic(name, out var topic))
            return new TopicError(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
        configs = [.. TopicConfigs.All.Select(definition =>
        {
            var effective = node.Topics.EffectiveValue(topic, definition.Name);
            var synonyms = new List<ConfigValue>();
            if (effective.Source == ConfigSource.DynamicTopicConfig)
                synonyms.Add(effective with { Name = definition.Name });
            synonyms.Add(node.Topics.BrokerDefault(definition.Name));
            return new DescribedConfig(definition.Name, effective.Value, effective.Source, ReadOnly: false, definition.Type, definition.Documentation, synonyms);
        })];
        return TopicError.None;
    }

    public TopicError DescribeBroker(string name, out IReadOnlyList<DescribedConfig> configs)
    {
        configs = [];
        if (BrokerNameError(name) is { } error)
            return error;
        var options = node.Options;
        var listeners = string.Join(",", options.Listeners.Select(l => $"{l.Name}://{options.Host}:{node.BoundPort(l)}"));
        var advertised = string.Join(",", options.Listeners.Select(l => $"{l.Name}://{options.EffectiveAdvertisedHost}:{node.BoundPort(l)}"));
        DescribedConfig Static(string key, string value, ConfigType type, string documentation) =>
            new(key, value, ConfigSource.StaticBrokerConfig, ReadOnly: true, type, documentation, [new ConfigValue(key, value, ConfigSource.StaticBrokerConfig)]);
        var described = new List<DescribedConfig>
        {
            Static("broker.id", Invariant(options.NodeId), ConfigType.Int, "The broker id of this server."),
            Static("node.id", Invariant(options.NodeId), ConfigType.Int, "The node id of this server."),
            Static("process.roles", "broker,controller", ConfigType.List, "The roles this node plays (a single combined node)."),
            Static("num.partitions", Invariant(options.DefaultPartitions), ConfigType.Int, "The default number of log partitions per topic."),
            Static("auto.create.topics.enable", options.AutoCreateTopics ? "true" : "false", ConfigType.Boolean, "Enable auto creation of topics on the server."),
            Static("default.replication.factor", "1", ConfigType.Int, "The replication factor for automatically created topics."),
            Static("log.dirs", Path.GetFullPath(options.DataDir), ConfigType.String, "The directory in which the log data is kept."),
            Static("listeners", listeners, ConfigType.String, "Listener names, hosts and ports."),
            Static("advertised.listeners", advertised, ConfigType.String, "Listeners published to clients."),
            Static("socket.request.max.bytes", Invariant(options.MaxFrameBytes), ConfigType.Int, "The maximum number of bytes in a socket request."),
            Static("log.retention.check.interval.ms", Invariant((long)options.RetentionCheckInterval.TotalMilliseconds), ConfigType.Long, "How often the log cleaner checks whether any log is eligible for deletion."),
            Static("log.flush.scheduler.interval.ms", Invariant((long)options.FlushCheckInterval.TotalMilliseconds), ConfigType.Long, "How often the log flusher checks whether any log needs to be flushed."),
            Static("beltline.durable", options.Durable ? "true" : "false", ConfigType.Boolean, "Whether acks=all produce responses wait for fsync (group commit)."),
        };
        foreach (var definition in TopicConfigs.All)
        {
            var value = node.Topics.BrokerDefault(definition.Name);
            described.Add(new DescribedConfig(value.Name, value.Value, value.Source, ReadOnly: false, definition.Type, definition.Documentation, [value]));
        }
        foreach (var (key, value) in node.Topics.BrokerConfigs.Where(c => BrokerDynamicConfigs.IsStoredOnly(c.Key) && !BrokerDynamicConfigs.IsSensitive(c.Key)))
        {
            described.Add(new DescribedConfig(key, value, ConfigSource.DynamicBrokerConfig, ReadOnly: false, ConfigType.String,
                "A per-broker dynamic config this broker stores without acting on it.", [new ConfigValue(key, value, ConfigSource.DynamicBrokerConfig)]));
        }
        configs = described;
        return TopicError.None;
    }

    /// <summary>Replaces a resource's dynamic configs with <paramref name="configs"/> (AlterConfigs semantics).</summary>
    public TopicError Replace(ConfigResourceType type, string name, IReadOnlyDictionary<string, string> configs, bool validateOnly) => type switch
    {
        ConfigResourceType.Topic => node.Topics.SetTopicConfigs(name, configs, validateOnly),
        ConfigResourceType.Broker => BrokerNameError(name) ?? node.Topics.SetBrokerConfigs(configs, validateOnly),
        _ => new TopicError(ErrorCode.InvalidRequest, $"Altering {ResourceName(type)} configs is not supported."),
    };

    /// <summary>The dynamic configs a resource has now (topic overrides, or dynamic broker configs).</summary>
    public TopicError Current(ConfigResourceType type, string name, out IReadOnlyDictionary<string, string> configs)
    {
        configs = new Dictionary<string, string>();
        switch (type)
        {
            case ConfigResourceType.Topic:
                if (!node.Topics.TryGetTopic(name, out var topic))
                    return new TopicError(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
                configs = topic.Configs;
                return TopicError.None;
            case ConfigResourceType.Broker:
                configs = node.Topics.BrokerConfigs;
                return BrokerNameError(name) ?? TopicError.None;
            default:
                return new TopicError(ErrorCode.InvalidRequest, $"Altering {ResourceName(type)} configs is not supported.");
        }
    }

    /// <summary>The value a config of a resource has now (dynamic, else inherited), for APPEND/SUBTRACT.</summary>
    public string EffectiveValue(ConfigResourceType type, string resourceName, string configName)
    {
        if (type == ConfigResourceType.Topic)
        {
            node.Topics.TryGetTopic(resourceName, out var topic);
            return node.Topics.EffectiveValue(topic, configName).Value;
        }
        var definition = TopicConfigs.All.FirstOrDefault(d => d.BrokerSynonyms[0] == configName);
        return definition is null ? "" : node.Topics.BrokerDefault(definition.Name).Value;
    }

    /// <summary>
    /// Alters each resource of a request with <paramref name="alter"/>; a resource named twice fails as Kafka's
    /// does ("Duplicate resource"), without altering either. Results come in request order.
    /// </summary>
    public static List<(ConfigResourceType Type, string Name, TopicError Error)> AlterEach<TResource>(
        IReadOnlyList<TResource> resources, Func<TResource, (ConfigResourceType Type, string Name)> key, Func<TResource, TopicError> alter)
    {
        var duplicates = resources.GroupBy(key).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        return [.. resources.Select(resource =>
        {
            var (type, name) = key(resource);
            var error = duplicates.Contains((type, name)) ? new TopicError(ErrorCode.InvalidRequest, "Duplicate resource in request.") : alter(resource);
            return (type, name, error);
        })];
    }

    /// <summary>The config's type, from the topic config catalogue under its topic or broker name.</summary>
    public static ConfigType? TypeOf(ConfigResourceType type, string configName) =>
        type == ConfigResourceType.Topic
            ? TopicConfigs.All.FirstOrDefault(d => d.Name == configName)?.Type
            : TopicConfigs.All.FirstOrDefault(d => d.BrokerSynonyms[0] == configName)?.Type
                ?? (BrokerDynamicConfigs.IsStoredOnly(configName) ? ConfigType.String : null);

    /// <summary>The broker resource is this node's id, or "" for the cluster-wide default.</summary>
    private TopicError? BrokerNameError(string name) =>
        name.Length == 0 || name == Invariant(node.NodeId)
            ? null
            : new TopicError(ErrorCode.InvalidRequest, $"Unknown broker {name}; this cluster has only broker {node.NodeId}.");

    /// <summary>A resource type as Kafka names it; types this codec does not know (GROUP = 32, KIP-848) by number.</summary>
    private static string ResourceName(ConfigResourceType type) => type switch
    {
        (ConfigResourceType)16 => "CLIENT_METRICS",
        (ConfigResourceType)32 => "GROUP",
        ConfigResourceType.Topic => "TOPIC",
        ConfigResourceType.Broker => "BROKER",
        ConfigResourceType.BrokerLogger => "BROKER_LOGGER",
        _ => $"resource type {(int)type}",
    };

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Why the principal may not read or change this resource's configs (<paramref name="operation"/> DESCRIBE_CONFIGS
    /// or ALTER_CONFIGS on the topic, or on the cluster for a broker), or null when it may.
    /// </summary>
    public static TopicError? Refusal(RequestContext context, AclOperation operation, ConfigResourceType type, string name)
    {
        var verb = operation == AclOperation.AlterConfigs ? "alter" : "describe";
        return type switch
        {
            ConfigResourceType.Topic when !context.IsAllowed(operation, ResourceType.Topic, name) =>
                new TopicError(ErrorCode.TopicAuthorizationFailed, $"Not authorized to {verb} the configs of topic {name}."),
            ConfigResourceType.Broker or ConfigResourceType.BrokerLogger when !context.IsAllowed(operation, ResourceType.Cluster, AclEntry.ClusterName) =>
                new TopicError(ErrorCode.ClusterAuthorizationFailed, $"Not authorized to {verb} the broker's configs."),
            _ => null,
        };
    }
}
