using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;
using static Beltline.Protocol.Messages.DeleteTopicsResponse;

namespace Beltline.Broker.Handlers;

/// <summary>DeleteTopics (key 20) v0–6: by name, or by name or topic id from v6 (KIP-516).</summary>
internal sealed class DeleteTopicsHandler(BrokerNode node, ILogger logger) : RequestHandler<DeleteTopicsRequest, DeleteTopicsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 6;

    /// <summary>DELETE on each topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<DeleteTopicsResponse?> HandleAsync(RequestContext context, DeleteTopicsRequest request)
    {
        var response = new DeleteTopicsResponse();
        var targets = context.ApiVersion >= 6
            ? request.Topics.Select(t => (t.Name, t.TopicId))
            : request.TopicNames.Select(n => ((string?)n, KafkaUuid.Zero));
        foreach (var (name, id) in targets)
            response.Responses.Add(Delete(context, name, id));
        return ValueTask.FromResult<DeleteTopicsResponse?>(response);
    }

    private DeletableTopicResult Delete(RequestContext context, string? name, KafkaUuid id)
    {
        var result = new DeletableTopicResult { Name = name, TopicId = id };
        if (name is not null && !id.IsZero)
        {
            result.ErrorCode = ErrorCode.InvalidRequest;
            result.ErrorMessage = "A topic must be named by its name or its id, not both.";
            return result;
        }
        var found = name is not null ? node.Topics.TryGetTopic(name, out var topic) : node.Topics.TryGetTopic(id, out topic);
        if (!found)
        {
            result.ErrorCode = name is not null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.UnknownTopicId;
            result.ErrorMessage = name is not null ? "This server does not host this topic-partition." : $"Topic id {id} does not exist.";
            return result;
        }
        if (!context.IsAllowed(AclOperation.Delete, ResourceType.Topic, topic.Name))
        {
            result.ErrorCode = ErrorCode.TopicAuthorizationFailed;
            result.ErrorMessage = $"Not authorized to delete topic {topic.Name}.";
            return result;
        }
        var error = node.Topics.DeleteTopic(topic);
        if (!error.Failed)
            node.Groups.RemoveOffsetsOfTopic(topic.Name);
        result.Name = topic.Name;
        result.TopicId = topic.Id;
        result.ErrorCode = error.Code;
        result.ErrorMessage = error.Message;
        return result;
    }

    public override DeleteTopicsResponse ErrorResponse(DeleteTopicsRequest request, ErrorCode error) => new()
    {
        Responses = [.. request.TopicNames.Select(n => new DeletableTopicResult { Name = n, ErrorCode = error })
            .Concat(request.Topics.Select(t => new DeletableTopicResult { Name = t.Name, TopicId = t.TopicId, ErrorCode = error }))],
    };
}
