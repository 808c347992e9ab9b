using Beltline.Broker.Groups;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// OffsetCommit (key 8) v0–9: a group member's commit (checked against its generation) or, with generation -1, a
/// standalone consumer's (KIP-211 semantics, KIP-320 leader epoch v6+, KIP-345 instance id v7+). Partitions that
/// do not exist get UNKNOWN_TOPIC_OR_PARTITION. The response comes once the offsets are written.
/// </summary>
internal sealed class OffsetCommitHandler(BrokerNode node, ILogger logger) : RequestHandler<OffsetCommitRequest, OffsetCommitResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    /// <summary>READ on the group and on each topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override async ValueTask<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request)
    {
        if (!context.IsAllowed(AclOperation.Read, ResourceType.Group, request.GroupId))
            return ErrorResponse(request, ErrorCode.GroupAuthorizationFailed);
        var version = context.ApiVersion;
        var toCommit = new List<OffsetToCommit>();
        var response = new OffsetCommitResponse();
        var pending = new List<OffsetCommitResponse.Partition>();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new OffsetCommitResponse.Topic { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                var result = new OffsetCommitResponse.Partition { PartitionIndex = partition.PartitionIndex };
                topicResponse.Partitions.Add(result);
                if (!context.IsAllowed(AclOperation.Read, ResourceType.Topic, topic.Name))
                {
                    result.ErrorCode = ErrorCode.TopicAuthorizationFailed;
                    continue;
                }
                if (!node.Topics.HasPartition(topic.Name, partition.PartitionIndex))
                {
                    result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
                    continue;
                }
                toCommit.Add(new OffsetToCommit(topic.Name, partition.PartitionIndex, partition.CommittedOffset,
                    version >= 6 ? partition.CommittedLeaderEpoch : -1, partition.CommittedMetadata));
                pending.Add(result);
            }
        }
        if (toCommit.Count > 0)
        {
            // v0 has no generation: like Kafka, it commits as a standalone consumer.
            var generation = version >= 1 ? request.GenerationIdOrMemberEpoch : -1;
            var errors = await node.Groups.CommitOffsetsAsync(request.GroupId, generation, version >= 1 ? request.MemberId : "",
                version >= 7 ? request.GroupInstanceId : null, toCommit);
            for (var i = 0; i < pending.Count; i++)
                pending[i].ErrorCode = errors[i];
        }
        return response;
    }

    public override OffsetCommitResponse ErrorResponse(OffsetCommitRequest request, ErrorCode error) => new()
    {
        Topics = [.. request.Topics.Select(t => new OffsetCommitResponse.Topic
        {
            Name = t.Name,
            Partitions = [.. t.Partitions.Select(p => new OffsetCommitResponse.Partition { PartitionIndex = p.PartitionIndex, ErrorCode = error })],
        })],
    };
}
