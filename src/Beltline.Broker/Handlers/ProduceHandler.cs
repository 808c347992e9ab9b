using Beltline.Broker.Network;
using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Protocol.Records;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// Produce (key 0) v3–10 (v0–2 advertised for old librdkafka feature checks, answered UNSUPPORTED_VERSION):
/// validates each partition's batches (magic 2, CRC-32C, sizes), appends them with offsets assigned and
/// answers per partition; acks=0 gets no response, and in durable mode acks=all waits for the fsync.
/// </summary>
internal sealed class ProduceHandler(BrokerNode node, ILogger logger) : RequestHandler<ProduceRequest, ProduceResponse>(logger)
{
    /// <summary>First version carrying RecordBatch v2 (magic 2); older ones carry message sets v0/v1.</summary>
    private const short FirstRecordBatchVersion = 3;

    public override short MinVersion => 0;
    public override short MaxVersion => 10;

    /// <summary>WRITE on each topic.</summary>
    protected override bool AuthorizesItself => true;

    /// <summary>Batches are appended from (and patched in) the request frame itself.</summary>
    public override bool RetainsRequestBody => true;

    /// <summary>The first partition's batch, at the offset its log's next direct-I/O append starts at.</summary>
    public override DiskPlacement? PlaceBody(short version, ReadOnlyMemory<byte> bodyPrefix)
    {
        if (!ProduceRequest.TryLocateFirstRecords(bodyPrefix, version, out var topic, out var partition, out var recordsOffset)
            || !node.Topics.TryGetTopic(topic, out var info) || node.Topics.GetLog(info.Id, partition) is not { } log)
            return null;
        var blockOffset = log.NextAppendBlockOffset;
        return blockOffset < 0 ? null : new DiskPlacement(recordsOffset, blockOffset);
    }

