using System.Buffers.Binary;

namespace Beltline.Protocol.Records;

/// <summary>
/// The fixed 61-byte header of a RecordBatch v2 (magic 2), all fields big-endian.
/// <code>
/// RecordBatch => baseOffset:int64 batchLength:int32 partitionLeaderEpoch:int32 magic:int8 crc:uint32
///                attributes:int16 lastOffsetDelta:int32 baseTimestamp:int64 maxTimestamp:int64
///                producerId:int64 producerEpoch:int16 baseSequence:int32 recordCount:int32 records
///   batchLength counts the bytes after itself; crc is CRC-32C from attributes to the end of the batch.
///   attributes: bits 0-2 compression, 3 timestamp type, 4 transactional, 5 control, 6 hasDeleteHorizonMs
/// </code>
/// </summary>
public readonly record struct RecordBatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    sbyte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordCount)
{
    public const int BaseOffsetPosition = 0;
    public const int BatchLengthPosition = 8;
    public const int PartitionLeaderEpochPosition = 12;
    public const int MagicPosition = 16;
    public const int CrcPosition = 17;
    public const int AttributesPosition = 21;
    public const int LastOffsetDeltaPosition = 23;
    public const int BaseTimestampPosition = 27;
    public const int MaxTimestampPosition = 35;
    public const int ProducerIdPosition = 43;
    public const int ProducerEpochPosition = 51;
    public const int BaseSequencePosition = 53;
    public const int RecordCountPosition = 57;
    public const int HeaderSize = 61;

    /// <summary>Bytes not counted by batchLength: baseOffset and batchLength itself.</summary>
    public const int LogOverhead = 12;

    /// <summary>The smallest batchLength a v2 batch can declare: a header and no records.</summary>
    public const int MinBatchLength = HeaderSize - LogOverhead;

    public const sbyte CurrentMagic = 2;

    internal const short CompressionMask = 0x07;
    internal const short LogAppendTimeFlag = 0x08;
    internal const short TransactionalFlag = 0x10;
    internal const short ControlFlag = 0x20;
    internal const short DeleteHorizonFlag = 0x40;

    /// <summary>The codec; values above <see cref="CompressionType.Zstd"/> mean an unknown codec.</summary>
    public CompressionType Compression => (CompressionType)(Attributes & CompressionMask);

    public TimestampType TimestampType =>
        (Attributes & LogAppendTimeFlag) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    public bool IsTransactional => (Attributes & TransactionalFlag) != 0;
    public bool IsControl => (Attributes & ControlFlag) != 0;

    /// <summary>Set by log compaction: BaseTimestamp then holds the tombstone delete horizon.</summary>
    public bool HasDeleteHorizonMs => (Attributes & DeleteHorizonFlag) != 0;

    /// <summary>Idempotent and transactional producers set a producer id; plain ones send -1.</summary>
    public bool HasProducerId => ProducerId >= 0;

    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>The whole batch's size in bytes. A long because BatchLength is untrusted until validated.</summary>
    public long TotalSize => LogOverhead + (long)BatchLength;

    /// <summary>False when <paramref name="source"/> is shorter than <see cref="HeaderSize"/>. Checks nothing else.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out RecordBatchHeader header)
    {
        if (source.Length < HeaderSize)
        {
            header = default;
            return false;
        }
        header = new RecordBatchHeader(
            BinaryPrimitives.ReadInt64BigEndian(source[BaseOffsetPosition..]),
            BinaryPrimitives.ReadInt32BigEndian(source[BatchLengthPosition..]),
            BinaryPrimitives.ReadInt32BigEndian(source[PartitionLeaderEpochPosition..]),
            (sbyte)source[MagicPosition],
            BinaryPrimitives.ReadUInt32BigEndian(source[CrcPosition..]),
            BinaryPrimitives.ReadInt16BigEndian(source[AttributesPosition..]),
            BinaryPrimitives.ReadInt32BigEndian(source[LastOffsetDeltaPosition..]),
            BinaryPrimitives.ReadInt64BigEndian(source[BaseTimestampPosition..]),
            BinaryPrimitives.ReadInt64BigEndian(source[MaxTimestampPosition..]),
            BinaryPrimitives.ReadInt64BigEndian(source[ProducerIdPosition..]),
            BinaryPrimitives.ReadInt16BigEndian(source[ProducerEpochPosition..]),
            BinaryPrimitives.ReadInt32BigEndian(source[BaseSequencePosition..]),
            BinaryPrimitives.ReadInt32BigEndian(source[RecordCountPosition..]));
        return true;
    }

    /// <summary>Reads the header fields as stored; throws <see cref="CorruptRecordException"/> if fewer than 61 bytes.</summary>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> source) =>
        TryRead(source, out var header)
            ? header
            : throw new CorruptRecordException($"A record batch header needs {HeaderSize} bytes, got {source.Length}.");

    /// <summary>Writes all 61 header bytes, the CRC field exactly as held (see <see cref="ComputeCrc"/>).</summary>
    public void WriteTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, HeaderSize, nameof(destination));
        BinaryPrimitives.WriteInt64BigEndian(destination[BaseOffsetPosition..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[BatchLengthPosition..], BatchLength);
        BinaryPrimitives.WriteInt32BigEndian(destination[PartitionLeaderEpochPosition..], PartitionLeaderEpoch);
        destination[MagicPosition] = (byte)Magic;
        BinaryPrimitives.WriteUInt32BigEndian(destination[CrcPosition..], Crc);
        BinaryPrimitives.WriteInt16BigEndian(destination[AttributesPosition..], Attributes);
        BinaryPrimitives.WriteInt32BigEndian(destination[LastOffsetDeltaPosition..], LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(destination[BaseTimestampPosition..], BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[MaxTimestampPosition..], MaxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[ProducerIdPosition..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(destination[ProducerEpochPosition..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(destination[BaseSequencePosition..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordCountPosition..], RecordCount);
    }

    /// <summary>
    /// CRC-32C of the batch starting at <paramref name="batch"/>[0], from attributes to the end its batchLength
    /// declares. The span may run past the batch; it must not be shorter.
    /// </summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(Exact(batch)[AttributesPosition..]);

    /// <summary>Overwrites baseOffset, which the CRC does not cover: the broker assigns offsets in place.</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetPosition..HeaderSize], baseOffset);

    /// <summary>Overwrites partitionLeaderEpoch, which the CRC does not cover.</summary>
    public static void SetPartitionLeaderEpoch(Span<byte> batch, int partitionLeaderEpoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[PartitionLeaderEpochPosition..HeaderSize], partitionLeaderEpoch);

    /// <summary>
    /// Sets the timestamp-type bit and maxTimestamp and recomputes the CRC, as Kafka's LogValidator does when it
    /// stamps LogAppendTime or corrects a CreateTime batch's maxTimestamp. No-op when both already match, which
    /// spares the CRC pass. The span may run past the batch.
    /// </summary>
    public static void SetMaxTimestamp(Span<byte> batch, TimestampType timestampType, long maxTimestamp)
    {
        var exact = Exact(batch);
        var attributes = BinaryPrimitives.ReadInt16BigEndian(exact[AttributesPosition..]);
        var updated = timestampType == TimestampType.LogAppendTime
            ? (short)(attributes | LogAppendTimeFlag)
            : (short)(attributes & ~LogAppendTimeFlag);
        if (updated == attributes && BinaryPrimitives.ReadInt64BigEndian(exact[MaxTimestampPosition..]) == maxTimestamp)
            return;
        BinaryPrimitives.WriteInt16BigEndian(exact[AttributesPosition..], updated);
        BinaryPrimitives.WriteInt64BigEndian(exact[MaxTimestampPosition..], maxTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(exact[CrcPosition..], Crc32C.Compute(exact[AttributesPosition..]));
    }

    /// <summary>
    /// Marks the batch LogAppendTime with <paramref name="timestamp"/> as its maxTimestamp and fixes the CRC.
    /// Record timestamps are left alone: readers take every record's timestamp from maxTimestamp instead.
    /// </summary>
    public static void SetLogAppendTime(Span<byte> batch, long timestamp) =>
        SetMaxTimestamp(batch, TimestampType.LogAppendTime, timestamp);

    private static Span<byte> Exact(Span<byte> batch) => batch[..ExactLength(batch)];

    private static ReadOnlySpan<byte> Exact(ReadOnlySpan<byte> batch) => batch[..ExactLength(batch)];

    private static int ExactLength(ReadOnlySpan<byte> batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch.Length, HeaderSize, nameof(batch));
        var total = LogOverhead + (long)BinaryPrimitives.ReadInt32BigEndian(batch[BatchLengthPosition..]);
        if (total < HeaderSize || total > batch.Length)
            throw new ArgumentException($"The batch declares {total} bytes; {batch.Length} are available.", nameof(batch));
        return (int)total;
    }
}
