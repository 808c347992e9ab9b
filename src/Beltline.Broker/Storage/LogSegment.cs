using System.Buffers;
using System.Buffers.Binary;
using Beltline.Protocol;
using Beltline.Protocol.Records;

namespace Beltline.Broker.Storage;

/// <summary>
/// One segment of a partition log: <c>{baseOffset:D20}.log</c> holding RecordBatch v2 bytes exactly as produced
/// (offsets assigned), plus its sparse <c>.index</c> and <c>.timeindex</c>. Appends happen under the partition's
/// lock; reads run concurrently and see only bytes below <see cref="Size"/>, which moves after the write.
/// A segment stays open while readers hold it (<see cref="TryAcquire"/>), so retention can drop it under a fetch.
/// </summary>
internal sealed class LogSegment
{
    private readonly SegmentFile _log;
    private readonly OffsetIndex _offsetIndex;
    private readonly TimeIndex _timeIndex;
    private readonly string _basePath;
    /// <summary>Serialises fsyncs of this segment, so that "flushed" is only ever recorded after its fsync returned.</summary>
    private readonly Lock _flushLock = new();
    private int _bytesSinceIndexEntry;
    private int _references = 1;
    private int _closed;
    private long _flushedSize;
    /// <summary>What happens to the files once the last reference goes (set by <see cref="Close"/> and its kin).</summary>
    private Action<LogSegment>? _afterRelease;
    private bool _trimOnRelease = true;

    private LogSegment(string directory, long baseOffset, bool directIo)
    {
        BaseOffset = baseOffset;
        _basePath = Path.Combine(directory, FileName(baseOffset));
        _log = SegmentFile.Open(_basePath + ".log", directIo);
        _offsetIndex = new OffsetIndex(_basePath + ".index");
        _timeIndex = new TimeIndex(_basePath + ".timeindex");
        NextOffset = baseOffset;
        CreatedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    /// <summary>Bytes read at once when walking batch headers.</summary>
    private const int HeaderWindow = 16 * 1024;

    public long BaseOffset { get; }

    /// <summary>Bytes of complete batches written (the writer's view).</summary>
    public long Size => _log.Length;

    /// <summary>
    /// Bytes readers may return: set by <see cref="Publish"/> after the log end offset covering them, so a fetch
    /// never hands out a batch whose offsets a following request would find past the log end.
    /// </summary>
    public long VisibleSize => Volatile.Read(ref _visibleSize);

    private long _visibleSize;

    /// <summary>Makes everything appended so far visible to readers; the log calls it once its end offset moved.</summary>
    public void Publish() => Volatile.Write(ref _visibleSize, _log.Length);

    /// <summary>Where in a direct-I/O block the next append lands (see <see cref="SegmentFile.BlockOffset"/>); -1 without direct I/O.</summary>
    public int AppendBlockOffset => _log.Direct ? _log.BlockOffset : -1;

    /// <summary>Offset after the last record of this segment.</summary>
    public long NextOffset { get; private set; }

    /// <summary>Largest record timestamp (batch max timestamps), -1 when empty.</summary>
    public long MaxTimestamp { get; private set; } = -1;

    /// <summary>Base offset of the batch that holds <see cref="MaxTimestamp"/>.</summary>
    public long BatchOfMaxTimestamp { get; private set; } = -1;

    /// <summary>First batch's max timestamp, what segment.ms counts from (as Kafka's rollingBasedTimestamp).</summary>
    public long FirstBatchTimestamp { get; private set; } = -1;

    public long CreatedAtMs { get; private set; }

    /// <summary>Bytes of the log known to be on stable storage: recorded only after an fsync that covered them returned.</summary>
    public long FlushedSize => Volatile.Read(ref _flushedSize);

    /// <summary>True when bytes past the last completed fsync exist.</summary>
    public bool Dirty => FlushedSize < Size;

    /// <summary>The log's directory-entry generation when this file was created (see PartitionLog's directory sync).</summary>
    public long DirectoryGeneration { get; init; }

    /// <summary>
    /// Test hook: called with "fsync" just before an fsync, "wait" when a flush finds another one running, and
    /// "read" when a reader looks for a batch.
    /// </summary>
    internal Action<string>? TestHook { get; set; }

    /// <summary>References held: the owner's (until closed) and readers' (tests).</summary>
    internal int ReferenceCount => Volatile.Read(ref _references);

    public static string FileName(long baseOffset) => baseOffset.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);

