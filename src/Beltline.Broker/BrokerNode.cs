using System.Collections.Concurrent;
using Beltline.Broker.Groups;
using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Broker.Storage;
using Beltline.Broker.Telemetry;

namespace Beltline.Broker;

/// <summary>What request handlers see of the running node: its identity, endpoints, topics and services.</summary>
internal sealed class BrokerNode(BrokerOptions options, TopicManager topics, BrokerMetrics metrics, GroupCommit? groupCommit, GroupCoordinator groups)
{
    private readonly ConcurrentDictionary<string, int> _boundPorts = new(StringComparer.OrdinalIgnoreCase);

    public BrokerOptions Options { get; } = options;
    public int NodeId => Options.NodeId;
    public string ClusterId => Topics.ClusterId;
    public TopicManager Topics { get; } = topics;
    public BrokerMetrics Metrics { get; } = metrics;

    /// <summary>Set in durable mode: acks=all responses wait for it.</summary>
    public GroupCommit? GroupCommit { get; } = groupCommit;

    public GroupCoordinator Groups { get; } = groups;

    public ProducerIdManager ProducerIds { get; } = new(options.DataDir);

    public void SetBoundPort(string listener, int port) => _boundPorts[listener] = port;

    /// <summary>The port a listener really bound (differs from the configured one when that was 0).</summary>
    public int BoundPort(ListenerOptions listener) => _boundPorts.TryGetValue(listener.Name, out var port) ? port : listener.Port;
}