    protected override async ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request)
    {
        var response = new ProduceResponse();
        var failures = 0;
        List<Task>? durable = null;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new ProduceTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            node.Topics.TryGetTopic(topic.Name, out var info);
            var writable = context.IsAllowed(AclOperation.Write, ResourceType.Topic, topic.Name);
            foreach (var partition in topic.Partitions)
            {
                var log = info is null ? null : node.Topics.GetLog(info.Id, partition.Index);
                var result = writable
                    ? Append(context.ApiVersion, request, log, partition, now)
                    : new ProducePartitionResponse { Index = partition.Index, ErrorCode = ErrorCode.TopicAuthorizationFailed, ErrorMessage = $"Not authorized to write to topic {topic.Name}", LogStartOffset = -1 };
                topicResponse.Partitions.Add(result);
                if (result.ErrorCode != ErrorCode.None)
                {
                    failures++;
                    Logger.LogDebug("Produce to {Topic}-{Partition} from {ClientId} rejected: {Error} {Message}",
                        topic.Name, partition.Index, context.Header.ClientId, result.ErrorCode, result.ErrorMessage);
                }
                else if (request.Acks == -1 && node.GroupCommit is { } groupCommit)
                    (durable ??= []).Add(groupCommit.WaitDurableAsync(log!));
            }
        }
        if (request.Acks == 0)
        {
            // No response exists to carry the error: Kafka closes the connection so the producer notices.
            if (failures > 0)
                throw new CloseConnectionException($"acks=0 produce failed for {failures} partition(s)");
            return null;
        }
        if (durable is not null)
            await Task.WhenAll(durable);
        return response;
    }

    private ProducePartitionResponse Append(short version, ProduceRequest request, PartitionLog? log, ProducePartitionData partition, long now)
    {
        ProducePartitionResponse Fail(ErrorCode error, string message) =>
            new() { Index = partition.Index, ErrorCode = error, ErrorMessage = message, LogStartOffset = log?.LogStartOffset ?? -1 };

        if (version < FirstRecordBatchVersion)
            return Fail(ErrorCode.UnsupportedVersion, $"Produce v{version} carries message format v0/v1, which this broker does not accept; use v3 or later.");
        if (request.Acks is not (-1 or 0 or 1))
            return Fail(ErrorCode.InvalidRequiredAcks, $"acks must be -1, 0 or 1, got {request.Acks}.");
        if (log is null)
            return Fail(ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
        if (log.Topic == Groups.OffsetsTopicRecords.TopicName)
            return Fail(ErrorCode.InvalidTopicException, $"Cannot append to internal topic {log.Topic}.");
        if (request.TransactionalId is not null)
            return Fail(ErrorCode.TransactionalIdAuthorizationFailed, "Transactions are not available on this broker yet.");
        if (partition.Records is not { Length: > 0 } records)
            return Fail(ErrorCode.CorruptMessage, "Produce request carries no records.");

        var config = log.Config;
        var validation = ProduceRecordsValidator.Validate(records.Span);
        if (!validation.IsValid)
            return Fail(validation.Error, validation.ErrorMessage ?? validation.Error.ToString());
        if (validation.Batches.Count != 1)
            return Fail(ErrorCode.InvalidRecord, "Produce requests with version 3 and above must contain exactly one record batch per partition.");
        var batch = validation.Batches[0].Header;
        // For uncompressed batches the validator took the max timestamp from the records themselves; trust that,
        // not the header a client wrote, as Kafka's LogValidator does.
        var maxTimestamp = validation.Batches[0].MaxTimestamp;
        if (batch.Compression == CompressionType.Zstd && version < 7)
            return Fail(ErrorCode.UnsupportedCompressionType, "Zstandard compression needs Produce v7 or later (KIP-110).");
        if (config.Compact && KeylessRecords(records, config) is { Count: > 0 } keyless)
        {
            // KIP-467: name each offending record, so the client fails those and retries nothing else in vain.
            var reason = $"Compacted topic cannot accept message without key in topic partition {log.Topic}-{log.Partition}.";
            var refused = Fail(ErrorCode.InvalidRecord, $"One or more records have been rejected: {reason}");
            refused.RecordErrors = [.. keyless.Select(index => new ProduceRecordError(index, reason))];
            return refused;
        }
        if (batch.TotalSize > config.MaxMessageBytes)
            return Fail(ErrorCode.MessageTooLarge, $"The batch of {batch.TotalSize} bytes exceeds max.message.bytes ({config.MaxMessageBytes}).");
        if (batch.IsTransactional)
            return Fail(ErrorCode.TransactionalIdAuthorizationFailed, "Transactions are not available on this broker yet.");
        if (batch.HasProducerId && (batch.ProducerEpoch < 0 || batch.BaseSequence < 0))
            return Fail(ErrorCode.InvalidRecord, $"Producer {batch.ProducerId} sent a batch without an epoch or sequence.");
        if (!config.LogAppendTime && (now - batch.BaseTimestamp > config.TimestampBeforeMaxMs || maxTimestamp - now > config.TimestampAfterMaxMs))
            return Fail(ErrorCode.InvalidTimestamp, "A record timestamp is outside message.timestamp.before.max.ms / message.timestamp.after.max.ms.");
        if (!config.LogAppendTime && maxTimestamp != batch.MaxTimestamp)
            RecordBatchHeader.SetMaxTimestamp(System.Runtime.InteropServices.MemoryMarshal.AsMemory(records).Span, TimestampType.CreateTime, maxTimestamp);
        // The request body is a private pooled copy, so batches are patched (offsets, LogAppendTime) in place.
        var stored = config.Compression is { } codec && codec != batch.Compression
            ? Recompress(records, codec, config)
            : System.Runtime.InteropServices.MemoryMarshal.AsMemory(records);
        if (log.TryAppend(stored, now) is not { } appended)
            return Fail(ErrorCode.UnknownTopicOrPartition, "The topic was deleted while this request was being handled.");
        if (appended.Error != ErrorCode.None)
            return Fail(appended.Error, appended.ErrorMessage ?? appended.Error.ToString());
        node.Metrics.BytesIn.Add(records.Length);
        node.Metrics.MessagesIn.Add(appended.RecordCount);
        return new ProducePartitionResponse
        {
            Index = partition.Index,
            BaseOffset = appended.BaseOffset,
            LogAppendTimeMs = appended.LogAppendTime,
            LogStartOffset = appended.LogStartOffset,
        };
    }

    /// <summary>
    /// A topic with its own compression.type stores batches in that codec, as Kafka's LogValidator recompresses:
    /// same records, offsets, timestamps and producer fields, new codec and CRC.
    /// </summary>
    private static Memory<byte> Recompress(ReadOnlyMemory<byte> records, CompressionType codec, Storage.LogConfig config)
    {
        var batch = RecordBatch.Read(records);
        var header = batch.Header;
        var builder = new RecordBatchBuilder
        {
            Compression = codec,
            BaseOffset = header.BaseOffset,
            ProducerId = header.ProducerId,
            ProducerEpoch = header.ProducerEpoch,
            BaseSequence = header.BaseSequence,
            IsTransactional = header.IsTransactional,
        };
        foreach (var record in batch.ReadRecords(config.MaxDecompressedBatchBytes))
            builder.AddAt((int)(record.Offset - header.BaseOffset), record.Key, record.Value, record.Timestamp, record.Headers);
        return builder.Build();
    }

    /// <summary>
    /// Compaction keeps records by key, so a compacted topic refuses keyless ones (Kafka's LogValidator): their
    /// indexes in the batch. Compressed batches are inflated to look.
    /// </summary>
    private static List<int> KeylessRecords(ReadOnlyMemory<byte> records, Storage.LogConfig config) =>
        [.. RecordBatch.Read(records).ReadRecords(config.MaxDecompressedBatchBytes).Select((r, i) => (r, i)).Where(p => p.r.Key is null).Select(p => p.i)];

    public override ProduceResponse? ErrorResponse(ProduceRequest request, ErrorCode error) => request.Acks == 0 ? null : new()
    {
        Topics = [.. request.Topics.Select(t => new ProduceTopicResponse
        {
            Name = t.Name,
            Partitions = [.. t.Partitions.Select(p => new ProducePartitionResponse { Index = p.Index, ErrorCode = error })],
        })],
    };
}
