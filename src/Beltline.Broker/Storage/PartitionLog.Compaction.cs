using System.Globalization;
using Beltline.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Storage;

/// <summary>What one cleaning of a log did.</summary>
internal readonly record struct CleanResult(int Segments, long BytesBefore, long BytesAfter, long RecordsRemoved, long TombstonesRemoved);

/// <summary>
/// Compaction (Kafka's LogCleaner, for cleanup.policy=compact and compact,delete): keep the latest record of each
/// key in the sealed segments, never touching the active one.
/// <para>
/// A cleaning maps each key of the dirty part (from the cleaner checkpoint to the end of the cleanable segments) to
/// its latest offset, then rewrites every cleanable segment without the records a later one supersedes, into
/// <c>.cleaner/</c>. Batches keep their base offsets and records their offsets (gaps where records went); a batch
/// with nothing removed is copied byte for byte. Tombstones (null values) stay until their batch's delete horizon
/// (KIP-534: set to now + delete.retention.ms the first time a cleaning keeps them), then go.
/// </para>
/// <para>
/// The swap is the only step under the log's lock: a <c>swap</c> marker is written, the cleaned files are renamed
/// over the old ones (readers still holding an old segment keep reading its unlinked file), the marker goes. A start
/// that finds the marker finishes the renames; one that finds <c>.cleaner/</c> without it discards it. Appends and
/// fetches never wait for the rewrite itself.
/// </para>
/// </summary>
internal sealed partial class PartitionLog
{
    private const string CleanerCheckpointFile = "cleaner-offset-checkpoint";
    private const string CleanerDirectoryName = ".cleaner";
    private const string SwapMarker = "swap";
    private static readonly string[] SegmentExtensions = [".log", ".index", ".timeindex"];

    /// <summary>One cleaning at a time per log (the background cleaner and an explicit call).</summary>
    private readonly Lock _cleanLock = new();

    /// <summary>Offsets below this were part of a cleaning (the "clean" part); from here on is dirty.</summary>
    private long _cleanedTo;

    /// <summary>
    /// The earliest delete horizon of a tombstone the last cleaning kept: from then on a cleaning is due even with
    /// nothing dirty. 0 after a start (not known until the first cleaning looks).
    /// </summary>
    private long _earliestDeleteHorizon;

