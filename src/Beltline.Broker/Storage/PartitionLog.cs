using System.Globalization;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Storage;

/// <summary>
/// Outcome of an append: where the records landed. A refused idempotent batch carries the error and nothing was
/// written; a duplicate one (<see cref="Duplicate"/>) carries the offsets of the copy already in the log.
/// </summary>
internal readonly record struct AppendResult(long BaseOffset, long LastOffset, long LogAppendTime, long LogStartOffset, int RecordCount,
    ErrorCode Error = ErrorCode.None, string? ErrorMessage = null, bool Duplicate = false);

/// <summary>
/// Outcome of a read: the bytes (whole batches from the first one at or after the offset) and the log's marks.
/// A closed (deleted) log answers <see cref="ErrorCode.UnknownTopicOrPartition"/> with both marks -1.
/// </summary>
internal readonly record struct ReadResult(ErrorCode Error, SegmentSlice? Records, long HighWatermark, long LogStartOffset);

/// <summary>
/// The log of one partition: an ordered list of <see cref="LogSegment"/>s under <c>{topic}-{partition}/</c>.
/// Appends are serialised by a lock; reads work on a snapshot of the segment array and never block appends.
/// With one replica, the high watermark is the log end offset.
/// <para>
/// Durability is tracked as Kafka does: each segment knows how many of its bytes an fsync covered, and the log
/// keeps a recovery point (<c>recovery-point</c>), the offset below which everything — data and the directory
/// entries of the segment files — is on stable storage. After a crash only segments that may hold offsets at or
/// past it are CRC-scanned.
/// </para>
/// <para>
/// Locks, always taken in this order: <c>_lock</c> (appends, rolls, retention, close), then <c>_directoryLock</c>
/// (anything done to the directory by path once the log is live: deleting dropped segments' files, the recovery
/// point file, renaming the directory away when the topic is deleted). Segment flushes take neither.
/// </para>
/// </summary>
internal sealed partial class PartitionLog
{
    public const string TopicIdFile = "partition.metadata";
    public const string RecoveryPointFile = "recovery-point";
    /// <summary>Suffix of a deleted log's directory, renamed to <c>{topic}-{partition}.{topicId}-delete</c> until it is removed.</summary>
    public const string DeletedDirectorySuffix = "-delete";
    private const string LogStartOffsetFile = "log-start-offset";

    private readonly Lock _lock = new();
    private readonly Lock _directoryLock = new();
    private readonly Lock _directorySyncLock = new();
    private readonly bool _directIo;
    private readonly string _topicId;
    /// <summary>Flushes of rolled segments, run on the thread pool (under <see cref="_lock"/>).</summary>
    private readonly Dictionary<LogSegment, Task> _rollFlushes = [];
    private readonly ILogger _logger;
    private LogSegment[] _segments;
    private long _logStartOffset;
    private long _logEndOffset;
    private long _unflushedMessages;
    private long _lastFlushMs;
    private HashSet<AppendWaiter>? _appendWaiters;
    /// <summary>Set under <see cref="_lock"/>: no append, roll, retention or flush from then on.</summary>
    private volatile bool _closed;
    /// <summary>Set under <see cref="_directoryLock"/> when the directory was renamed away: its old path is no longer ours.</summary>
    private bool _directoryGone;
    /// <summary>Counts segment files created (written under <see cref="_lock"/> after the file exists).</summary>
    private long _directoryGeneration;
    /// <summary>The <see cref="_directoryGeneration"/> the last directory fsync covered.</summary>
    private long _directorySynced;
    /// <summary>A new log: <c>partition.metadata</c> and the directory's own entry in the data dir still need an fsync.</summary>
    private bool _creationUnsynced;
    private int _directorySyncs;
    private long _recoveryPoint;
    /// <summary>The value in the recovery point file (under <see cref="_directoryLock"/>); 0 when there is none.</summary>
    private long _persistedRecoveryPoint;
    private volatile LogConfig _config;
    /// <summary>Idempotent producers' sequences, under <see cref="_lock"/>.</summary>
    private readonly ProducerStateManager _producers = new();

