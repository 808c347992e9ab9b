using System.Buffers.Binary;

namespace Beltline.Protocol.Records;

/// <summary>One complete RecordBatch v2: its header and exactly its bytes. For reading, not for produce validation.</summary>
public readonly struct RecordBatch
{
    private RecordBatch(RecordBatchHeader header, ReadOnlyMemory<byte> bytes)
    {
        Header = header;
        Bytes = bytes;
    }

    public RecordBatchHeader Header { get; }

    /// <summary>The batch's <see cref="RecordBatchHeader.TotalSize"/> bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public bool IsCrcValid => RecordBatchHeader.ComputeCrc(Bytes.Span) == Header.Crc;

    /// <summary>
    /// The first batch of <paramref name="buffer"/>; throws <see cref="CorruptRecordException"/> if it is
    /// incomplete, not magic 2, or shorter than a header. The CRC is not checked (see <see cref="IsCrcValid"/>).
    /// </summary>
    public static RecordBatch Read(ReadOnlyMemory<byte> buffer) =>
        TryReadComplete(buffer, out var batch)
            ? batch
            : throw new CorruptRecordException($"The buffer of {buffer.Length} bytes does not hold a complete record batch.");

    /// <summary>
    /// The complete batches of a buffer of concatenated batches, in order. A partial batch at the end is ignored,
    /// since fetch responses may end with one cut at the size limit; a complete batch that is not a v2 batch
    /// throws <see cref="CorruptRecordException"/>.
    /// </summary>
    public static IEnumerable<RecordBatch> ReadAll(ReadOnlyMemory<byte> buffer)
    {
        while (TryReadComplete(buffer, out var batch))
        {
            yield return batch;
            buffer = buffer[batch.Bytes.Length..];
        }
    }

    /// <summary>
    /// Decompresses if needed and reads every record, with absolute offsets and timestamps.
    /// Throws <see cref="CorruptRecordException"/> if the records do not parse or their number differs from
    /// <see cref="RecordBatchHeader.RecordCount"/>, or if compressed records inflate past <paramref name="maxDecompressedBytes"/>.
    /// </summary>
    public IReadOnlyList<Record> ReadRecords(int maxDecompressedBytes = Compression.DefaultMaxDecompressedBytes)
    {
        var header = Header;
        var payload = Bytes[RecordBatchHeader.HeaderSize..];
        var records = header.Compression == CompressionType.None ? payload : Compression.Decompress(header.Compression, payload, maxDecompressedBytes);
        // Every record takes at least 7 bytes, which caps a capacity taken from an untrusted count.
        var list = new List<Record>(Math.Clamp(header.RecordCount, 0, records.Length / 7));
        var position = 0;
        for (var i = 0; i < header.RecordCount; i++)
        {
            if (!RecordFrame.TryRead(records.Span, ref position, out var frame))
                throw new CorruptRecordException($"Record {i} of the batch at offset {header.BaseOffset} is malformed.");
            var timestamp = header.TimestampType == TimestampType.LogAppendTime
                ? header.MaxTimestamp
                : header.BaseTimestamp + frame.TimestampDelta;
            list.Add(frame.ToRecord(records, header.BaseOffset, timestamp));
        }
        if (position != records.Length)
            throw new CorruptRecordException(
                $"The batch at offset {header.BaseOffset} has {records.Length - position} bytes after its {header.RecordCount} records.");
        return list;
    }

    /// <summary>False if the buffer ends before the first batch does; throws if that batch cannot be a v2 batch.</summary>
    private static bool TryReadComplete(ReadOnlyMemory<byte> buffer, out RecordBatch batch)
    {
        batch = default;
        var span = buffer.Span;
        if (span.Length < RecordBatchHeader.LogOverhead)
            return false;
        var batchLength = BinaryPrimitives.ReadInt32BigEndian(span[RecordBatchHeader.BatchLengthPosition..]);
        if (batchLength < RecordBatchHeader.MinBatchLength)
            throw new CorruptRecordException($"Batch length {batchLength} is shorter than a v2 batch header.");
        var totalSize = RecordBatchHeader.LogOverhead + (long)batchLength;
        if (totalSize > span.Length)
            return false;
        var header = RecordBatchHeader.Read(span);
        if (header.Magic != RecordBatchHeader.CurrentMagic)
            throw new CorruptRecordException($"Record batch magic {header.Magic} is not supported; only magic 2 is.");
        batch = new RecordBatch(header, buffer[..(int)totalSize]);
        return true;
    }
}
