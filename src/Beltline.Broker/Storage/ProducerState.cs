using System.Buffers.Binary;
using System.Globalization;
using Beltline.Protocol;
using Beltline.Protocol.Records;

namespace Beltline.Broker.Storage;

/// <summary>A batch an idempotent producer wrote: its sequence range and where it landed.</summary>
internal readonly record struct ProducerBatch(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long Timestamp);

/// <summary>
/// The outcome of checking a batch against its producer's state: append it, answer with the offsets of the copy
/// already in the log, or refuse it.
/// </summary>
internal readonly record struct ProducerCheck(ErrorCode Error, string? Message, ProducerBatch? Duplicate)
{
    public static readonly ProducerCheck Append = new(ErrorCode.None, null, null);
}

/// <summary>
/// Kafka's ProducerStateManager for idempotent producers (KIP-98, KIP-360): per producer id, its epoch and its last
/// five batches. A retried batch that is still cached is a duplicate, answered with the original offsets and no error
/// (as Kafka's UnifiedLog.append does); an older one gets DUPLICATE_SEQUENCE_NUMBER; a gap gets
/// OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch INVALID_PRODUCER_EPOCH. A producer with no state left (never seen,
/// or its records gone to retention) is accepted at any sequence, as Kafka 2.5+ does.
/// <para>
/// State is saved in <c>{offset}.snapshot</c> files (the state as of that log offset) at segment rolls and clean
/// shutdown; opening a log loads the newest snapshot not past the log end and replays batch headers after it.
/// Not thread-safe: the partition log's lock guards it.
/// </para>
/// </summary>
internal sealed class ProducerStateManager
{
    public const int CachedBatches = 5;
    private const string SnapshotExtension = ".snapshot";
    private const int SnapshotVersion = 1;

    private sealed class Entry
    {
        public short Epoch = -1;
        public readonly List<ProducerBatch> Batches = new(CachedBatches);
        public long LastOffset => Batches.Count == 0 ? -1 : Batches[^1].LastOffset;
        public int LastSequence => Batches.Count == 0 ? -1 : Batches[^1].LastSequence;
    }

    private readonly Dictionary<long, Entry> _producers = [];

    public int Count => _producers.Count;

    /// <summary>Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from int.MaxValue to 0.</summary>
    public static int LastSequenceOf(in RecordBatchHeader batch) =>
        batch.BaseSequence > int.MaxValue - batch.LastOffsetDelta
            ? batch.LastOffsetDelta - (int.MaxValue - batch.BaseSequence) - 1
            : batch.BaseSequence + batch.LastOffsetDelta;

    private static bool InSequence(int lastSequence, int nextSequence) =>
        nextSequence == lastSequence + 1L || (nextSequence == 0 && lastSequence == int.MaxValue);

    /// <summary>Whether <paramref name="batch"/> (with a producer id) may be appended; changes nothing.</summary>
    public ProducerCheck Check(in RecordBatchHeader batch)
    {
        if (!_producers.TryGetValue(batch.ProducerId, out var entry) || entry.Epoch < 0)
            return ProducerCheck.Append;
        if (batch.ProducerEpoch < entry.Epoch)
            return new ProducerCheck(ErrorCode.InvalidProducerEpoch,
                $"Producer {batch.ProducerId}'s epoch {batch.ProducerEpoch} is older than the current epoch {entry.Epoch}.", null);
        var lastSequence = LastSequenceOf(batch);
        if (batch.ProducerEpoch == entry.Epoch)
        {
            foreach (var cached in entry.Batches)
                if (cached.FirstSequence == batch.BaseSequence && cached.LastSequence == lastSequence)
                    return new ProducerCheck(ErrorCode.None, null, cached);
        }
        if (batch.ProducerEpoch > entry.Epoch)
        {
            return batch.BaseSequence == 0
                ? ProducerCheck.Append
                : new ProducerCheck(ErrorCode.OutOfOrderSequenceNumber,
                    $"Invalid sequence number for new epoch {batch.ProducerEpoch} of producer {batch.ProducerId}: {batch.BaseSequence} (expected 0).", null);
        }
        if (InSequence(entry.LastSequence, batch.BaseSequence))
            return ProducerCheck.Append;
        // A batch wholly at or before the last sequence that is no longer cached was written long ago.
        var isOld = entry.Batches.Count > 0 && batch.BaseSequence <= entry.LastSequence && lastSequence <= entry.LastSequence
            && batch.BaseSequence < entry.Batches[0].FirstSequence;
        return isOld
            ? new ProducerCheck(ErrorCode.DuplicateSequenceNumber,
                $"Producer {batch.ProducerId} resent sequence {batch.BaseSequence}-{lastSequence}, written before the last {CachedBatches} batches.", null)
            : new ProducerCheck(ErrorCode.OutOfOrderSequenceNumber,
                $"Out of order sequence number for producer {batch.ProducerId}: {batch.BaseSequence} (incoming seq. number), {entry.LastSequence} (current end sequence number).", null);
    }

