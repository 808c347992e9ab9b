using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// OffsetForLeaderEpoch (key 23) v0–4, KIP-101 / KIP-279 / KIP-320: the end offset of a leader epoch, which clients
/// use to detect log truncation. This single node leads every partition in epoch 0 for the partition's whole life
/// (Metadata, Fetch and ListOffsets report 0, and every stored batch carries it), so epoch 0 ends at the log end;
/// a later epoch is unknown here (-1/-1, as Kafka answers for an epoch past its latest).
/// </summary>
internal sealed class OffsetForLeaderEpochHandler(BrokerNode node, ILogger logger) : RequestHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    /// <summary>DESCRIBE on each topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<OffsetForLeaderEpochResponse?> HandleAsync(RequestContext context, OffsetForLeaderEpochRequest request) =>
        ValueTask.FromResult<OffsetForLeaderEpochResponse?>(new OffsetForLeaderEpochResponse
        {
            Topics = [.. request.Topics.Select(topic =>
            {
                node.Topics.TryGetTopic(topic.Topic, out var info);
                return new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult
                {
                    Topic = topic.Topic,
                    Partitions = [.. topic.Partitions.Select(p => context.IsAllowed(AclOperation.Describe, ResourceType.Topic, topic.Topic)
                        ? EndOffset(info is null ? null : node.Topics.GetLog(info.Id, p.Partition), p)
                        : new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = p.Partition, LeaderEpoch = -1, EndOffset = -1, ErrorCode = ErrorCode.TopicAuthorizationFailed })],
                };
            })],
        });

    private static OffsetForLeaderEpochResponse.EpochEndOffset EndOffset(Storage.PartitionLog? log, OffsetForLeaderEpochRequest.OffsetForLeaderPartition partition)
    {
        var result = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = partition.Partition, LeaderEpoch = -1, EndOffset = -1 };
        if (log is null || log.IsClosed)
            result.ErrorCode = ErrorCode.UnknownTopicOrPartition;
        else if (partition.CurrentLeaderEpoch > BrokerNode.LeaderEpoch)
            result.ErrorCode = ErrorCode.UnknownLeaderEpoch;
        else if (partition.LeaderEpoch == BrokerNode.LeaderEpoch)
        {
            result.LeaderEpoch = BrokerNode.LeaderEpoch;
            result.EndOffset = log.LogEndOffset;
        }
        return result;
    }

    public override OffsetForLeaderEpochResponse ErrorResponse(OffsetForLeaderEpochRequest request, ErrorCode error) => new()
    {
        Topics = [.. request.Topics.Select(t => new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult
        {
            Topic = t.Topic,
            Partitions = [.. t.Partitions.Select(p => new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = p.Partition, ErrorCode = error })],
        })],
    };
}
