using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// Metadata (key 3) v0–12: this node as the only broker, controller and leader of every partition; topics by
/// name or id (v10+), auto-created when the client allows it and the broker is configured to (KIP-204 flag).
/// </summary>
internal sealed class MetadataHandler(BrokerNode node, ILogger logger) : RequestHandler<MetadataRequest, MetadataResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 12;

    /// <summary>DESCRIBE on each topic; auto-creation CREATE on the cluster or topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<MetadataResponse?> HandleAsync(RequestContext context, MetadataRequest request)
    {
        var version = context.ApiVersion;
        var response = NewResponse(context);
        if (request.IncludeClusterAuthorizedOperations)
            response.ClusterAuthorizedOperations = AuthorizedOperations.Cluster;
        var topicOperations = request.IncludeTopicAuthorizedOperations ? AuthorizedOperations.Topic : int.MinValue;
        if (request.WantsAllTopics(version))
        {
            // Topics the principal may not describe are left out, as Kafka leaves them out.
            foreach (var topic in node.Topics.Topics.OrderBy(t => t.Name, StringComparer.Ordinal))
                if (context.IsAllowed(AclOperation.Describe, ResourceType.Topic, topic.Name))
                    response.Topics.Add(Describe(topic, topicOperations));
            return ValueTask.FromResult<MetadataResponse?>(response);
        }
        var autoCreate = node.Options.AutoCreateTopics && (version < 4 || request.AllowAutoTopicCreation);
        foreach (var requested in request.Topics!)
            response.Topics.Add(Resolve(context, requested, autoCreate, topicOperations));
        return ValueTask.FromResult<MetadataResponse?>(response);
    }

    private MetadataTopic Resolve(RequestContext context, MetadataRequestTopic requested, bool autoCreate, int topicOperations)
    {
        if (requested.Name is null)
        {
            return node.Topics.TryGetTopic(requested.TopicId, out var byId)
                ? context.IsAllowed(AclOperation.Describe, ResourceType.Topic, byId.Name)
                    ? Describe(byId, topicOperations)
                    : new MetadataTopic { ErrorCode = ErrorCode.TopicAuthorizationFailed, TopicId = requested.TopicId }
                : new MetadataTopic { ErrorCode = ErrorCode.UnknownTopicId, TopicId = requested.TopicId };
        }
        if (!context.IsAllowed(AclOperation.Describe, ResourceType.Topic, requested.Name))
            return new MetadataTopic { ErrorCode = ErrorCode.TopicAuthorizationFailed, Name = requested.Name };
        if (node.Topics.TryGetTopic(requested.Name, out var topic))
            return Describe(topic, topicOperations);
        if (TopicManager.ValidateTopicName(requested.Name) is not null)
            return new MetadataTopic { ErrorCode = ErrorCode.InvalidTopicException, Name = requested.Name };
        // Auto-creation needs CREATE on the cluster or the topic, as an explicit CreateTopics does.
        var mayCreate = context.IsAllowed(AclOperation.Create, ResourceType.Cluster, AclEntry.ClusterName) || context.IsAllowed(AclOperation.Create, ResourceType.Topic, requested.Name);
        if (autoCreate && mayCreate && node.Topics.AutoCreate(requested.Name) is { } created)
            return Describe(created, topicOperations);
        return new MetadataTopic { ErrorCode = ErrorCode.UnknownTopicOrPartition, Name = requested.Name };
    }

    private MetadataTopic Describe(TopicInfo topic, int authorizedOperations)
    {
        var described = new MetadataTopic { Name = topic.Name, TopicId = topic.Id, IsInternal = topic.IsInternal, TopicAuthorizedOperations = authorizedOperations };
        for (var p = 0; p < topic.PartitionCount; p++)
        {
            described.Partitions.Add(new MetadataPartition
            {
                PartitionIndex = p,
                LeaderId = node.NodeId,
                LeaderEpoch = BrokerNode.LeaderEpoch,
                ReplicaNodes = [node.NodeId],
                IsrNodes = [node.NodeId],
            });
        }
        return described;
    }

    private MetadataResponse NewResponse(RequestContext context) => new()
    {
        Brokers = [new MetadataBroker { NodeId = node.NodeId, Host = node.Options.EffectiveAdvertisedHost, Port = node.BoundPort(context.Listener) }],
        ClusterId = node.ClusterId,
        ControllerId = node.NodeId,
    };

    public override MetadataResponse ErrorResponse(MetadataRequest request, ErrorCode error) => new()
    {
        Topics = [.. (request.Topics ?? []).Select(t => new MetadataTopic { ErrorCode = error, Name = t.Name, TopicId = t.TopicId })],
    };
}