    /// <summary>Records a batch with a producer id that is now in the log at <paramref name="firstOffset"/>.</summary>
    public void Update(in RecordBatchHeader batch, long firstOffset, long timestamp)
    {
        if (!batch.HasProducerId)
            return;
        if (!_producers.TryGetValue(batch.ProducerId, out var entry))
            _producers[batch.ProducerId] = entry = new Entry();
        if (batch.ProducerEpoch != entry.Epoch)
        {
            entry.Epoch = batch.ProducerEpoch;
            entry.Batches.Clear();
        }
        if (batch.IsControl)
            return;
        if (entry.Batches.Count == CachedBatches)
            entry.Batches.RemoveAt(0);
        entry.Batches.Add(new ProducerBatch(batch.BaseSequence, LastSequenceOf(batch), firstOffset, firstOffset + batch.LastOffsetDelta, timestamp));
    }

    /// <summary>Forgets producers whose last batch is below the log start (retention, DeleteRecords), as Kafka does.</summary>
    public void RemoveBefore(long logStartOffset)
    {
        foreach (var (id, entry) in _producers.ToList())
            if (entry.LastOffset < logStartOffset)
                _producers.Remove(id);
    }

    public void Clear() => _producers.Clear();

    public static string SnapshotPath(string directory, long offset) =>
        Path.Combine(directory, offset.ToString("D20", CultureInfo.InvariantCulture) + SnapshotExtension);

    /// <summary>
    /// Writes the state as of <paramref name="offset"/> (write, fsync, rename), then deletes all but the two newest
    /// snapshots. Layout: version:int32 count:int32 then per producer id:int64 epoch:int16 batches:int32
    /// [first_seq:int32 last_seq:int32 first_offset:int64 last_offset:int64 timestamp:int64], then crc32c:uint32 of
    /// everything before it.
    /// </summary>
    public void WriteSnapshot(string directory, long offset)
    {
        var size = 8 + _producers.Sum(p => 14 + (p.Value.Batches.Count * 32)) + 4;
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, SnapshotVersion);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], _producers.Count);
        var position = 8;
        foreach (var (id, entry) in _producers)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[position..], id);
            BinaryPrimitives.WriteInt16BigEndian(span[(position + 8)..], entry.Epoch);
            BinaryPrimitives.WriteInt32BigEndian(span[(position + 10)..], entry.Batches.Count);
            position += 14;
            foreach (var batch in entry.Batches)
            {
                BinaryPrimitives.WriteInt32BigEndian(span[position..], batch.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(span[(position + 4)..], batch.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 8)..], batch.FirstOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 16)..], batch.LastOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 24)..], batch.Timestamp);
                position += 32;
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(span[position..], Crc32C.Compute(span[..position]));
        var path = SnapshotPath(directory, offset);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        foreach (var old in SnapshotOffsets(directory).SkipLast(2))
            File.Delete(SnapshotPath(directory, old));
    }

    /// <summary>Snapshot offsets present in <paramref name="directory"/>, oldest first.</summary>
    public static List<long> SnapshotOffsets(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*" + SnapshotExtension)
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : -1)
            .Where(o => o >= 0).Order()];

    /// <summary>
    /// Loads the newest readable snapshot at or below <paramref name="logEndOffset"/>; returns the offset replay
    /// should start from (the snapshot's, or -1 when there is none and the whole log must be replayed). Snapshots
    /// past the log end (a recovery cut the log) are deleted.
    /// </summary>
    public long LoadSnapshot(string directory, long logEndOffset)
    {
        _producers.Clear();
        foreach (var offset in Enumerable.Reverse(SnapshotOffsets(directory)))
        {
            var path = SnapshotPath(directory, offset);
            if (offset > logEndOffset)
            {
                File.Delete(path);
                continue;
            }
            if (TryRead(File.ReadAllBytes(path)))
                return offset;
            _producers.Clear();
        }
        return -1;
    }

    private bool TryRead(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || Crc32C.Compute(bytes[..^4]) != BinaryPrimitives.ReadUInt32BigEndian(bytes[^4..])
            || BinaryPrimitives.ReadInt32BigEndian(bytes) != SnapshotVersion)
            return false;
        var count = BinaryPrimitives.ReadInt32BigEndian(bytes[4..]);
        var position = 8;
        for (var i = 0; i < count; i++)
        {
            if (position + 14 > bytes.Length - 4)
                return false;
            var entry = new Entry { Epoch = BinaryPrimitives.ReadInt16BigEndian(bytes[(position + 8)..]) };
            var id = BinaryPrimitives.ReadInt64BigEndian(bytes[position..]);
            var batches = BinaryPrimitives.ReadInt32BigEndian(bytes[(position + 10)..]);
            position += 14;
            if (batches is < 0 or > CachedBatches || position + (batches * 32) > bytes.Length - 4)
                return false;
            for (var b = 0; b < batches; b++, position += 32)
            {
                entry.Batches.Add(new ProducerBatch(
                    BinaryPrimitives.ReadInt32BigEndian(bytes[position..]),
                    BinaryPrimitives.ReadInt32BigEndian(bytes[(position + 4)..]),
                    BinaryPrimitives.ReadInt64BigEndian(bytes[(position + 8)..]),
                    BinaryPrimitives.ReadInt64BigEndian(bytes[(position + 16)..]),
                    BinaryPrimitives.ReadInt64BigEndian(bytes[(position + 24)..])));
            }
            _producers[id] = entry;
        }
        return true;
    }
}
