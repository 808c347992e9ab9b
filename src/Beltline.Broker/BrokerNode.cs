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
    /// <summary>
    /// The leader epoch of every partition: this single node leads each for the partition's whole life, across
    /// restarts, so the epoch never moves. Stamped on every stored batch and reported by Metadata, Fetch,
    /// ListOffsets and OffsetForLeaderEpoch.
    /// </summary>
    public const int LeaderEpoch = 0;

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
