using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Beltline.Protocol.Records;

/// <summary>
/// Builds one complete, CRC-correct RecordBatch v2 the way the Java producer does: the first record's timestamp
/// is the base timestamp, offset deltas run 0, 1, 2, ..., and the records are compressed as one block.
/// </summary>
public sealed class RecordBatchBuilder
{
    private readonly List<PendingRecord> _records = [];

    public CompressionType Compression { get; init; }
    public long BaseOffset { get; init; }

    /// <summary>-1 as producers send it; the broker stamps its own.</summary>
    public int PartitionLeaderEpoch { get; init; } = -1;

    public long ProducerId { get; init; } = -1;
    public short ProducerEpoch { get; init; } = -1;
    public int BaseSequence { get; init; } = -1;
    public bool IsTransactional { get; init; }
    public bool IsControl { get; init; }

    /// <summary>
    /// Set, the batch is LogAppendTime with this as its maxTimestamp, which readers report for every record;
    /// null (the default), it is CreateTime and maxTimestamp is the largest record timestamp.
    /// </summary>
    public long? LogAppendTime { get; init; }

    public TimestampType TimestampType => LogAppendTime is null ? TimestampType.CreateTime : TimestampType.LogAppendTime;

    /// <summary>
    /// KIP-534: set by the log cleaner on a batch that keeps tombstones, the time after which they may go. It is
    /// stored in the base timestamp field (with the hasDeleteHorizonMs attribute); record timestamps stay exact,
    /// their deltas being taken from it.
    /// </summary>
    public long? DeleteHorizonMs { get; init; }

    public int Count => _records.Count;

    /// <summary>
    /// Queues a record; null arrays stay null. (Passed to the ReadOnlyMemory overload, a null array would turn
    /// into an empty, non-null field.)
    /// </summary>
    public RecordBatchBuilder Add(byte[]? key, byte[]? value, long timestamp, IReadOnlyList<RecordHeader>? headers = null) =>
        Add(key is null ? null : (ReadOnlyMemory<byte>?)key, value is null ? null : (ReadOnlyMemory<byte>?)value, timestamp, headers);

    /// <summary>Queues a record. The key, value and header bytes are referenced, not copied, until <see cref="Build"/>.</summary>
    public RecordBatchBuilder Add(ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, long timestamp, IReadOnlyList<RecordHeader>? headers = null) =>
        AddAt(_records.Count == 0 ? 0 : _records[^1].OffsetDelta + 1, key, value, timestamp, headers);

    /// <summary>
    /// Queues a record at an explicit offset delta, above the previous record's: a compacted batch keeps its
    /// records' offsets, with gaps where records were removed.
    /// </summary>
    public RecordBatchBuilder AddAt(int offsetDelta, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, long timestamp, IReadOnlyList<RecordHeader>? headers = null)
    {
        if (_records.Count > 0 && offsetDelta <= _records[^1].OffsetDelta)
            throw new ArgumentOutOfRangeException(nameof(offsetDelta), offsetDelta, "Offset deltas must increase.");
        var encodedHeaders = headers is null || headers.Count == 0
            ? []
            : headers.Select(h => (Key: Encoding.UTF8.GetBytes(h.Key), h.Value)).ToArray();
        _records.Add(new PendingRecord(key, value, timestamp, encodedHeaders, offsetDelta));
        return this;
    }

    public byte[] Build()
    {
        if (_records.Count == 0)
            throw new InvalidOperationException("A record batch needs at least one record.");

        var baseTimestamp = DeleteHorizonMs ?? _records[0].Timestamp;
        var records = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(records);
        var maxTimestamp = long.MinValue;
        for (var i = 0; i < _records.Count; i++)
        {
            WriteRecord(ref writer, _records[i], _records[i].OffsetDelta, _records[i].Timestamp - baseTimestamp);
            maxTimestamp = Math.Max(maxTimestamp, _records[i].Timestamp);
        }
        writer.Commit();

        // "Records.Compression" because the Compression property hides the class here.
        ReadOnlySpan<byte> payload = Compression == CompressionType.None
            ? records.WrittenSpan
            : Records.Compression.Compress(Compression, records.WrittenSpan);

        var batch = new byte[RecordBatchHeader.HeaderSize + payload.Length];
        new RecordBatchHeader(
            BaseOffset,
            batch.Length - RecordBatchHeader.LogOverhead,
            PartitionLeaderEpoch,
            RecordBatchHeader.CurrentMagic,
            Crc: 0,
            Attributes(),
            LastOffsetDelta: _records[^1].OffsetDelta,
            baseTimestamp,
            LogAppendTime ?? maxTimestamp,
            ProducerId,
            ProducerEpoch,
            BaseSequence,
            _records.Count).WriteTo(batch);
        payload.CopyTo(batch.AsSpan(RecordBatchHeader.HeaderSize));
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcPosition), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    private short Attributes()
    {
        var attributes = (short)Compression;
        if (LogAppendTime is not null)
            attributes |= RecordBatchHeader.LogAppendTimeFlag;
        if (IsTransactional)
            attributes |= RecordBatchHeader.TransactionalFlag;
        if (IsControl)
            attributes |= RecordBatchHeader.ControlFlag;
        if (DeleteHorizonMs is not null)
            attributes |= RecordBatchHeader.DeleteHorizonFlag;
        return attributes;
    }

    private static void WriteRecord(ref KafkaWriter writer, PendingRecord record, int offsetDelta, long timestampDelta)
    {
        // The length prefix comes first, so the body size is summed before anything is written.
        var bodySize = 1 + VarLongSize(timestampDelta) + VarIntSize(offsetDelta)
            + NullableBytesSize(record.Key) + NullableBytesSize(record.Value) + VarIntSize(record.Headers.Length);
        foreach (var (key, value) in record.Headers)
            bodySize += VarIntSize(key.Length) + key.Length + NullableBytesSize(value);

        writer.WriteVarInt(bodySize);
        writer.WriteInt8(0); // attributes: unused in v2
        writer.WriteVarLong(timestampDelta);
        writer.WriteVarInt(offsetDelta);
        WriteNullableBytes(ref writer, record.Key);
        WriteNullableBytes(ref writer, record.Value);
        writer.WriteVarInt(record.Headers.Length);
        foreach (var (key, value) in record.Headers)
        {
            writer.WriteVarInt(key.Length);
            writer.WriteRaw(key);
            WriteNullableBytes(ref writer, value);
        }
    }

    private static void WriteNullableBytes(ref KafkaWriter writer, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } present)
        {
            writer.WriteVarInt(-1);
            return;
        }
        writer.WriteVarInt(present.Length);
        writer.WriteRaw(present.Span);
    }

    private static int NullableBytesSize(ReadOnlyMemory<byte>? bytes) =>
        bytes is { } present ? VarIntSize(present.Length) + present.Length : VarIntSize(-1);

    private static int VarIntSize(int value) => KafkaWriter.VarIntSize((uint)((value << 1) ^ (value >> 31)));

    private static int VarLongSize(long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        return (BitOperations.Log2(zigzag | 1) / 7) + 1;
    }

    private sealed record PendingRecord(
        ReadOnlyMemory<byte>? Key,
        ReadOnlyMemory<byte>? Value,
        long Timestamp,
        (byte[] Key, ReadOnlyMemory<byte>? Value)[] Headers,
        int OffsetDelta);
}