    public static LogSegment Create(string directory, long baseOffset, bool directIo, long directoryGeneration = 0)
    {
        var segment = new LogSegment(directory, baseOffset, directIo) { DirectoryGeneration = directoryGeneration };
        segment._log.SetLength(0);
        segment._offsetIndex.Clear();
        segment._timeIndex.Clear();
        segment.Publish();
        return segment;
    }

    /// <summary>
    /// Opens an existing segment. With <paramref name="recover"/> (the active segment after an unclean stop, or a
    /// segment whose indexes do not check out) every batch is read and CRC-checked, the file is cut at the first
    /// torn or corrupt batch and the indexes rebuilt. Returns the number of bytes cut.
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, bool directIo, bool recover, int indexIntervalBytes, out long truncatedBytes)
    {
        // Missing index files would be created empty and pass as valid: rebuild them instead.
        var basePath = Path.Combine(directory, FileName(baseOffset));
        var indexesExist = File.Exists(basePath + ".index") && File.Exists(basePath + ".timeindex");
        var segment = new LogSegment(directory, baseOffset, directIo);
        segment.CreatedAtMs = new DateTimeOffset(File.GetLastWriteTimeUtc(segment._basePath + ".log")).ToUnixTimeMilliseconds();
        var fileSize = segment._log.PhysicalLength;
        truncatedBytes = 0;
        if (!recover && indexesExist && segment._offsetIndex.TryLoad(fileSize))
        {
            // Trust the indexes up to their last entry, then walk the few batches after it for the tail state.
            // Time entries are written with offset entries, so offset entries without any time entry mean a
            // damaged time index (the max timestamp would come from the tail alone).
            var start = segment._offsetIndex.Count == 0 ? 0 : segment._offsetIndex.Last.Position;
            if (segment.ScanFrom(start, fileSize, validate: false, indexIntervalBytes: -1, out var end) && end == fileSize
                && segment._timeIndex.TryLoad(segment.NextOffset - baseOffset)
                && (segment._timeIndex.Count > 0 || segment._offsetIndex.Count == 0 || segment.MaxTimestamp < 0))
            {
                segment.LoadTimestampsFromIndex();
                segment.FirstBatchTimestamp = segment.ReadHeader(0)?.MaxTimestamp ?? -1;
                segment.Publish();
                return segment;
            }
        }
        segment._offsetIndex.Clear();
        segment._timeIndex.Clear();
        segment.NextOffset = baseOffset;
        segment.MaxTimestamp = segment.BatchOfMaxTimestamp = segment.FirstBatchTimestamp = -1;
        segment._bytesSinceIndexEntry = 0;
        segment.ScanFrom(0, fileSize, validate: true, indexIntervalBytes, out var validEnd);
        if (validEnd < fileSize)
        {
            // Zeros from the last batch to the end of its block are direct-I/O padding from a stop that had no time
            // to trim it, not lost data: only what lies beyond them counts as cut.
            truncatedBytes = fileSize - validEnd - segment.PaddingAfter(validEnd, fileSize);
            segment._log.SetLength(validEnd);
        }
        segment.Publish();
        return segment;
    }

    /// <summary>Length of the direct-I/O padding at <paramref name="start"/>: zeros up to the end of its block (or of the file), else 0.</summary>
    private int PaddingAfter(long start, long fileSize)
    {
        var blockEnd = (start + SegmentFile.BlockSize - 1) / SegmentFile.BlockSize * SegmentFile.BlockSize;
        if (!_log.Direct || blockEnd == start)
            return 0;
        Span<byte> tail = stackalloc byte[(int)(Math.Min(blockEnd, fileSize) - start)];
        return _log.Read(start, tail) == tail.Length && !tail.ContainsAnyExcept((byte)0) ? tail.Length : 0;
    }

    private void LoadTimestampsFromIndex()
    {
        if (_timeIndex.Count == 0)
            return;
        // On a tie the index holds the earlier batch: the first record with the max timestamp is what counts.
        var (timestamp, relativeOffset) = _timeIndex.Last;
        if (timestamp >= MaxTimestamp)
        {
            MaxTimestamp = timestamp;
            BatchOfMaxTimestamp = BaseOffset + relativeOffset;
        }
    }

    /// <summary>
    /// Walks batches from <paramref name="position"/>, updating offsets and timestamps (and indexes when
    /// <paramref name="indexIntervalBytes"/> > 0). Returns false at the first batch that is torn, or, with
    /// <paramref name="validate"/>, corrupt; <paramref name="end"/> is where the good bytes end.
    /// </summary>
    private bool ScanFrom(long position, long fileSize, bool validate, int indexIntervalBytes, out long end)
    {
        Span<byte> header = stackalloc byte[RecordBatchHeader.HeaderSize];
        byte[]? buffer = null;
        try
        {
            while (position < fileSize)
            {
                end = position;
                if (fileSize - position < RecordBatchHeader.HeaderSize || _log.Read(position, header) < RecordBatchHeader.HeaderSize)
                    return false;
                var batch = RecordBatchHeader.Read(header);
                if (batch.Magic != 2 || batch.BatchLength < RecordBatchHeader.MinBatchLength
                    || position + batch.TotalSize > fileSize || batch.BaseOffset < NextOffset
                    || batch.LastOffset - BaseOffset > int.MaxValue)
                    return false;
                if (validate)
                {
                    var size = (int)batch.TotalSize;
                    if (buffer is null || buffer.Length < size)
                    {
                        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(size);
                    }
                    var bytes = buffer.AsSpan(0, size);
                    if (_log.Read(position, bytes) < bytes.Length || RecordBatchHeader.ComputeCrc(bytes) != batch.Crc)
                        return false;
                }
                Track(batch, (int)position, indexIntervalBytes);
                position += batch.TotalSize;
            }
            end = position;
            return true;
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Updates offsets and timestamps for a batch now at <paramref name="position"/>, and, as Kafka does, adds
    /// index entries for it once more than <paramref name="indexIntervalBytes"/> were written since the last
    /// (a negative interval leaves the indexes alone).
    /// </summary>
    private void Track(in RecordBatchHeader batch, int position, int indexIntervalBytes)
    {
        if (FirstBatchTimestamp < 0)
            FirstBatchTimestamp = batch.MaxTimestamp;
        if (batch.MaxTimestamp > MaxTimestamp)
        {
            MaxTimestamp = batch.MaxTimestamp;
            BatchOfMaxTimestamp = batch.BaseOffset;
        }
        NextOffset = batch.LastOffset + 1;
        if (indexIntervalBytes >= 0 && _bytesSinceIndexEntry > indexIntervalBytes)
        {
            _offsetIndex.Append((int)(batch.BaseOffset - BaseOffset), position);
            if (MaxTimestamp >= 0)
                _timeIndex.MaybeAppend(MaxTimestamp, (int)(BatchOfMaxTimestamp - BaseOffset));
            _bytesSinceIndexEntry = 0;
        }
        _bytesSinceIndexEntry += (int)batch.TotalSize;
    }

    /// <summary>Appends whole batches whose offsets are already assigned. Caller holds the partition lock.</summary>
    public void Append(ReadOnlyMemory<byte> batches, int indexIntervalBytes)
    {
        var position = _log.Length;
        _log.Append(batches);
        for (var offset = 0; offset < batches.Length;)
        {
            var batch = RecordBatchHeader.Read(batches.Span[offset..]);
            Track(batch, (int)(position + offset), indexIntervalBytes);
            offset += (int)batch.TotalSize;
        }
    }

    /// <summary>
    /// Position of the first batch whose last offset is at or past <paramref name="offset"/>, or -1 when the
    /// segment ends before it. A fetch from inside a batch thus gets the whole batch, as from Kafka.
    /// </summary>
    public long FindBatchPosition(long offset)
    {
        TestHook?.Invoke("read");
        if (offset >= NextOffset)
            return -1;
        var size = Size;
        long position = offset <= BaseOffset ? 0 : _offsetIndex.FloorPosition(offset - BaseOffset);
        // Headers are read through a window: with direct I/O each read goes to the device, and a few KiB cost
        // what one header does, so the walk from the index entry usually takes one read.
        Span<byte> window = stackalloc byte[HeaderWindow];
        long windowStart = -1;
        var windowLength = 0;
        while (position + RecordBatchHeader.HeaderSize <= size)
        {
            if (windowStart < 0 || position < windowStart || position + RecordBatchHeader.HeaderSize > windowStart + windowLength)
            {
                windowStart = position;
                windowLength = _log.Read(position, window[..(int)Math.Min(HeaderWindow, size - position)]);
                if (windowLength < RecordBatchHeader.HeaderSize)
                    return -1;
            }
            var batch = RecordBatchHeader.Read(window[(int)(position - windowStart)..]);
            if (batch.LastOffset >= offset)
                return position;
            position += batch.TotalSize;
        }
        return -1;
    }

    /// <summary>Reads the batch header at <paramref name="position"/>, or null past the end.</summary>
    public RecordBatchHeader? ReadHeader(long position)
    {
        Span<byte> header = stackalloc byte[RecordBatchHeader.HeaderSize];
        if (position + RecordBatchHeader.HeaderSize > Size)
            return null;
        _log.Read(position, header);
        return RecordBatchHeader.Read(header);
    }

    /// <summary>Copies <paramref name="destination"/>.Length bytes from <paramref name="position"/>.</summary>
    public void Read(long position, Span<byte> destination)
    {
        if (_log.Read(position, destination) < destination.Length)
            throw new IOException($"Segment {_basePath}.log ended before {position + destination.Length} while reading.");
    }

    /// <summary>Relative offset of the batch to start a timestamp search from (-1: segment start).</summary>
    public long TimeSearchStartPosition(long timestamp)
    {
        var relativeOffset = _timeIndex.StartForTimestamp(timestamp);
        return relativeOffset < 0 ? 0 : FindBatchPosition(BaseOffset + relativeOffset);
    }

    /// <summary>Called when the segment stops being active: Kafka records the final max timestamp in the time index.</summary>
    /// <returns>True when the time index got an entry (which the next flush must cover).</returns>
    public bool Seal() => MaxTimestamp >= 0 && _timeIndex.MaybeAppend(MaxTimestamp, (int)(BatchOfMaxTimestamp - BaseOffset));

    /// <summary>Once sealed and flushed, the file needs no padding: a crash then leaves it exactly as its indexes expect.</summary>
    public void TrimPadding() => _log.TrimPadding();

    /// <summary>Fsyncs the log and its indexes, even when nothing is known to be dirty (a sealed segment's last index entries).</summary>
    public void Flush() => FlushTo(long.MaxValue, force: true);

    /// <summary>
    /// Returns once the first <paramref name="size"/> bytes are on stable storage: at once when an earlier fsync
    /// covered them, else after the running fsync (which may cover them) or one of its own. Flushes are serialised,
    /// and the size captured before an fsync is recorded as flushed only after it returned, so a caller never takes
    /// a flush still in progress for a finished one. Callers hold a reference.
    /// </summary>
    public void FlushTo(long size, bool force = false)
    {
        if (!force && FlushedSize >= size)
            return;
        if (!_flushLock.TryEnter())
        {
            TestHook?.Invoke("wait");
            _flushLock.Enter();
        }
        try
        {
            if (!force && _flushedSize >= size)
                return;
            var captured = Size;
            TestHook?.Invoke("fsync");
            _log.Flush();
            _offsetIndex.Flush();
            _timeIndex.Flush();
            if (captured > _flushedSize)
                Volatile.Write(ref _flushedSize, captured);
        }
        finally
        {
            _flushLock.Exit();
        }
    }

    /// <summary>Records the whole segment as on stable storage (opened after a clean stop, or below the recovery point).</summary>
    public void MarkFlushed() => Volatile.Write(ref _flushedSize, Size);

    /// <summary>Takes a read reference; false once the segment is closed.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
                return false;
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
                return true;
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0)
            return;
        _log.Close(trim: _trimOnRelease);
        _offsetIndex.Dispose();
        _timeIndex.Dispose();
        _afterRelease?.Invoke(this);
    }

    /// <summary>Drops the owner's reference: the files close, and stay, once readers are done. Only the first close counts.</summary>
    public void Close() => CloseOwned(trim: true, afterRelease: null);

    /// <summary>
    /// Drops the owner's reference of a segment retention or DeleteRecords removed: once readers are done the files
    /// close and <paramref name="deleteFiles"/> runs (the log deletes them by path unless its directory went meanwhile).
    /// </summary>
    public void CloseAndDelete(Action<LogSegment> deleteFiles) => CloseOwned(trim: false, deleteFiles);

    /// <summary>
    /// Drops the owner's reference of a segment whose directory was renamed away for deletion: its files are only
    /// closed, never touched by path (the path may belong to a re-created topic by then).
    /// </summary>
    public void CloseOrphaned() => CloseOwned(trim: false, afterRelease: null);

    private void CloseOwned(bool trim, Action<LogSegment>? afterRelease)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _trimOnRelease = trim;
        _afterRelease = afterRelease;
        Release();
    }

    /// <summary>Deletes the segment's files by path. Only for a closed segment, by its log, which knows the path is still its own.</summary>
    public void DeleteFiles()
    {
        foreach (var extension in new[] { ".log", ".index", ".timeindex" })
        {
            try { File.Delete(_basePath + extension); }
            catch (IOException) { /* gone already */ }
        }
    }
}

