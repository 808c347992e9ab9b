using System.Diagnostics;
using Beltline.Broker.Network;
using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// Fetch (key 1) v4–16 (v0–3 advertised for old librdkafka feature checks, answered UNSUPPORTED_VERSION).
/// Long poll: waits up to max_wait_ms for min_bytes across the requested partitions, waking on appends.
/// Honours max_bytes and partition_max_bytes, but the first batch found is returned whole (KIP-74).
/// Fetch sessions (KIP-227) are declined (session id 0), which the protocol allows: clients send full fetches.
/// </summary>
internal sealed class FetchHandler(BrokerNode node, ILogger logger) : RequestHandler<FetchRequest, FetchResponse>(logger)
{
    private const short FirstRecordBatchVersion = 4;
    private static readonly MemoryPayload NoRecords = new(ReadOnlyMemory<byte>.Empty);

    public override short MinVersion => 0;
    public override short MaxVersion => 16;

    /// <summary>READ on each topic.</summary>
    protected override bool AuthorizesItself => true;

    private sealed record Target(FetchPartition Request, FetchPartitionResponse Response, PartitionLog? Log);

    protected override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request)
    {
        var version = context.ApiVersion;
        if (version < FirstRecordBatchVersion)
            return ErrorResponse(request, ErrorCode.UnsupportedVersion);
        if (request.SessionId != 0 || request.SessionEpoch > 0)
            return new FetchResponse { ErrorCode = ErrorCode.FetchSessionIdNotFound };

        var response = new FetchResponse();
        var targets = new List<Target>();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new FetchTopicResponse { Topic = topic.Topic, TopicId = topic.TopicId };
            response.Topics.Add(topicResponse);
            var known = version >= 13 ? node.Topics.TryGetTopic(topic.TopicId, out var info) : node.Topics.TryGetTopic(topic.Topic, out info);
            var missing = version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition;
            var readable = context.IsAllowed(AclOperation.Read, ResourceType.Topic, known ? info!.Name : topic.Topic);
            foreach (var partition in topic.Partitions)
            {
                var partitionResponse = new FetchPartitionResponse { PartitionIndex = partition.Partition, Records = NoRecords };
                topicResponse.Partitions.Add(partitionResponse);
                var log = known ? node.Topics.GetLog(info.Id, partition.Partition) : null;
                if (!readable)
                    partitionResponse.ErrorCode = ErrorCode.TopicAuthorizationFailed;
                else if (log is null)
                    partitionResponse.ErrorCode = missing;
                else if (partition.CurrentLeaderEpoch > BrokerNode.LeaderEpoch)
                    partitionResponse.ErrorCode = ErrorCode.UnknownLeaderEpoch;
                targets.Add(new Target(partition, partitionResponse, partitionResponse.ErrorCode == ErrorCode.None ? log : null));
            }
        }

        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var (bytes, failed) = ReadAll(version, request, targets);
            var remaining = TimeSpan.FromMilliseconds(request.MaxWaitMs) - Stopwatch.GetElapsedTime(started);
            if (bytes >= request.MinBytes || failed || remaining <= TimeSpan.Zero)
                return Respond(context, response, targets, bytes);
            Release(targets);
            await WaitForAppendAsync(targets, remaining, context.Aborted);
            context.Aborted.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Waits until one partition grows past what the last pass saw, <paramref name="remaining"/> passes, or the
    /// connection goes. The waits are cancelled when this returns, which removes them from their logs: a long poll
    /// that times out on an idle partition leaves nothing attached to it.
    /// </summary>
    private static async Task WaitForAppendAsync(List<Target> targets, TimeSpan remaining, CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        stop.CancelAfter(remaining);
        var appended = new List<Task>();
        foreach (var target in targets)
            if (target.Log is not null)
                appended.Add(target.Log.WaitForAppendAsync(target.Response.HighWatermark, stop.Token));
        try
        {
            if (appended.Count == 0)
                await Task.Delay(Timeout.InfiniteTimeSpan, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            else
                await Task.WhenAny(appended);
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private FetchResponse Respond(RequestContext context, FetchResponse response, List<Target> targets, long bytes)
    {
        foreach (var target in targets)
            if (target.Response.Records is SegmentSlice slice)
                context.ReleaseAfterResponse(slice);
        node.Metrics.BytesOut.Add(bytes);
        return response;
    }

    /// <summary>
    /// Reads every partition once; returns the record bytes gathered and whether a partition failed. If a read
    /// throws, the slices taken so far are released before the exception leaves.
    /// </summary>
    private static (long Bytes, bool Failed) ReadAll(short version, FetchRequest request, List<Target> targets)
    {
        long total = 0;
        var failed = false;
        try
        {
            foreach (var (partition, response, log) in targets)
            {
                if (log is null)
                {
                    failed |= response.ErrorCode != ErrorCode.None;
                    continue;
                }
                var budget = (int)Math.Min(partition.PartitionMaxBytes, Math.Max(0, request.MaxBytes - total));
                var read = log.Read(partition.FetchOffset, budget, minOneBatch: total == 0);
                // A log closed under the fetch belongs to a deleted topic.
                response.ErrorCode = read.Error == ErrorCode.UnknownTopicOrPartition && version >= 13 ? ErrorCode.UnknownTopicId : read.Error;
                response.HighWatermark = read.HighWatermark;
                response.LastStableOffset = read.HighWatermark;
                response.LogStartOffset = read.LogStartOffset;
                response.AbortedTransactions = request.IsolationLevel == 1 ? [] : null;
                response.Records = (IRawPayload?)read.Records ?? NoRecords;
                total += read.Records?.Length ?? 0;
                failed |= read.Error != ErrorCode.None;
            }
        }
        catch
        {
            Release(targets);
            throw;
        }
        return (total, failed);
    }

    private static void Release(List<Target> targets)
    {
        foreach (var target in targets)
        {
            if (target.Response.Records is SegmentSlice slice)
                slice.Dispose();
            target.Response.Records = NoRecords;
        }
    }

    public override FetchResponse ErrorResponse(FetchRequest request, ErrorCode error) => new()
    {
        ErrorCode = error == ErrorCode.UnsupportedVersion ? ErrorCode.None : error,
        Topics = [.. request.Topics.Select(t => new FetchTopicResponse
        {
            Topic = t.Topic,
            TopicId = t.TopicId,
            Partitions = [.. t.Partitions.Select(p => new FetchPartitionResponse { PartitionIndex = p.Partition, ErrorCode = error, Records = NoRecords })],
        })],
    };
}
