using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;
using static Beltline.Protocol.Messages.CreatePartitionsResponse;

namespace Beltline.Broker.Handlers;

/// <summary>CreatePartitions (key 37) v0–3, KIP-195: grows a topic to a new total; validate_only supported.</summary>
internal sealed class CreatePartitionsHandler(BrokerNode node, ILogger logger) : RequestHandler<CreatePartitionsRequest, CreatePartitionsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    /// <summary>ALTER on each topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<CreatePartitionsResponse?> HandleAsync(RequestContext context, CreatePartitionsRequest request)
    {
        var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var response = new CreatePartitionsResponse();
        foreach (var topic in request.Topics)
        {
            var error = duplicates.Contains(topic.Name)
                ? new TopicError(ErrorCode.InvalidRequest, "Duplicate topic in request.")
                : !context.IsAllowed(AclOperation.Alter, ResourceType.Topic, topic.Name)
                    ? new TopicError(ErrorCode.TopicAuthorizationFailed, $"Not authorized to alter topic {topic.Name}.")
                    : Grow(topic, request.ValidateOnly);
            response.Results.Add(new CreatePartitionsTopicResult { Name = topic.Name, ErrorCode = error.Code, ErrorMessage = error.Message });
        }
        return ValueTask.FromResult<CreatePartitionsResponse?>(response);
    }

    private TopicError Grow(CreatePartitionsRequest.CreatePartitionsTopic topic, bool validateOnly)
    {
        if (topic.Assignments is { } assignments)
        {
            if (!node.Topics.TryGetTopic(topic.Name, out var existing))
                return new TopicError(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
            if (assignments.Count != topic.Count - existing.PartitionCount)
                return new TopicError(ErrorCode.InvalidReplicaAssignment, $"Increasing the number of partitions by {topic.Count - existing.PartitionCount} but {assignments.Count} assignments provided.");
            if (assignments.Any(a => a.BrokerIds.Count != 1 || a.BrokerIds[0] != node.NodeId))
                return new TopicError(ErrorCode.InvalidReplicaAssignment, $"New partitions must be assigned to broker {node.NodeId}, the only broker.");
        }
        return node.Topics.CreatePartitions(topic.Name, topic.Count, validateOnly);
    }

    public override CreatePartitionsResponse ErrorResponse(CreatePartitionsRequest request, ErrorCode error) => new()
    {
        Results = [.. request.Topics.Select(t => new CreatePartitionsTopicResult { Name = t.Name, ErrorCode = error })],
    };
}