    private PartitionLog(string directory, string topic, int partition, string topicId, LogConfig config, LogSegment[] segments, long logStartOffset,
        long persistedRecoveryPoint, bool directIo, ILogger logger)
    {
        _directIo = directIo;
        _topicId = topicId;
        Directory = directory;
        Topic = topic;
        Partition = partition;
        _config = config;
        _segments = segments;
        _logger = logger;
        _logEndOffset = segments[^1].NextOffset;
        _logStartOffset = Math.Max(logStartOffset, segments[0].BaseOffset);
        _persistedRecoveryPoint = persistedRecoveryPoint;
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

    /// <summary>True once closed or deleted.</summary>
    public bool IsClosed => _closed;

    /// <summary>Offset below which everything is known to be on stable storage.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>Fetches waiting for an append (tests: a cancelled wait must not stay registered).</summary>
    internal int AppendWaiterCount
    {
        get { lock (_lock) return _appendWaiters?.Count ?? 0; }
    }

    /// <summary>The segment appends go to (tests).</summary>
    internal LogSegment ActiveSegment => Volatile.Read(ref _segments)[^1];

    /// <summary>Directory fsyncs done so far (tests).</summary>
    internal int DirectorySyncCount => Volatile.Read(ref _directorySyncs);

    public static string DirectoryName(string topic, int partition) => $"{topic}-{partition.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>True for a directory name a deleted log was renamed to (<c>{topic}-{partition}.{id}-delete</c>).</summary>
    public static bool IsDeletedDirectoryName(string name)
    {
        if (!name.EndsWith(DeletedDirectorySuffix, StringComparison.Ordinal))
            return false;
        var dot = name.LastIndexOf('.', name.Length - DeletedDirectorySuffix.Length - 1);
        if (dot < 0)
            return false;
        var dash = name.LastIndexOf('-', dot);
        return dash > 0 && dash < dot - 1 && !name.AsSpan(dash + 1, dot - dash - 1).ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Creates an empty log, recording the topic id so a stale directory is never mistaken for this topic's.</summary>
    public static PartitionLog Create(string dataDir, string topic, int partition, KafkaUuid topicId, LogConfig config, ILogger logger, bool directIo = true)
    {
        var directory = Path.Combine(dataDir, DirectoryName(topic, partition));
        if (System.IO.Directory.Exists(directory))
            System.IO.Directory.Delete(directory, recursive: true);
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, TopicIdFile), $"version: 0\ntopic_id: {topicId}\n");
        // The directory, its metadata file and the first segment's entry reach the disk with the first flush.
        var segment = LogSegment.Create(directory, 0, directIo, directoryGeneration: 1);
        return new PartitionLog(directory, topic, partition, topicId.ToString(), config, [segment], 0, 0, directIo, logger)
        {
            _directoryGeneration = 1,
            _creationUnsynced = true,
        };
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

    /// <summary>The recovery point a directory records, 0 when it has none (everything may need recovery).</summary>
    public static long ReadRecoveryPoint(string directory)
    {
        var path = Path.Combine(directory, RecoveryPointFile);
        return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var point) ? point : 0;
    }

