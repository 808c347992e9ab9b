using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// OffsetDelete (key 47) v0, KIP-496: removes committed offsets of partitions the group does not consume;
/// GROUP_SUBSCRIBED_TO_TOPIC for topics an active consumer group subscribes to.
/// </summary>
internal sealed class OffsetDeleteHandler(BrokerNode node, ILogger logger) : RequestHandler<OffsetDeleteRequest, OffsetDeleteResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    /// <summary>DELETE on the group, READ on each topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override async ValueTask<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request)
    {
        if (!context.IsAllowed(AclOperation.Delete, ResourceType.Group, request.GroupId))
            return new OffsetDeleteResponse { ErrorCode = ErrorCode.GroupAuthorizationFailed };
        var response = new OffsetDeleteResponse();
        var deleting = new List<(string Topic, int Partition)>();
        var pending = new List<OffsetDeleteResponse.Partition>();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetDeleteResponse.Topic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                var result = new OffsetDeleteResponse.Partition { PartitionIndex = partition.PartitionIndex };
                topicResponse.Partitions.Add(result);
                if (!context.IsAllowed(AclOperation.Read, ResourceType.Topic, topic.Name))
                    result.ErrorCode = ErrorCode.TopicAuthorizationFailed;
                else if (!node.Topics.HasPartition(topic.Name, partition.PartitionIndex))
                    result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                else
                {
                    deleting.Add((topic.Name, partition.PartitionIndex));
                    pending.Add(result);
                }
            }
        }
        var (error, errors) = await node.Groups.DeleteOffsetsAsync(request.GroupId, deleting);
        if (error != ErrorCode.None)
            return new OffsetDeleteResponse { ErrorCode = error };
        for (var i = 0; i < pending.Count; i++)
            pending[i].ErrorCode = errors[i];
        return response;
    }

    public override OffsetDeleteResponse ErrorResponse(OffsetDeleteRequest request, ErrorCode error) => new() { ErrorCode = error };
}
