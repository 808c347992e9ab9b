using Beltline.Broker.Network;
using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Protocol.Records;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// ListOffsets (key 2) v0–8: latest (-1), earliest (-2), max timestamp (-3, KIP-734), earliest local (-4, KIP-405)
/// and by timestamp (KIP-79: the first record at or after it, found through the time index).
/// </summary>
internal sealed class ListOffsetsHandler(BrokerNode node, ILogger logger) : RequestHandler<ListOffsetsRequest, ListOffsetsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 8;

    /// <summary>DESCRIBE on each topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<ListOffsetsResponse?> HandleAsync(RequestContext context, ListOffsetsRequest request)
    {
        var version = context.ApiVersion;
        var response = new ListOffsetsResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            node.Topics.TryGetTopic(topic.Name, out var info);
            foreach (var partition in topic.Partitions)
            {
                var log = info is null ? null : node.Topics.GetLog(info.Id, partition.PartitionIndex);
                topicResponse.Partitions.Add(context.IsAllowed(AclOperation.Describe, ResourceType.Topic, topic.Name)
                    ? Lookup(version, partition, log)
                    : new ListOffsetsPartitionResponse { PartitionIndex = partition.PartitionIndex, ErrorCode = ErrorCode.TopicAuthorizationFailed });
            }
        }
        return ValueTask.FromResult<ListOffsetsResponse?>(response);
    }

    private static ListOffsetsPartitionResponse Lookup(short version, ListOffsetsPartition partition, PartitionLog? log)
    {
        var response = new ListOffsetsPartitionResponse { PartitionIndex = partition.PartitionIndex };
        if (log is null)
        {
            response.ErrorCode = ErrorCode.UnknownTopicOrPartition;
            return response;
        }
        if (partition.CurrentLeaderEpoch > BrokerNode.LeaderEpoch)
        {
            response.ErrorCode = ErrorCode.UnknownLeaderEpoch;
            return response;
        }
        (long Offset, long Timestamp)? found;
        try
        {
            found = partition.Timestamp switch
            {
                ListOffsetsRequest.LatestTimestamp => (log.LogEndOffset, -1),
                ListOffsetsRequest.EarliestTimestamp or ListOffsetsRequest.EarliestLocalTimestamp => (log.LogStartOffset, -1),
                ListOffsetsRequest.MaxTimestamp => log.FindMaxTimestamp(),
                var timestamp => log.FindOffsetForTimestamp(timestamp),
            };
        }
        catch (CorruptRecordException)
        {
            // A stored batch whose records do not decode (or would inflate past the cap): this partition's answer only.
            response.ErrorCode = ErrorCode.CorruptMessage;
            return response;
        }
        if (version == 0)
        {
            // v0 answers with a list of offsets; the latest and earliest are what clients of that age ask for.
            if (partition.MaxNumOffsets > 0)
                response.OldStyleOffsets.Add(found?.Offset ?? log.LogEndOffset);
            return response;
        }
        if (found is { } hit)
        {
            response.Offset = hit.Offset;
            response.Timestamp = hit.Timestamp;
            response.LeaderEpoch = BrokerNode.LeaderEpoch;
        }
        return response;
    }

    public override ListOffsetsResponse ErrorResponse(ListOffsetsRequest request, ErrorCode error) => new()
    {
        Topics = [.. request.Topics.Select(t => new ListOffsetsTopicResponse
        {
            Name = t.Name,
            Partitions = [.. t.Partitions.Select(p => new ListOffsetsPartitionResponse { PartitionIndex = p.PartitionIndex, ErrorCode = error })],
        })],
    };
}
