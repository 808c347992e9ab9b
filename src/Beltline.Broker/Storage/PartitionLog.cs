using System.Globalization;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Storage;

/// <summary>Outcome of an append: where the records landed.</summary>
internal readonly record struct AppendResult(long BaseOffset, long LastOffset, long LogAppendTime, long LogStartOffset, int RecordCount);

/// <summary>Outcome of a read: the bytes (whole batches from the first one at or after the offset) and the log's marks.</summary>
internal readonly record struct ReadResult(ErrorCode Error, SegmentSlice? Records, long HighWatermark, long LogStartOffset);

/// <summary>
/// The log of one partition: an ordered list of <see cref="LogSegment"/>s under <c>{topic}-{partition}/</c>.
/// Appends are serialised by a lock; reads work on a snapshot of the segment array and never block appends.
/// With one replica, the high watermark is the log end offset.
/// </summary>
internal sealed class PartitionLog
{
    public const string TopicIdFile = "partition.metadata";
    private const string LogStartOffsetFile = "log-start-offset";

    private readonly Lock _lock = new();
    private readonly bool _directIo;
    /// <summary>Flushes of rolled segments, run on the thread pool (under <see cref="_lock"/>).</summary>
    private readonly Dictionary<LogSegment, Task> _rollFlushes = [];
    private readonly ILogger _logger;
    private LogSegment[] _segments;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _unflushedMessages;
    private long _lastFlushMs;
    private TaskCompletionSource? _appendWaiters;
    private volatile LogConfig _config;

    private PartitionLog(string directory, string topic, int partition, LogConfig config, LogSegment[] segments, long logStartOffset, bool directIo, ILogger logger)
    {
        _directIo = directIo;
        Directory = directory;
        Topic = topic;
        Partition = partition;
        _config = config;
        _segments = segments;
        _logger = logger;
        _logEndOffset = segments[^1].NextOffset;
        _logStartOffset = Math.Max(logStartOffset, segments[0].BaseOffset);
        _lastFlushMs = Environment.TickCount64;
    }

    public string Directory { get; }
    public string Topic { get; }
    public int Partition { get; }

    public LogConfig Config { get => _config; set => _config = value; }

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>Offset the next record gets; also the high watermark and last stable offset (one replica, no transactions).</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    public long SizeInBytes => Volatile.Read(ref _segments).Sum(s => s.Size);

    public int SegmentCount => Volatile.Read(ref _segments).Length;