    /// <summary>
    /// Opens an existing log. After an unclean stop every segment that may hold offsets at or past the recovery point
    /// is recovered (CRC scan, torn tail cut; when one that is not the last is cut, the segments after it go, as they
    /// lie past a hole), the result is flushed, and the recovery point moves to the log end. Segments wholly below the
    /// recovery point, and every segment after a clean stop, only have their indexes checked.
    /// </summary>
    public static PartitionLog Open(string directory, string topic, int partition, LogConfig config, bool cleanShutdown, ILogger logger, bool directIo = true)
    {
        RecoverCleaning(directory, logger);
        var baseOffsets = System.IO.Directory.EnumerateFiles(directory, "*.log")
            .Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : -1)
            .Where(o => o >= 0).Order().ToList();
        var recoveryPoint = ReadRecoveryPoint(directory);
        var segments = new List<LogSegment>();
        var directoryChanged = false;
        for (var i = 0; i < baseOffsets.Count; i++)
        {
            var last = i == baseOffsets.Count - 1;
            var mayBeUnflushed = !cleanShutdown && (last || baseOffsets[i + 1] > recoveryPoint);
            var segment = LogSegment.Open(directory, baseOffsets[i], directIo, recover: mayBeUnflushed, config.IndexIntervalBytes, out var truncated);
            if (truncated > 0)
                logger.LogWarning("Recovered {Topic}-{Partition}: cut {Bytes} torn or corrupt bytes from segment {BaseOffset}, log now ends at offset {EndOffset}",
                    topic, partition, truncated, segment.BaseOffset, segment.NextOffset);
            if (!mayBeUnflushed)
                segment.MarkFlushed();
            segments.Add(segment);
            if (mayBeUnflushed && truncated > 0 && !last)
            {
                // What follows a hole was never acknowledged as durable (a flush covers every segment in order): drop it.
                foreach (var later in baseOffsets.Skip(i + 1))
                {
                    logger.LogWarning("Recovered {Topic}-{Partition}: removed segment {BaseOffset}, which lay after the cut", topic, partition, later);
                    foreach (var extension in new[] { ".log", ".index", ".timeindex" })
                        File.Delete(Path.Combine(directory, LogSegment.FileName(later) + extension));
                }
                directoryChanged = true;
                break;
            }
        }
        if (segments.Count == 0)
        {
            segments.Add(LogSegment.Create(directory, 0, directIo, directoryGeneration: 1));
            directoryChanged = true;
        }
        long logStartOffset = 0;
        var startFile = Path.Combine(directory, LogStartOffsetFile);
        if (File.Exists(startFile) && long.TryParse(File.ReadAllText(startFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var saved))
            logStartOffset = saved;
        if (logStartOffset > segments[^1].NextOffset)
        {
            // Recovery cut the log below its start (DeleteRecords had moved it into what was lost): every record
            // left was deleted, and offsets below the start must never be handed out again. Start empty there, as
            // Kafka's truncateFullyAndStartAt.
            logger.LogWarning("Recovered {Topic}-{Partition}: the log ended at {EndOffset}, below its start offset {StartOffset}; it now starts empty there",
                topic, partition, segments[^1].NextOffset, logStartOffset);
            foreach (var segment in segments)
            {
                segment.CloseOrphaned();
                segment.DeleteFiles();
            }
            segments = [LogSegment.Create(directory, logStartOffset, directIo, directoryGeneration: 1)];
            directoryChanged = true;
        }
        var topicId = ReadTopicId(directory)?.ToString() ?? Guid.NewGuid().ToString("N");
        var log = new PartitionLog(directory, topic, partition, topicId, config, [.. segments], logStartOffset, recoveryPoint, directIo, logger)
        {
            _directoryGeneration = directoryChanged ? 1 : 0,
            _cleanedTo = ReadCleanerCheckpoint(directory),
        };
        if (cleanShutdown && !directoryChanged)
            log._recoveryPoint = log._logEndOffset;
        else
            log.Flush();
        log.LoadProducerState();
        return log;
    }

