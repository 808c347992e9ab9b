using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;
using static Beltline.Protocol.Messages.CreateTopicsRequest;
using static Beltline.Protocol.Messages.CreateTopicsResponse;

namespace Beltline.Broker.Handlers;

/// <summary>
/// CreateTopics (key 19) v0–7: validate_only (v1+), effective configs in the response (v5+, KIP-525), topic ids
/// (v7). Manual assignments are accepted when every partition lists exactly this node.
/// </summary>
internal sealed class CreateTopicsHandler(BrokerNode node, ILogger logger) : RequestHandler<CreateTopicsRequest, CreateTopicsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 7;

    /// <summary>CREATE on the cluster or on each topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request)
    {
        var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var response = new CreateTopicsResponse();
        foreach (var topic in request.Topics)
        {
            var result = new CreatableTopicResult { Name = topic.Name };
            response.Topics.Add(result);
            TopicInfo? created = null;
            var error = duplicates.Contains(topic.Name)
                ? new TopicError(ErrorCode.InvalidRequest, $"Create topics request from client {context.Header.ClientId} contains multiple entries for the same topic.")
                : !context.IsAllowed(AclOperation.Create, ResourceType.Cluster, AclEntry.ClusterName) && !context.IsAllowed(AclOperation.Create, ResourceType.Topic, topic.Name)
                    ? new TopicError(ErrorCode.TopicAuthorizationFailed, $"Authorization failed: not allowed to create topic {topic.Name}.")
                    : Create(topic, request.ValidateOnly, out created);
            if (error.Failed || created is null)
            {
                result.ErrorCode = error.Code;
                result.ErrorMessage = error.Message;
                continue;
            }
            result.TopicId = created.Id;
            result.NumPartitions = created.PartitionCount;
            result.ReplicationFactor = 1;
            result.Configs = [.. TopicConfigs.All.Select(definition =>
            {
                var effective = node.Topics.EffectiveValue(created, definition.Name);
                return new CreatableTopicConfigs { Name = definition.Name, Value = effective.Value, ConfigSource = effective.Source };
            })];
        }
        return ValueTask.FromResult<CreateTopicsResponse?>(response);
    }

    private TopicError Create(CreatableTopic topic, bool validateOnly, out TopicInfo? created)
    {
        created = null;
        var partitions = topic.NumPartitions;
        if (topic.Assignments.Count > 0)
        {
            if (topic.NumPartitions != -1 || topic.ReplicationFactor != -1)
                return new TopicError(ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            if (AssignmentError(topic.Assignments) is { } invalid)
                return new TopicError(ErrorCode.InvalidReplicaAssignment, invalid);
            partitions = topic.Assignments.Count;
        }
        var configs = new Dictionary<string, string?>();
        foreach (var config in topic.Configs)
        {
            if (!configs.TryAdd(config.Name, config.Value))
                return new TopicError(ErrorCode.InvalidRequest, $"Duplicate config {config.Name}.");
        }
        var replicationFactor = topic.Assignments.Count > 0 ? (short)1 : topic.ReplicationFactor;
        var (error, info) = node.Topics.CreateTopic(topic.Name, partitions, replicationFactor, configs, validateOnly);
        created = info;
        return error;
    }

    private string? AssignmentError(List<CreatableReplicaAssignment> assignments)
    {
        var indexes = assignments.Select(a => a.PartitionIndex).Order().ToList();
        if (!indexes.SequenceEqual(Enumerable.Range(0, assignments.Count)))
            return "Partitions in the replica assignment must be numbered 0..n-1 without gaps.";
        foreach (var assignment in assignments)
        {
            if (assignment.BrokerIds.Count != 1 || assignment.BrokerIds[0] != node.NodeId)
                return $"Partition {assignment.PartitionIndex} is assigned to brokers [{string.Join(",", assignment.BrokerIds)}]; this cluster has only broker {node.NodeId}.";
        }
        return null;
    }

    public override CreateTopicsResponse ErrorResponse(CreateTopicsRequest request, ErrorCode error) => new()
    {
        Topics = [.. request.Topics.Select(t => new CreatableTopicResult { Name = t.Name, ErrorCode = error })],
    };
}
