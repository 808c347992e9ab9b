using System.Buffers.Binary;

namespace Beltline.Protocol.Records;

/// <summary>
/// Checks the records a producer sent for one partition before the broker appends them, answering with the
/// Kafka error code the broker returns for the partition. Never throws, whatever the bytes.
/// </summary>
/// <remarks>
/// Mirrors Kafka's client-origin checks (ProduceRequest.validateRecords, ByteBufferLogInputStream,
/// UnifiedLog.analyzeAndValidateRecords, LogValidator.validateBatch):
/// <list type="bullet">
/// <item>framing: a batch cut short, a batchLength below the v2 header, or a bad CRC is CORRUPT_MESSAGE;</item>
/// <item>magic 0 or 1 is INVALID_RECORD (Kafka: "only allowed to contain record batches with magic version 2"),
/// any other magic but 2 is CORRUPT_MESSAGE (Kafka: "Invalid magic found in record");</item>
/// <item>codec ids 5-7 are UNSUPPORTED_COMPRESSION_TYPE;</item>
/// <item>baseOffset other than 0, lastOffsetDelta + 1 differing from recordCount or not positive, a control
/// batch, or a producer id without a base sequence are INVALID_RECORD.</item>
/// </list>
/// Uncompressed batches also have every record walked (lengths only, no allocation): a record that does not
/// parse, offset deltas that are not 0, 1, 2, ..., or a count that does not match is INVALID_RECORD, as Kafka's
/// record iterator reports it. Compressed batches get header and CRC checks only: reaching their records means
/// decompressing the whole batch on the request path, and the CRC already proves the bytes are what the
/// producer sent, so a malformed compressed batch can only come from a broken producer and surfaces when read.
/// Kafka's one-batch-per-partition rule (INVALID_RECORD for more) and its zstd-needs-produce-v7 rule
/// (UNSUPPORTED_COMPRESSION_TYPE) depend on the request, so they are left to the caller, which has
/// <see cref="ProduceValidationResult.Batches"/>.
/// </remarks>
public static class ProduceRecordsValidator
{
    public static ProduceValidationResult Validate(ReadOnlySpan<byte> records)
    {
        if (records.IsEmpty)
            return ProduceValidationResult.Failure(ErrorCode.InvalidRecord, "Produce requests must have at least one record batch per partition.");

        var batches = new List<ValidatedBatch>(1);
        var recordCount = 0L;
        var maxTimestamp = -1L;
        var position = 0;
        while (position < records.Length)
        {
            var error = ValidateBatch(records[position..], out var header, out var batchMaxTimestamp, out var message);
            if (error != ErrorCode.None)
                return ProduceValidationResult.Failure(error, $"Record batch at byte {position}: {message}");
            batches.Add(new ValidatedBatch(position, header, batchMaxTimestamp));
            recordCount += header.RecordCount;
            maxTimestamp = Math.Max(maxTimestamp, batchMaxTimestamp);
            position += (int)header.TotalSize;
        }
        return ProduceValidationResult.Success(batches, recordCount, maxTimestamp);
    }

    /// <summary>Validates the batch at the start of <paramref name="remaining"/>, which may hold further batches.</summary>
    private static ErrorCode ValidateBatch(ReadOnlySpan<byte> remaining, out RecordBatchHeader header, out long maxTimestamp, out string message)
    {
        header = default;
        maxTimestamp = -1;
        message = "";
        if (remaining.Length <= RecordBatchHeader.MagicPosition)
        {
            message = $"only {remaining.Length} bytes, too few for a batch header.";
            return ErrorCode.CorruptMessage;
        }
        var magic = (sbyte)remaining[RecordBatchHeader.MagicPosition];
        if (magic != RecordBatchHeader.CurrentMagic)
        {
            message = $"magic {magic}; produce requests may only contain record batches with magic version 2.";
            return magic is 0 or 1 ? ErrorCode.InvalidRecord : ErrorCode.CorruptMessage;
        }
        var batchLength = BinaryPrimitives.ReadInt32BigEndian(remaining[RecordBatchHeader.BatchLengthPosition..]);
        if (batchLength < RecordBatchHeader.MinBatchLength)
        {
            message = $"batch length {batchLength} is shorter than the v2 header.";
            return ErrorCode.CorruptMessage;
        }
        if (RecordBatchHeader.LogOverhead + (long)batchLength > remaining.Length)
        {
            message = $"batch length {batchLength} runs past the {remaining.Length - RecordBatchHeader.LogOverhead} bytes that follow it.";
            return ErrorCode.CorruptMessage;
        }

        var batch = remaining[..(RecordBatchHeader.LogOverhead + batchLength)];
        header = RecordBatchHeader.Read(batch);
        var computedCrc = Crc32C.Compute(batch[RecordBatchHeader.AttributesPosition..]);
        if (computedCrc != header.Crc)
        {
            message = $"CRC {header.Crc:x8} does not match the computed {computedCrc:x8}.";
            return ErrorCode.CorruptMessage;
        }
        if (header.Compression > CompressionType.Zstd)
        {
            message = $"unknown compression codec id {(int)header.Compression}.";
            return ErrorCode.UnsupportedCompressionType;
        }
        if (header.BaseOffset != 0)
        {
            message = $"base offset {header.BaseOffset}; producers must send 0.";
            return ErrorCode.InvalidRecord;
        }
        if (header.RecordCount <= 0 || header.LastOffsetDelta + 1L != header.RecordCount)
        {
            message = $"record count {header.RecordCount} does not match last offset delta {header.LastOffsetDelta}.";
            return ErrorCode.InvalidRecord;
        }
        if (header.IsControl)
        {
            message = "clients are not allowed to write control records.";
            return ErrorCode.InvalidRecord;
        }
        if (header.HasProducerId && header.BaseSequence < 0)
        {
            message = $"invalid sequence number {header.BaseSequence} with producer id {header.ProducerId}.";
            return ErrorCode.InvalidRecord;
        }

        if (header.Compression != CompressionType.None)
        {
            maxTimestamp = header.MaxTimestamp;
            return ErrorCode.None;
        }
        return WalkRecords(batch[RecordBatchHeader.HeaderSize..], header, out maxTimestamp, out message);
    }

