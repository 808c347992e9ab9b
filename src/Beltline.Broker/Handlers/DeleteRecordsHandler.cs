using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;
using static Beltline.Protocol.Messages.DeleteRecordsResponse;

namespace Beltline.Broker.Handlers;

/// <summary>DeleteRecords (key 21) v0–2, KIP-107: moves each partition's log start offset (-1: to the high watermark).</summary>
internal sealed class DeleteRecordsHandler(BrokerNode node, ILogger logger) : RequestHandler<DeleteRecordsRequest, DeleteRecordsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    /// <summary>DELETE on each topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse();
        foreach (var topic in request.Topics)
        {
            var result = new DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(result);
            node.Topics.TryGetTopic(topic.Name, out var info);
            foreach (var partition in topic.Partitions)
            {
                var log = info is null ? null : node.Topics.GetLog(info.Id, partition.PartitionIndex);
                var (error, lowWatermark) = !context.IsAllowed(AclOperation.Delete, ResourceType.Topic, topic.Name)
                    ? (ErrorCode.TopicAuthorizationFailed, -1L)
                    : log is null
                        ? (ErrorCode.UnknownTopicOrPartition, -1L)
                        : log.DeleteRecordsBefore(partition.Offset);
                result.Partitions.Add(new DeleteRecordsPartitionResult { PartitionIndex = partition.PartitionIndex, ErrorCode = error, LowWatermark = lowWatermark });
                if (error == ErrorCode.None)
                    Logger.LogInformation("Deleted records of {Topic}-{Partition} before offset {Offset}", topic.Name, partition.PartitionIndex, lowWatermark);
            }
        }
        return ValueTask.FromResult<DeleteRecordsResponse?>(response);
    }

    public override DeleteRecordsResponse ErrorResponse(DeleteRecordsRequest request, ErrorCode error) => new()
    {
        Topics = [.. request.Topics.Select(t => new DeleteRecordsTopicResult
        {
            Name = t.Name,
            Partitions = [.. t.Partitions.Select(p => new DeleteRecordsPartitionResult { PartitionIndex = p.PartitionIndex, LowWatermark = -1, ErrorCode = error })],
        })],
    };
}