    /// <summary>
    /// Appends validated batches: assigns offsets in place (and LogAppendTime when the topic asks, which
    /// rewrites the CRC), rolls the segment when due, writes, and wakes waiting fetches.
    /// Returns null, writing nothing, when the log is closed (its topic was deleted): answer UNKNOWN_TOPIC_OR_PARTITION.
    /// </summary>
    public AppendResult? TryAppend(Memory<byte> batches, long nowMs)
    {
        var config = _config;
        AppendResult result;
        List<(AppendWaiter Waiter, CancellationTokenRegistration Registration)>? waiters;
        lock (_lock)
        {
            if (_closed)
                return null;
            if (CheckProducers(batches.Span) is { } refused)
                return refused;
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
                RecordBatchHeader.SetPartitionLeaderEpoch(batchSpan, BrokerNode.LeaderEpoch);
                if (config.LogAppendTime)
                    RecordBatchHeader.SetLogAppendTime(batchSpan[..(int)header.TotalSize], nowMs);
                maxTimestamp = Math.Max(maxTimestamp, config.LogAppendTime ? nowMs : header.MaxTimestamp);
                _producers.Update(header, next, config.LogAppendTime ? nowMs : header.MaxTimestamp);
                next += header.LastOffsetDelta + 1;
                records += header.RecordCount;
                position += (int)header.TotalSize;
            }
            var active = RollIfDue(batches.Length, next - 1, maxTimestamp, nowMs, config);
            active.Append(batches, config.IndexIntervalBytes);
            Volatile.Write(ref _logEndOffset, next);
            active.Publish();
            _unflushedMessages += next - baseOffset;
            result = new AppendResult(baseOffset, next - 1, config.LogAppendTime ? nowMs : -1, _logStartOffset, records);
            waiters = TakeWaiters();
        }
        Wake(waiters);
        if (Volatile.Read(ref _unflushedMessages) >= config.FlushMessages)
            Flush();
        return result;
    }

    /// <summary>
    /// Checks batches of idempotent producers against their sequences (caller holds <see cref="_lock"/>): null to
    /// append, else the answer — a refusal, or the offsets of a duplicate already in the log. All or nothing.
    /// </summary>
    private AppendResult? CheckProducers(ReadOnlySpan<byte> batches)
    {
        for (var position = 0; position < batches.Length;)
        {
            var header = RecordBatchHeader.Read(batches[position..]);
            position += (int)header.TotalSize;
            if (!header.HasProducerId)
                continue;
            var check = _producers.Check(header);
            if (check.Duplicate is { } original)
            {
                _logger.LogDebug("{Topic}-{Partition}: producer {ProducerId} resent sequence {Sequence}; answering with offset {Offset}",
                    Topic, Partition, header.ProducerId, header.BaseSequence, original.FirstOffset);
                return new AppendResult(original.FirstOffset, original.LastOffset, _config.LogAppendTime ? original.Timestamp : -1, _logStartOffset,
                    0, Duplicate: true);
            }
            if (check.Error != ErrorCode.None)
                return new AppendResult(-1, -1, -1, _logStartOffset, 0, check.Error, check.Message);
        }
        return null;
    }

    /// <summary>Rebuilds producer state at open: the newest snapshot, then the batch headers after it.</summary>
    private void LoadProducerState()
    {
        var from = _producers.LoadSnapshot(Directory, _logEndOffset);
        var segments = _segments;
        var start = from < 0 ? segments[0].BaseOffset : from;
        var replayed = 0;
        foreach (var segment in segments)
        {
            if (segment.NextOffset <= start)
                continue;
            var position = segment.FindBatchPosition(start);
            while (position >= 0 && segment.ReadHeader(position) is { } header)
            {
                if (header.HasProducerId && header.LastOffset >= start)
                {
                    _producers.Update(header, header.BaseOffset, header.MaxTimestamp);
                    replayed++;
                }
                position += header.TotalSize;
            }
        }
        _producers.RemoveBefore(_logStartOffset);
        if (replayed > 0 || from >= 0)
            _logger.LogDebug("{Topic}-{Partition}: producer state of {Producers} producers from snapshot {Snapshot} and {Batches} batches after it",
                Topic, Partition, _producers.Count, from, replayed);
    }

    /// <summary>
    /// Where in a direct-I/O block the next append will land, unless another append or a roll comes first; -1
    /// without direct I/O. Batches received at an address with this remainder are written without a copy.
    /// </summary>
    public int NextAppendBlockOffset => Volatile.Read(ref _segments)[^1].AppendBlockOffset;

    /// <summary>As <see cref="TryAppend"/>, but a closed log throws <see cref="ObjectDisposedException"/>.</summary>
    public AppendResult Append(Memory<byte> batches, long nowMs) =>
        TryAppend(batches, nowMs) ?? throw new ObjectDisposedException($"{Topic}-{Partition}", "The partition log is closed (its topic was deleted or the broker is stopping).");

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
        // The generation moves only once the file exists, so a directory fsync that saw it covers the file's entry.
        var generation = _directoryGeneration + 1;
        var segment = LogSegment.Create(Directory, _logEndOffset, _directIo, generation);
        Volatile.Write(ref _directoryGeneration, generation);
        // Bounds the replay at the next open to the new active segment, as Kafka's snapshot at roll does.
        if (_producers.Count > 0)
            _producers.WriteSnapshot(Directory, _logEndOffset);
        Volatile.Write(ref _segments, [.. _segments, segment]);
        foreach (var done in _rollFlushes.Where(f => f.Value.IsCompleted).Select(f => f.Key).ToList())
            _rollFlushes.Remove(done);
        _rollFlushes[old] = Task.Run(() => FlushRolled(old));
        _logger.LogDebug("Rolled {Topic}-{Partition} to segment {BaseOffset}", Topic, Partition, segment.BaseOffset);
        return segment;
    }

    /// <summary>
    /// The flush a roll starts: the sealed segment, then the directory (the new segment's entry), then the recovery
    /// point moves past every sealed segment that is now on disk. Retention or Close may close the segment before
    /// this runs: it flushes only while holding a reference. Takes neither <see cref="_lock"/> (which callers of
    /// <see cref="WaitForRollFlush"/> hold) nor anything that waits for it.
    /// </summary>
    private void FlushRolled(LogSegment old)
    {
        try
        {
            if (!old.TryAcquire())
                return;
            try { old.Flush(); }
            finally { old.Release(); }
            SyncDirectory();
            AdvanceRecoveryPoint(SealedPrefixOnDisk());
            PersistRecoveryPoint(force: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!_closed)
                _logger.LogError(e, "Flush of rolled segment {BaseOffset} of {Topic}-{Partition} failed", old.BaseOffset, Topic, Partition);
        }
    }

    /// <summary>Test support: waits for the flushes rolls have started.</summary>
    internal void WaitForRollFlushes()
    {
        Task[] flushes;
        lock (_lock) flushes = [.. _rollFlushes.Values];
        Task.WaitAll(flushes);
    }

    /// <summary>
    /// Completes once the log end moves past <paramref name="offset"/> (at once if it already has, or when the log is
    /// closed); cancelled by <paramref name="cancellationToken"/>, which also removes the wait from the log, so waits
    /// that time out leave nothing behind on an idle partition.
    /// </summary>
    public Task WaitForAppendAsync(long offset, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled(cancellationToken);
        AppendWaiter waiter;
        lock (_lock)
        {
            if (_logEndOffset > offset || _closed)
                return Task.CompletedTask;
            waiter = new AppendWaiter(this);
            (_appendWaiters ??= []).Add(waiter);
        }
        if (cancellationToken.CanBeCanceled)
        {
            // Registered outside the lock: a token cancelled meanwhile runs the callback right here, which takes it.
            var registration = cancellationToken.UnsafeRegister(static state => ((AppendWaiter)state!).Cancel(), waiter);
            lock (_lock)
            {
                if (!waiter.Done)
                {
                    waiter.Registration = registration;
                    registration = default;
                }
            }
            registration.Dispose(); // the wait ended meanwhile (woken or cancelled): nothing is left to unregister from
        }
        return waiter.Task;
    }

    /// <summary>Removes the waiters to wake, with their registrations; caller holds <see cref="_lock"/>.</summary>
    private List<(AppendWaiter Waiter, CancellationTokenRegistration Registration)>? TakeWaiters()
    {
        if (_appendWaiters is not { Count: > 0 } waiters)
            return null;
        _appendWaiters = null;
        var taken = new List<(AppendWaiter, CancellationTokenRegistration)>(waiters.Count);
        foreach (var waiter in waiters)
        {
            waiter.Done = true;
            taken.Add((waiter, waiter.Registration));
            waiter.Registration = default;
        }
        return taken;
    }

    /// <summary>Completes taken waiters, outside the lock (disposing a registration may wait for its callback, which takes it).</summary>
    private static void Wake(List<(AppendWaiter Waiter, CancellationTokenRegistration Registration)>? waiters)
    {
        if (waiters is null)
            return;
        foreach (var (waiter, registration) in waiters)
        {
            waiter.TrySetResult();
            registration.Dispose();
        }
    }

    private sealed class AppendWaiter(PartitionLog log) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        /// <summary>Under the log's lock: woken or cancelled, no longer in the log's set.</summary>
        public bool Done { get; set; }

        /// <summary>Under the log's lock.</summary>
        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel()
        {
            lock (log._lock)
            {
                if (Done)
                    return;
                Done = true;
                log._appendWaiters?.Remove(this);
                Registration = default; // this callback's own registration: nothing left to dispose
            }
            TrySetCanceled();
        }
    }

    /// <summary>
    /// Reads whole batches starting with the one holding <paramref name="offset"/>, up to <paramref name="maxBytes"/>
    /// (the last batch may be cut, as Kafka does); with <paramref name="minOneBatch"/> the first batch is returned whole
    /// even when larger (KIP-74). The caller disposes the slice.
    /// </summary>
    public ReadResult Read(long offset, int maxBytes, bool minOneBatch)
    {
        if (_closed)
            return new ReadResult(ErrorCode.UnknownTopicOrPartition, null, -1, -1);
        var end = LogEndOffset;
        var start = LogStartOffset;
        if (offset < start || offset > end)
            return new ReadResult(ErrorCode.OffsetOutOfRange, null, end, start);
        if (offset == end || (maxBytes <= 0 && !minOneBatch))
            return new ReadResult(ErrorCode.None, null, end, start);
        var segments = Volatile.Read(ref _segments);
        // Retention publishes the shorter segment array before the new log start: an offset below the first
        // segment is gone even when the start read above was older.
        if (offset < segments[0].BaseOffset)
            return new ReadResult(ErrorCode.OffsetOutOfRange, null, end, Math.Max(LogStartOffset, segments[0].BaseOffset));
        for (var i = FindSegmentIndex(segments, offset); i < segments.Length; i++)
        {
            var segment = segments[i];
            if (!segment.TryAcquire())
            {
                // Closed under us: dropped by retention or DeleteRecords (its records are gone), or the log closed.
                return _closed
                    ? new ReadResult(ErrorCode.UnknownTopicOrPartition, null, -1, -1)
                    : new ReadResult(ErrorCode.OffsetOutOfRange, null, end, Math.Max(LogStartOffset, segment.NextOffset));
            }
            SegmentSlice? slice = null;
            try
            {
                var position = segment.FindBatchPosition(offset);
                if (position < 0)
                    continue;
                var visible = segment.VisibleSize;
                var available = visible - position;
                if (available <= 0)
                    break;
                var length = (int)Math.Min(available, Math.Max(maxBytes, 0));
                if (minOneBatch && segment.ReadHeader(position) is { } first && first.TotalSize > length)
                    length = (int)Math.Min(first.TotalSize, available);
                if (length <= 0)
                    break;
                slice = new SegmentSlice(segment, position, length);
                // Read after the visible size, which is published after it: covers every record in the slice.
                return new ReadResult(ErrorCode.None, slice, LogEndOffset, start);
            }
            finally
            {
                if (slice is null)
                    segment.Release();
            }
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
    /// or null when every record is older. A compressed batch that inflates past
    /// <see cref="LogConfig.MaxDecompressedBatchBytes"/> throws <see cref="CorruptRecordException"/>.
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

    private IReadOnlyList<Record> ReadRecords(LogSegment segment, long position, RecordBatchHeader header)
    {
        var bytes = new byte[header.TotalSize];
        segment.Read(position, bytes);
        return RecordBatch.Read(bytes).ReadRecords(_config.MaxDecompressedBatchBytes);
    }

    /// <summary>
    /// DeleteRecords: moves the log start offset up to <paramref name="offset"/> (-1: the high watermark) and drops
    /// segments wholly below it. Returns the new low watermark, or an error when the offset is past the end
    /// (or UNKNOWN_TOPIC_OR_PARTITION when the log is closed).
    /// </summary>
    public (ErrorCode Error, long LowWatermark) DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            if (_closed)
                return (ErrorCode.UnknownTopicOrPartition, -1);
            if (offset == -1)
                offset = _logEndOffset;
            if (offset < 0 || offset > _logEndOffset)
                return (ErrorCode.OffsetOutOfRange, _logStartOffset);
            if (offset > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, offset);
                WriteLogStartOffset(offset);
                DropFirst(CountLeading(s => s.NextOffset <= offset));
                _producers.RemoveBefore(_logStartOffset);
            }
            return (ErrorCode.None, _logStartOffset);
        }
    }

    /// <summary>
    /// Time and size retention (cleanup.policy=delete): drops the oldest segments whose newest record is older than
    /// retention.ms, and while the log exceeds retention.bytes. Returns how many segments went (none once closed).
    /// </summary>
    public int EnforceRetention(long nowMs)
    {
        var config = _config;
        if (!config.Delete)
            return 0;
        lock (_lock)
        {
            if (_closed)
                return 0;
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

    /// <summary>
    /// Removes the first <paramref name="count"/> segments; their files are deleted by path once no reader holds
    /// them. That path cannot have been reused: within a log, base offsets only grow (new segments start at the log
    /// end, past every dropped one, and the log is never truncated while live), and a re-created topic gets the
    /// directory only after this log renamed it away, which <see cref="DeleteSegmentFiles"/> checks under the same lock.
    /// </summary>
    private int DropFirst(int count)
    {
        if (count == 0)
            return 0;
        var dropped = _segments[..count];
        Volatile.Write(ref _segments, _segments[count..]);
        if (_segments[0].BaseOffset > _logStartOffset)
            Volatile.Write(ref _logStartOffset, _segments[0].BaseOffset);
        _producers.RemoveBefore(_logStartOffset);
        foreach (var segment in dropped)
        {
            WaitForRollFlush(segment);
            segment.CloseAndDelete(DeleteSegmentFiles);
            _logger.LogInformation("Deleted segment {BaseOffset} of {Topic}-{Partition}", segment.BaseOffset, Topic, Partition);
        }
        return count;
    }

    private void DeleteSegmentFiles(LogSegment segment)
    {
        lock (_directoryLock)
        {
            if (!_directoryGone)
                segment.DeleteFiles();
        }
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

    private void WriteLogStartOffset(long offset) =>
        DurableFiles.WriteAtomically(Path.Combine(Directory, LogStartOffsetFile), offset.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Returns once everything appended before the call is on stable storage: each segment up to its size at the
    /// call (waiting for an fsync already running rather than trusting it), then the directory entries of segment
    /// files created so far. The recovery point then moves to the log end seen at the call. Runs outside the
    /// append lock; does nothing once the log is closed (a graceful close flushed it; a deleted log's data is gone).
    /// </summary>
    public void Flush()
    {
        LogSegment[] segments;
        long[] sizes;
        long end;
        lock (_lock)
        {
            if (_closed)
                return;
            (segments, sizes, end) = (_segments, [.. _segments.Select(s => s.Size)], _logEndOffset);
            Volatile.Write(ref _unflushedMessages, 0);
            Volatile.Write(ref _lastFlushMs, Environment.TickCount64);
        }
        try
        {
            FlushAll(segments, sizes, end, persist: false);
        }
        catch (IOException) when (_closed)
        {
            // Deleted meanwhile: its directory moved away under the flush.
        }
    }

    private void FlushAll(LogSegment[] segments, long[] sizes, long end, bool persist)
    {
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.FlushedSize >= sizes[i] || !segment.TryAcquire())
                continue; // flushed, or closed: dropped by retention (gone) or by a close that flushed it
            try { segment.FlushTo(sizes[i]); }
            finally { segment.Release(); }
        }
        SyncDirectory();
        AdvanceRecoveryPoint(end);
        PersistRecoveryPoint(force: persist);
    }

    /// <summary>
    /// Fsyncs the directory when segment files were created since the last time (for a new log, first its metadata
    /// file, and the data dir for the directory's own entry). Serialised; takes no other lock.
    /// </summary>
    private void SyncDirectory()
    {
        if (Volatile.Read(ref _directorySynced) >= Volatile.Read(ref _directoryGeneration))
            return;
        lock (_directorySyncLock)
        {
            var target = Volatile.Read(ref _directoryGeneration);
            if (_directorySynced >= target)
                return;
            if (_creationUnsynced)
                DurableFiles.SyncFile(Path.Combine(Directory, TopicIdFile));
            DurableFiles.SyncDirectory(Directory);
            if (_creationUnsynced)
                DurableFiles.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(Directory))!);
            _creationUnsynced = false;
            Interlocked.Increment(ref _directorySyncs);
            Volatile.Write(ref _directorySynced, target);
        }
    }

    /// <summary>End offset of the leading sealed segments that are wholly flushed and whose directory entries are synced; -1 if none.</summary>
    private long SealedPrefixOnDisk()
    {
        var segments = Volatile.Read(ref _segments);
        var synced = Volatile.Read(ref _directorySynced);
        var end = -1L;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var segment = segments[i];
            if (segment.FlushedSize < segment.Size || segment.DirectoryGeneration > synced)
                break;
            end = segment.NextOffset;
        }
        return end;
    }

    private void AdvanceRecoveryPoint(long offset)
    {
        var current = Volatile.Read(ref _recoveryPoint);
        while (offset > current)
        {
            var seen = Interlocked.CompareExchange(ref _recoveryPoint, offset, current);
            if (seen == current)
                return;
            current = seen;
        }
    }

    /// <summary>
    /// Writes the recovery point file (atomically) when the point passed a segment boundary since it was last
    /// written, or with <paramref name="force"/> whenever it moved. Within one segment a newer value would not
    /// change what recovery scans (a segment is scanned whole), so a flush per produce round costs no extra fsyncs.
    /// </summary>
    private void PersistRecoveryPoint(bool force)
    {
        lock (_directoryLock)
        {
            if (_directoryGone)
                return;
            var point = Volatile.Read(ref _recoveryPoint);
            var persisted = _persistedRecoveryPoint;
            if (point <= persisted)
                return;
            if (!force && !Volatile.Read(ref _segments).Any(s => s.BaseOffset > persisted && s.BaseOffset <= point))
                return;
            DurableFiles.WriteAtomically(Path.Combine(Directory, RecoveryPointFile), point.ToString(CultureInfo.InvariantCulture));
            _persistedRecoveryPoint = point;
        }
    }

    /// <summary>flush.ms: flushes when the last flush is older than the topic allows.</summary>
    public void FlushIfDue()
    {
        var config = _config;
        if (config.FlushMs != long.MaxValue && Environment.TickCount64 - Volatile.Read(ref _lastFlushMs) >= config.FlushMs && Volatile.Read(ref _segments)[^1].Dirty)
            Flush();
    }

    /// <summary>Graceful close (<paramref name="deleteFiles"/> false) or deletion of the log (true); see <see cref="Close()"/> and <see cref="MarkDeleted"/>.</summary>
    public void Close(bool deleteFiles)
    {
        if (!deleteFiles)
            Close();
        else if (MarkDeleted() is { } renamed)
            DeleteDirectory(renamed, _logger);
    }

    /// <summary>
    /// Graceful close: flushes every segment and the recovery point, then closes the files (they stay open while
    /// readers hold them). Idempotent; a flush failure is rethrown once everything is closed.
    /// </summary>
    public void Close()
    {
        List<(AppendWaiter Waiter, CancellationTokenRegistration Registration)>? waiters;
        Exception? failure = null;
        lock (_lock)
        {
            if (_closed)
                return;
            var segments = _segments;
            var sealedNow = segments[^1].Seal();
            foreach (var segment in segments)
                WaitForRollFlush(segment);
            try
            {
                // The seal may have added a time index entry to a segment whose data was flushed already.
                if (sealedNow)
                    segments[^1].Flush();
                FlushAll(segments, [.. segments.Select(s => s.Size)], _logEndOffset, persist: true);
                // A clean stop leaves a snapshot at the log end, so the next open replays nothing.
                if (_producers.Count > 0)
                    _producers.WriteSnapshot(Directory, _logEndOffset);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failure = e;
            }
            _closed = true;
            foreach (var segment in segments)
                segment.Close();
            waiters = TakeWaiters();
        }
        Wake(waiters);
        if (failure is not null)
            throw new IOException($"Flushing {Topic}-{Partition} at close failed: {failure.Message}", failure);
    }

    /// <summary>
    /// The topic was deleted: under the log's lock the log is closed to appends, retention and flushes, every
    /// running roll flush finishes, and the directory is renamed to <c>{dir}.{topicId}-delete</c>, so that nothing
    /// done later by path (segment files retention dropped, the recovery point) can reach a re-created topic's
    /// directory of the same name. Segments close without deleting anything; open handles stay readable.
    /// Returns the renamed directory for <see cref="DeleteDirectory"/>, or null when there is nothing left to
    /// delete (already closed, or the rename failed and the directory was deleted in place).
    /// Call under the topic manager's lock, so that no topic of the same name is created before the rename.
    /// </summary>
    public string? MarkDeleted()
    {
        List<(AppendWaiter Waiter, CancellationTokenRegistration Registration)>? waiters;
        string? renamed;
        lock (_lock)
        {
            if (_closed)
                return null;
            _closed = true;
            foreach (var segment in _rollFlushes.Keys.ToList())
                WaitForRollFlush(segment);
            lock (_directoryLock)
            {
                _directoryGone = true;
                renamed = RenameForDeletion();
            }
            foreach (var segment in _segments)
                segment.CloseOrphaned();
            waiters = TakeWaiters();
        }
        Wake(waiters);
        return renamed;
    }

    private string? RenameForDeletion()
    {
        var target = $"{Directory}.{_topicId}{DeletedDirectorySuffix}";
        try
        {
            if (System.IO.Directory.Exists(target))
                System.IO.Directory.Delete(target, recursive: true);
            System.IO.Directory.Move(Directory, target);
            return target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(e, "Could not rename {Directory} for deletion; deleting it in place", Directory);
            DeleteDirectory(Directory, _logger);
            return null;
        }
    }

    /// <summary>Deletes a directory a deleted log was renamed to; what is left (a failure) goes at the next start.</summary>
    public static void DeleteDirectory(string directory, ILogger logger)
    {
        try { System.IO.Directory.Delete(directory, recursive: true); }
        catch (DirectoryNotFoundException) { }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Could not delete {Directory}; it goes at the next start", directory);
        }
    }
}