    /// <summary>Finishes or discards a cleaning a crash interrupted; called by Open before segments are listed.</summary>
    private static void RecoverCleaning(string directory, ILogger logger)
    {
        var cleaner = Path.Combine(directory, CleanerDirectoryName);
        if (!System.IO.Directory.Exists(cleaner))
            return;
        if (File.Exists(Path.Combine(cleaner, SwapMarker)))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(cleaner).Where(f => Path.GetFileName(f) != SwapMarker))
                File.Move(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
            DurableFiles.SyncDirectory(directory);
            logger.LogWarning("Finished the swap of a compaction interrupted in {Directory}", directory);
        }
        System.IO.Directory.Delete(cleaner, recursive: true);
    }

    private static long ReadCleanerCheckpoint(string directory)
    {
        var path = Path.Combine(directory, CleanerCheckpointFile);
        return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : 0;
    }

    /// <summary>Base offset of the active segment, which cleaning never touches (tests).</summary>
    internal long ActiveSegmentBaseOffset => ActiveSegment.BaseOffset;

    /// <summary>Bytes of the sealed segments a cleaning would cover, and how many of them are dirty.</summary>
    public (long Dirty, long Total) CleanableBytes(long nowMs)
    {
        var (segments, _) = Cleanable(nowMs, _config);
        var dirtyFrom = Math.Max(Volatile.Read(ref _cleanedTo), LogStartOffset);
        return (segments.Where(s => s.NextOffset > dirtyFrom).Sum(s => s.Size), segments.Sum(s => s.Size));
    }

    /// <summary>Sealed segments old enough for min.compaction.lag.ms, and the offset where they end.</summary>
    private (LogSegment[] Segments, long End) Cleanable(long nowMs, LogConfig config)
    {
        var segments = Volatile.Read(ref _segments);
        var count = 0;
        while (count < segments.Length - 1 && segments[count].MaxTimestamp <= nowMs - config.MinCompactionLagMs)
            count++;
        return (segments[..count], segments[count].BaseOffset);
    }

    /// <summary>
    /// Compacts the log when its policy says compact and it is due: dirty bytes at least min.cleanable.dirty.ratio
    /// of the cleanable ones, or dirty records older than max.compaction.lag.ms (or <paramref name="force"/>).
    /// Null when nothing was done.
    /// </summary>
    public CleanResult? Clean(long nowMs, bool force = false)
    {
        var config = _config;
        if (!config.Compact || _closed)
            return null;
        lock (_cleanLock)
        {
            var (segments, end) = Cleanable(nowMs, config);
            var dirtyFrom = Math.Max(Volatile.Read(ref _cleanedTo), LogStartOffset);
            var dirty = segments.Where(s => s.NextOffset > dirtyFrom).ToArray();
            var tombstonesDue = segments.Length > 0 && nowMs >= _earliestDeleteHorizon;
            if (dirty.Length == 0 && !tombstonesDue)
                return null;
            var total = segments.Sum(s => s.Size);
            var ratio = total == 0 ? 0 : (double)dirty.Sum(s => s.Size) / total;
            var overdue = dirty.Length > 0 && dirty[0].FirstBatchTimestamp >= 0 && dirty[0].FirstBatchTimestamp < nowMs - config.MaxCompactionLagMs;
            if (!force && ratio < config.MinCleanableDirtyRatio && !overdue && !tombstonesDue)
                return null;

            var latest = MapLatestOffsets(dirty, dirtyFrom, config);
            var cleanerDirectory = Path.Combine(Directory, CleanerDirectoryName);
            if (System.IO.Directory.Exists(cleanerDirectory))
                System.IO.Directory.Delete(cleanerDirectory, recursive: true);
            System.IO.Directory.CreateDirectory(cleanerDirectory);
            long removed = 0, tombstones = 0, earliestHorizon = long.MaxValue;
            var rewritten = new List<LogSegment>();
            foreach (var segment in segments)
            {
                if (CleanSegment(segment, cleanerDirectory, latest, nowMs, config, ref removed, ref tombstones, ref earliestHorizon))
                    rewritten.Add(segment);
            }
            _earliestDeleteHorizon = earliestHorizon;
            var before = rewritten.Sum(s => s.Size);
            var after = Swap(rewritten, cleanerDirectory);
            Volatile.Write(ref _cleanedTo, end);
            WriteCleanerCheckpoint(end);
            _logger.Log(rewritten.Count > 0 ? LogLevel.Information : LogLevel.Debug, "Compacted {Topic}-{Partition} up to offset {End}: {Segments} segments rewritten, {Before} -> {After} bytes, {Removed} records and {Tombstones} tombstones removed",
                Topic, Partition, end, rewritten.Count, before, after, removed, tombstones);
            return new CleanResult(rewritten.Count, before, after, removed, tombstones);
        }
    }

    /// <summary>Each key of the dirty segments (from <paramref name="dirtyFrom"/>) and the offset of its latest record.</summary>
    private Dictionary<byte[], long> MapLatestOffsets(LogSegment[] dirty, long dirtyFrom, LogConfig config)
    {
        var latest = new Dictionary<byte[], long>(KeyComparer.Instance);
        foreach (var segment in dirty)
        {
            foreach (var batch in ReadBatches(segment))
            {
                if (batch.Header.IsControl || batch.Header.LastOffset < dirtyFrom)
                    continue;
                foreach (var record in batch.ReadRecords(config.MaxDecompressedBatchBytes))
                    if (record.Key is { } key && record.Offset >= dirtyFrom)
                        latest[key.ToArray()] = record.Offset;
            }
        }
        return latest;
    }

    /// <summary>The batches of a sealed segment, read whole from its file.</summary>
    private static IEnumerable<RecordBatch> ReadBatches(LogSegment segment)
    {
        if (!segment.TryAcquire())
            yield break;
        try
        {
            for (long position = 0; segment.ReadHeader(position) is { } header; position += header.TotalSize)
            {
                var bytes = new byte[header.TotalSize];
                segment.Read(position, bytes);
                yield return RecordBatch.Read(bytes);
            }
        }
        finally
        {
            segment.Release();
        }
    }

    /// <summary>
    /// Writes the cleaned copy of <paramref name="segment"/> into <paramref name="cleanerDirectory"/>; false (and
    /// nothing written) when the cleaning would not change it.
    /// </summary>
    private bool CleanSegment(LogSegment segment, string cleanerDirectory, Dictionary<byte[], long> latest, long nowMs, LogConfig config,
        ref long removed, ref long tombstones, ref long earliestHorizon)
    {
        var kept = new List<byte[]>();
        var changed = false;
        foreach (var batch in ReadBatches(segment))
        {
            var header = batch.Header;
            if (header.IsControl)
            {
                kept.Add(batch.Bytes.ToArray());
                continue;
            }
            var horizonPassed = header.HasDeleteHorizonMs && header.BaseTimestamp <= nowMs;
            var records = batch.ReadRecords(config.MaxDecompressedBatchBytes);
            var retained = records.Where(r => r.Key is { } key
                && (!latest.TryGetValue(key.ToArray(), out var newest) || r.Offset >= newest)
                && !(r.Value is null && horizonPassed)).ToList();
            removed += records.Count - retained.Count;
            tombstones += records.Count(r => r.Value is null) - retained.Count(r => r.Value is null);
            var keepsTombstones = retained.Any(r => r.Value is null);
            var needsHorizon = !header.HasDeleteHorizonMs && keepsTombstones;
            if (keepsTombstones)
                earliestHorizon = Math.Min(earliestHorizon, header.HasDeleteHorizonMs ? header.BaseTimestamp : nowMs + config.DeleteRetentionMs);
            if (retained.Count == records.Count && !needsHorizon)
            {
                kept.Add(batch.Bytes.ToArray());
                continue;
            }
            changed = true;
            if (retained.Count == 0)
                continue;
            var builder = new RecordBatchBuilder
            {
                BaseOffset = header.BaseOffset,
                PartitionLeaderEpoch = header.PartitionLeaderEpoch,
                Compression = header.Compression,
                ProducerId = header.ProducerId,
                ProducerEpoch = header.ProducerEpoch,
                BaseSequence = header.BaseSequence,
                IsTransactional = header.IsTransactional,
                LogAppendTime = header.TimestampType == TimestampType.LogAppendTime ? header.MaxTimestamp : null,
                DeleteHorizonMs = header.HasDeleteHorizonMs ? header.BaseTimestamp : needsHorizon ? nowMs + config.DeleteRetentionMs : null,
            };
            foreach (var record in retained)
                builder.AddAt((int)(record.Offset - header.BaseOffset), record.Key, record.Value, record.Timestamp, record.Headers);
            kept.Add(builder.Build());
        }
        if (!changed)
            return false;
        var cleaned = LogSegment.Create(cleanerDirectory, segment.BaseOffset, _directIo);
        try
        {
            foreach (var chunk in Chunks(kept, 1 << 20))
                cleaned.Append(chunk, config.IndexIntervalBytes);
            cleaned.Seal();
            cleaned.Flush();
        }
        finally
        {
            cleaned.Close();
        }
        return true;
    }

    /// <summary>Batches concatenated into buffers of about <paramref name="size"/> bytes, so writes are few and large.</summary>
    private static IEnumerable<byte[]> Chunks(List<byte[]> batches, int size)
    {
        var buffer = new MemoryStream();
        foreach (var batch in batches)
        {
            buffer.Write(batch);
            if (buffer.Length >= size)
            {
                yield return buffer.ToArray();
                buffer.SetLength(0);
            }
        }
        if (buffer.Length > 0)
            yield return buffer.ToArray();
    }

    /// <summary>Puts the cleaned files in place of <paramref name="originals"/> still in the log; returns their total size.</summary>
    private long Swap(List<LogSegment> originals, string cleanerDirectory)
    {
        long size = 0;
        lock (_lock)
        {
            if (_closed)
            {
                System.IO.Directory.Delete(cleanerDirectory, recursive: true);
                return 0;
            }
            using (var marker = new FileStream(Path.Combine(cleanerDirectory, SwapMarker), FileMode.Create, FileAccess.Write))
                marker.Flush(flushToDisk: true);
            DurableFiles.SyncDirectory(cleanerDirectory);
            var segments = _segments.ToArray();
            var replaced = new List<LogSegment>();
            foreach (var original in originals)
            {
                var index = Array.IndexOf(segments, original);
                var name = LogSegment.FileName(original.BaseOffset);
                if (index < 0)
                    continue; // retention or DeleteRecords removed it meanwhile
                foreach (var extension in SegmentExtensions)
                    File.Move(Path.Combine(cleanerDirectory, name + extension), Path.Combine(Directory, name + extension), overwrite: true);
                var cleaned = LogSegment.Open(Directory, original.BaseOffset, _directIo, recover: false, _config.IndexIntervalBytes, out _);
                cleaned.MarkFlushed();
                segments[index] = cleaned;
                replaced.Add(original);
                size += cleaned.Size;
            }
            Volatile.Write(ref _segments, segments);
            DurableFiles.SyncDirectory(Directory);
            System.IO.Directory.Delete(cleanerDirectory, recursive: true);
            foreach (var original in replaced)
            {
                // Its files were replaced by name: readers finish on the unlinked ones, which then close.
                WaitForRollFlush(original);
                original.Close();
            }
        }
        return size;
    }

    private void WriteCleanerCheckpoint(long offset)
    {
        lock (_directoryLock)
        {
            if (_directoryGone)
                return;
            var path = Path.Combine(Directory, CleanerCheckpointFile);
            File.WriteAllText(path + ".tmp", offset.ToString(CultureInfo.InvariantCulture));
            File.Move(path + ".tmp", path, overwrite: true);
        }
    }

    /// <summary>Compares record keys by content.</summary>
    private sealed class KeyComparer : IEqualityComparer<byte[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] key)
        {
            var hash = new HashCode();
            hash.AddBytes(key);
            return hash.ToHashCode();
        }
    }
}