    /// <summary>Parses every record of an uncompressed batch; the max timestamp is the records', as Kafka recomputes it.</summary>
    private static ErrorCode WalkRecords(ReadOnlySpan<byte> records, in RecordBatchHeader header, out long maxTimestamp, out string message)
    {
        maxTimestamp = long.MinValue;
        message = "";
        var position = 0;
        for (var i = 0; i < header.RecordCount; i++)
        {
            if (!RecordFrame.TryRead(records, ref position, out var frame))
            {
                message = $"record {i} of {header.RecordCount} is malformed or cut short.";
                return ErrorCode.InvalidRecord;
            }
            if (frame.OffsetDelta != i)
            {
                message = $"record {i} has offset delta {frame.OffsetDelta}.";
                return ErrorCode.InvalidRecord;
            }
            maxTimestamp = Math.Max(maxTimestamp, header.BaseTimestamp + frame.TimestampDelta);
        }
        if (position != records.Length)
        {
            message = $"{records.Length - position} bytes follow the last of {header.RecordCount} records.";
            return ErrorCode.InvalidRecord;
        }
        return ErrorCode.None;
    }
}

/// <summary>The verdict on one partition's produce records: an error for the partition, or what the log append needs.</summary>
public sealed class ProduceValidationResult
{
    private ProduceValidationResult(ErrorCode error, string? errorMessage, IReadOnlyList<ValidatedBatch> batches, long recordCount, long maxTimestamp)
    {
        Error = error;
        ErrorMessage = errorMessage;
        Batches = batches;
        RecordCount = recordCount;
        MaxTimestamp = maxTimestamp;
    }

    public ErrorCode Error { get; }

    /// <summary>For the produce response's error_message; null on success.</summary>
    public string? ErrorMessage { get; }

    public bool IsValid => Error == ErrorCode.None;

    /// <summary>The batches in buffer order; empty on failure.</summary>
    public IReadOnlyList<ValidatedBatch> Batches { get; }

    /// <summary>
    /// Records over all batches, which is also how many offsets the append assigns (each batch's
    /// lastOffsetDelta + 1). A long: compressed batches' counts are the producer's word, not walked.
    /// </summary>
    public long RecordCount { get; }

    /// <summary>The largest <see cref="ValidatedBatch.MaxTimestamp"/>, or -1.</summary>
    public long MaxTimestamp { get; }

    internal static ProduceValidationResult Failure(ErrorCode error, string message) => new(error, message, [], 0, -1);

    internal static ProduceValidationResult Success(IReadOnlyList<ValidatedBatch> batches, long recordCount, long maxTimestamp) =>
        new(ErrorCode.None, null, batches, recordCount, maxTimestamp);
}

/// <summary>
/// A batch that passed validation: where it starts in the records buffer, its header, and its max timestamp —
/// computed from the records for uncompressed batches (which may differ from the header's), taken from the
/// header for compressed ones. The batch occupies <see cref="RecordBatchHeader.TotalSize"/> bytes from Position.
/// </summary>
public readonly record struct ValidatedBatch(int Position, RecordBatchHeader Header, long MaxTimestamp);