/// <summary>Bytes of one segment handed to a response; reads them from the file when the response is written.</summary>
internal sealed class SegmentSlice(LogSegment segment, long position, int length) : IRawPayload, IDisposable
{
    /// <summary>
    /// The response writer asks for the slice in pipe-sized pieces (64 KiB or less); with direct I/O each piece
    /// would be a device read, so the slice is read ahead in windows this large.
    /// </summary>
    private const int ReadAheadBytes = 1024 * 1024;

    private byte[]? _window;
    private int _windowStart;
    private int _windowLength;
    private int _released;

    public int Length => length;

    public void CopyTo(int offset, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (_window is null || offset < _windowStart || offset >= _windowStart + _windowLength)
                Fill(offset);
            var available = Math.Min(_windowStart + _windowLength - offset, destination.Length);
            _window.AsSpan(offset - _windowStart, available).CopyTo(destination);
            destination = destination[available..];
            offset += available;
        }
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_window))]
    private void Fill(int offset)
    {
        _window ??= ArrayPool<byte>.Shared.Rent(Math.Min(length, ReadAheadBytes));
        _windowStart = offset;
        _windowLength = Math.Min(length - offset, _window.Length);
        segment.Read(position + offset, _window.AsSpan(0, _windowLength));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
            return;
        segment.Release();
        if (_window is not null)
            ArrayPool<byte>.Shared.Return(_window);
        _window = null;
    }
}