    public static string DirectoryName(string topic, int partition) => $"{topic}-{partition.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Creates an empty log, recording the topic id so a stale directory is never mistaken for this topic's.</summary>
    public static PartitionLog Create(string dataDir, string topic, int partition, KafkaUuid topicId, LogConfig config, ILogger logger, bool directIo = true)
    {
        var directory = Path.Combine(dataDir, DirectoryName(topic, partition));
        if (System.IO.Directory.Exists(directory))
            System.IO.Directory.Delete(directory, recursive: true);
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, TopicIdFile), $"version: 0\ntopic_id: {topicId}\n");
        return new PartitionLog(directory, topic, partition, config, [LogSegment.Create(directory, 0, directIo)], 0, directIo, logger);
    }

    /// <summary>Reads the topic id a partition directory belongs to, or null when it has none.</summary>
    public static KafkaUuid? ReadTopicId(string directory)
    {
        var path = Path.Combine(directory, TopicIdFile);
        if (!File.Exists(path))
            return null;
        foreach (var line in File.ReadAllLines(path))
            if (line.StartsWith("topic_id:", StringComparison.Ordinal) && KafkaUuid.TryParse(line["topic_id:".Length..].Trim(), out var id))
                return id;
        return null;
    }

    /// <summary>
    /// Opens an existing log. After an unclean stop the active segment is recovered (CRC scan, torn tail cut);
    /// older segments were flushed when they rolled, so only their indexes are checked.
    /// </summary>
    public static PartitionLog Open(string directory, string topic, int partition, LogConfig config, bool cleanShutdown, ILogger logger, bool directIo = true)
    {
        var baseOffsets = System.IO.Directory.EnumerateFiles(directory, "*.log")
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : -1)
            .Where(o => o >= 0).Order().ToList();
        var segments = new List<LogSegment>();
        for (var i = 0; i < baseOffsets.Count; i++)
        {
            var active = i == baseOffsets.Count - 1;
            var segment = LogSegment.Open(directory, baseOffsets[i], directIo, recover: active && !cleanShutdown, config.IndexIntervalBytes, out var truncated);
            if (truncated > 0)
                logger.LogWarning("Recovered {Topic}-{Partition}: cut {Bytes} torn or corrupt bytes from segment {BaseOffset}, log now ends at offset {EndOffset}",
                    topic, partition, truncated, segment.BaseOffset, segment.NextOffset);
            segments.Add(segment);
        }
        if (segments.Count == 0)
            segments.Add(LogSegment.Create(directory, 0, directIo));
        long logStartOffset = 0;
        var startFile = Path.Combine(directory, LogStartOffsetFile);
        if (File.Exists(startFile) && long.TryParse(File.ReadAllText(startFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var saved))
            logStartOffset = saved;
        return new PartitionLog(directory, topic, partition, config, [.. segments], logStartOffset, directIo, logger);
    }

    /// <summary>
    /// Appends validated batches: assigns offsets in place (and LogAppendTime when the topic asks, which
    /// rewrites the CRC), rolls the segment when due, writes, and wakes waiting fetches.
    /// </summary>
    public AppendResult Append(Memory<byte> batches, long nowMs)
    {
        var config = _config;
        AppendResult result;
        lock (_lock)
        {
            var baseOffset = _logEndOffset;
            var next = baseOffset;
            var span = batches.Span;
            var records = 0;
            var maxTimestamp = -1L;
            for (var position = 0; position < span.Length;)
            {
                var batchSpan = span[position..];
                var header = RecordBatchHeader.Read(batchSpan);
                RecordBatchHeader.SetBaseOffset(batchSpan, next);
                RecordBatchHeader.SetPartitionLeaderEpoch(batchSpan, 0);
                if (config.LogAppendTime)
                    RecordBatchHeader.SetLogAppendTime(batchSpan[..(int)header.TotalSize], nowMs);
                maxTimestamp = Math.Max(maxTimestamp, config.LogAppendTime ? nowMs : header.MaxTimestamp);
                next += header.LastOffsetDelta + 1;
                records += header.RecordCount;
                position += (int)header.TotalSize;
            }
            var active = RollIfDue(batches.Length, next - 1, maxTimestamp, nowMs, config);
            active.Append(span, config.IndexIntervalBytes);
            Volatile.Write(ref _logEndOffset, next);
            _unflushedMessages += next - baseOffset;
            result = new AppendResult(baseOffset, next - 1, config.LogAppendTime ? nowMs : -1, _logStartOffset, records);
            var waiters = _appendWaiters;
            _appendWaiters = null;
            waiters?.TrySetResult();
        }
        if (_unflushedMessages >= config.FlushMessages)
            Flush();
        return result;
    }

    private LogSegment RollIfDue(int bytes, long lastOffset, long maxTimestamp, long nowMs, LogConfig config)
    {
        var active = _segments[^1];
        if (active.Size == 0)
            return active;
        // As Kafka's timeWaitedForRoll: the new records' max timestamp against the first batch's, or, when the
        // segment has no timestamps, the clock against its creation. (Clock against record time would roll a
        // segment on every append of back-dated records.)
        var waited = active.FirstBatchTimestamp >= 0 ? maxTimestamp - active.FirstBatchTimestamp : nowMs - active.CreatedAtMs;
        var full = active.Size + bytes > config.SegmentBytes;
        var aged = waited > config.SegmentMs;
        var offsetOverflow = lastOffset - active.BaseOffset > int.MaxValue;
        return full || aged || offsetOverflow ? Roll() : active;
    }

    /// <summary>Starts a new active segment at the log end; the old one is sealed and flushed (Kafka flushes on roll too).</summary>
    private LogSegment Roll()
    {
        var old = _segments[^1];
        old.Seal();
        // A sealed segment takes no more appends, so its direct-I/O padding can go now: a crash then leaves it
        // exactly as its indexes expect, and the next start trusts them instead of rescanning it.
        old.TrimPadding();
        var segment = LogSegment.Create(Directory, _logEndOffset, _directIo);
        Volatile.Write(ref _segments, [.. _segments, segment]);
        // Retention or Close may close the old segment before this runs: flush only while holding a reference.
        _rollFlushes[old] = Task.Run(() =>
        {
            if (!old.TryAcquire())
                return;
            try { old.Flush(); }
            finally { old.Release(); }
        });
        _logger.LogDebug("Rolled {Topic}-{Partition} to segment {BaseOffset}", Topic, Partition, segment.BaseOffset);
        return segment;
    }

    /// <summary>Completes once the log end moves past <paramref name="offset"/>; at once if it already has.</summary>
    public Task WaitForAppendAsync(long offset)
    {
        lock (_lock)
        {
            if (_logEndOffset > offset)
                return Task.CompletedTask;
            _appendWaiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _appendWaiters.Task;
        }
    }

    /// <summary>
    /// Reads whole batches starting with the one holding <paramref name="offset"/>, up to <paramref name="maxBytes"/>
    /// (the last batch may be cut, as Kafka does); with <paramref name="minOneBatch"/> the first batch is returned whole
    /// even when larger (KIP-74).
    /// </summary>
    public ReadResult Read(long offset, int maxBytes, bool minOneBatch)
    {
        var end = LogEndOffset;
        var start = LogStartOffset;
        if (offset < start || offset > end)
            return new ReadResult(ErrorCode.OffsetOutOfRange, null, end, start);
        if (offset == end || (maxBytes <= 0 && !minOneBatch))
            return new ReadResult(ErrorCode.None, null, end, start);
        var segments = Volatile.Read(ref _segments);
        for (var i = FindSegmentIndex(segments, offset); i < segments.Length; i++)
        {
            var segment = segments[i];
            if (!segment.TryAcquire())
                continue;
            var position = segment.FindBatchPosition(offset);
            if (position < 0)
            {
                segment.Release();
                continue;
            }
            var available = segment.Size - position;
            var length = (int)Math.Min(available, Math.Max(maxBytes, 0));
            if (minOneBatch && segment.ReadHeader(position) is { } first && first.TotalSize > length)
                length = (int)first.TotalSize;
            if (length <= 0)
            {
                segment.Release();
                break;
            }
            return new ReadResult(ErrorCode.None, new SegmentSlice(segment, position, length), end, start);
        }
        return new ReadResult(ErrorCode.None, null, end, start);
    }

    private static int FindSegmentIndex(LogSegment[] segments, long offset)
    {
        int low = 0, high = segments.Length - 1, found = 0;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (segments[mid].BaseOffset <= offset) { found = mid; low = mid + 1; }
            else high = mid - 1;
        }
        return found;
    }

    /// <summary>
    /// ListOffsets by timestamp: the first record at or after <paramref name="timestamp"/> (offset, its timestamp),
    /// or null when every record is older.
    /// </summary>
    public (long Offset, long Timestamp)? FindOffsetForTimestamp(long timestamp)
    {
        var start = LogStartOffset;
        foreach (var segment in Volatile.Read(ref _segments))
        {
            if (segment.MaxTimestamp < timestamp || segment.NextOffset <= start || !segment.TryAcquire())
                continue;
            try
            {
                for (var position = segment.TimeSearchStartPosition(timestamp); position >= 0 && segment.ReadHeader(position) is { } header; position += header.TotalSize)
                {
                    if (header.MaxTimestamp < timestamp || header.LastOffset < start)
                        continue;
                    foreach (var record in ReadRecords(segment, position, header))
                        if (record.Offset >= start && record.Timestamp >= timestamp)
                            return (record.Offset, record.Timestamp);
                }
            }
            finally
            {
                segment.Release();
            }
        }
        return null;
    }

    /// <summary>ListOffsets MAX_TIMESTAMP (KIP-734): the first record carrying the largest timestamp, or null when empty.</summary>
    public (long Offset, long Timestamp)? FindMaxTimestamp()
    {
        var start = LogStartOffset;
        LogSegment? best = null;
        foreach (var segment in Volatile.Read(ref _segments))
            if (segment.NextOffset > start && segment.MaxTimestamp >= 0 && (best is null || segment.MaxTimestamp > best.MaxTimestamp))
                best = segment;
        if (best is null || !best.TryAcquire())
            return null;
        try
        {
            var position = best.FindBatchPosition(Math.Max(best.BatchOfMaxTimestamp, start));
            for (; position >= 0 && best.ReadHeader(position) is { } header; position += header.TotalSize)
            {
                if (header.MaxTimestamp != best.MaxTimestamp)
                    continue;
                foreach (var record in ReadRecords(best, position, header))
                    if (record.Offset >= start && record.Timestamp == best.MaxTimestamp)
                        return (record.Offset, record.Timestamp);
            }
            return null;
        }
        finally
        {
            best.Release();
        }
    }

    private static IReadOnlyList<Record> ReadRecords(LogSegment segment, long position, RecordBatchHeader header)
    {
        var bytes = new byte[header.TotalSize];
        segment.Read(position, bytes);
        return RecordBatch.Read(bytes).ReadRecords();
    }

    /// <summary>
    /// DeleteRecords: moves the log start offset up to <paramref name="offset"/> (-1: the high watermark) and drops
    /// segments wholly below it. Returns the new low watermark, or an error when the offset is past the end.
    /// </summary>
    public (ErrorCode Error, long LowWatermark) DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            if (offset == -1)
                offset = _logEndOffset;
            if (offset < 0 || offset > _logEndOffset)
                return (ErrorCode.OffsetOutOfRange, _logStartOffset);
            if (offset > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, offset);
                WriteLogStartOffset(offset);
                DropFirst(CountLeading(s => s.NextOffset <= offset));
            }
            return (ErrorCode.None, _logStartOffset);
        }
    }

    /// <summary>
    /// Time and size retention (cleanup.policy=delete): drops the oldest segments whose newest record is older than
    /// retention.ms, and while the log exceeds retention.bytes. Returns how many segments went.
    /// </summary>
    public int EnforceRetention(long nowMs)
    {
        var config = _config;
        if (!config.Delete)
            return 0;
        lock (_lock)
        {
            var removed = 0;
            if (config.RetentionMs >= 0)
            {
                bool Expired(LogSegment s) => s.Size > 0 && (s.MaxTimestamp >= 0 ? s.MaxTimestamp : s.CreatedAtMs) < nowMs - config.RetentionMs;
                // As Kafka: when even the active segment has expired, roll so that it can go too.
                if (Expired(_segments[^1]) && _segments[..^1].All(Expired))
                    Roll();
                removed += DropFirst(CountLeading(Expired));
            }
            if (config.RetentionBytes >= 0)
            {
                var excess = _segments.Sum(s => s.Size) - config.RetentionBytes;
                var count = 0;
                while (count < _segments.Length - 1 && excess >= _segments[count].Size)
                    excess -= _segments[count++].Size;
                removed += DropFirst(count);
            }
            return removed;
        }
    }

    /// <summary>How many leading segments (never the active one) satisfy <paramref name="predicate"/>.</summary>
    private int CountLeading(Func<LogSegment, bool> predicate)
    {
        var count = 0;
        while (count < _segments.Length - 1 && predicate(_segments[count]))
            count++;
        return count;
    }

    /// <summary>Removes the first <paramref name="count"/> segments; their files go once no reader holds them.</summary>
    private int DropFirst(int count)
    {
        if (count == 0)
            return 0;
        var dropped = _segments[..count];
        Volatile.Write(ref _segments, _segments[count..]);
        if (_segments[0].BaseOffset > _logStartOffset)
            Volatile.Write(ref _logStartOffset, _segments[0].BaseOffset);
        foreach (var segment in dropped)
        {
            WaitForRollFlush(segment);
            segment.Close(deleteFiles: true);
            _logger.LogInformation("Deleted segment {BaseOffset} of {Topic}-{Partition}", segment.BaseOffset, Topic, Partition);
        }
        return count;
    }

    /// <summary>
    /// Waits for the flush started when <paramref name="segment"/> rolled: it holds a reference, so closing the
    /// segment meanwhile would leave the file open (in direct mode, still padded) or on disk after the caller returns.
    /// </summary>
    private void WaitForRollFlush(LogSegment segment)
    {
        if (_rollFlushes.Remove(segment, out var flush))
            Task.WaitAny(flush); // unlike Wait, does not throw: a failed flush was never anyone's to observe
    }

    private void WriteLogStartOffset(long offset)
    {
        var path = Path.Combine(Directory, LogStartOffsetFile);
        File.WriteAllText(path + ".tmp", offset.ToString(CultureInfo.InvariantCulture));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Fsyncs every segment written since the last flush. Runs outside the append lock.</summary>
    public void Flush()
    {
        LogSegment[] segments;
        lock (_lock)
        {
            segments = _segments;
            _unflushedMessages = 0;
            _lastFlushMs = Environment.TickCount64;
        }
        foreach (var segment in segments)
            if (segment.Dirty && segment.TryAcquire())
            {
                try { segment.Flush(); }
                finally { segment.Release(); }
            }
    }

    /// <summary>flush.ms: flushes when the last flush is older than the topic allows.</summary>
    public void FlushIfDue()
    {
        var config = _config;
        if (config.FlushMs != long.MaxValue && Environment.TickCount64 - Volatile.Read(ref _lastFlushMs) >= config.FlushMs && _segments[^1].Dirty)
            Flush();
    }

    /// <summary>Flushes and closes every segment (graceful shutdown), or closes and deletes them (topic deleted).</summary>
    public void Close(bool deleteFiles)
    {
        lock (_lock)
        {
            if (!deleteFiles)
            {
                _segments[^1].Seal();
                Flush();
            }
            foreach (var segment in _segments)
            {
                WaitForRollFlush(segment);
                segment.Close(deleteFiles);
            }
            _appendWaiters?.TrySetResult();
        }
        if (deleteFiles)
            TryDeleteDirectory(Directory);
    }

    private static void TryDeleteDirectory(string directory)
    {
        try { System.IO.Directory.Delete(directory, recursive: true); }
        catch (IOException) { /* a reader still holds a segment; the files go when it releases, the directory at next start */ }
    }
}
