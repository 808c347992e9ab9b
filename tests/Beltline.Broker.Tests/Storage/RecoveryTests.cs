using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

/// <summary>
/// Nine batches of two records, five per segment: segment 0 (offsets 0-9) and the active segment 10 (10-17).
/// Every batch but a segment's first has an index entry. The largest timestamps sit in each segment's first
/// batch, so a max timestamp taken from the tail alone would be wrong. Batches are about 2.7 KiB, so they cross
/// 4 KiB block boundaries and neither segment ends on one: in direct mode a crash image carries zero padding
/// after the active segment's log (a rolled segment's padding is cut when it rolls).
/// </summary>
public abstract class RecoveryTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : RecoveryTests(directIo: true);

    public sealed class Buffered() : RecoveryTests(directIo: false);

    private static readonly int BatchSize = Build(0, 0, 1).Length;
    private static readonly LogConfig Config = new() { IndexIntervalBytes = 0, SegmentBytes = 5 * BatchSize };

    /// <summary>Log bytes of the full segment 0 and of the active segment (four batches).</summary>
    private static readonly int Segment0Size = 5 * BatchSize;
    private static readonly int ActiveSize = 4 * BatchSize;

    private static readonly int OneRecordBatchSize = Build(0, 0).Length;

    private readonly List<PartitionLog> _open = [];
    private readonly List<(long Offset, long Timestamp, string Value)> _records = [];
    private readonly List<long> _batchBases = [];
    private readonly RecordingLogger _logger = new();

    public override void Dispose()
    {
        foreach (var log in _open)
            log.Close(deleteFiles: false);
        base.Dispose();
    }

    private PartitionLog Track(PartitionLog log)
    {
        _open.Add(log);
        return log;
    }

    private void Release(PartitionLog log)
    {
        _open.Remove(log);
        log.Close(deleteFiles: false);
    }

    private PartitionLog CreateLog()
    {
        // The byte positions the tests damage assume this layout.
        Assert.Equal(2_703, BatchSize);
        Assert.True(Segment0Size % SegmentFile.BlockSize != 0 && ActiveSize % SegmentFile.BlockSize != 0);
        var log = Track(Create(Dir, Config));
        for (var i = 0; i < 9; i++)
        {
            long first = i switch { 0 => 80_000, 5 => 90_000, _ => 1_000 + (10 * i) };
            Append(log, first, first + 1);
        }
        Assert.Equal([0L, 10], SegmentFiles(log.Directory));
        return log;
    }

    /// <summary>
    /// A copy of the log's files taken while it is open. Checks it is what a crash leaves: the sealed segment's log
    /// bytes exactly (its padding is cut when it rolls), the active segment's in direct mode followed by zeros to the
    /// end of the block.
    /// </summary>
    private string CrashImageOf(PartitionLog log)
    {
        var image = CrashImage(log, Dir);
        ReadLogFile(SegmentPath(image, 0, ".log"), Segment0Size, padded: false);
        ReadLogFile(ActiveLogFile(image), ActiveSize);
        return image;
    }

    /// <summary>An unclean open, whose recovery warnings go to <see cref="_logger"/>.</summary>
    private PartitionLog Recover(string directory) => Track(Open(directory, Config, cleanShutdown: false, _logger));

    /// <summary>Recovery reported cutting exactly these byte counts (none: it reported nothing).</summary>
    private void AssertReportedCuts(params long[] bytes) => Assert.Equal(bytes, _logger.CutBytes);

    /// <summary>After recovery the segment files end exactly where their last good batch does.</summary>
    private static void AssertFileLengths(string directory, long activeSize)
    {
        Assert.Equal(Segment0Size, new FileInfo(SegmentPath(directory, 0, ".log")).Length);
        Assert.Equal(activeSize, new FileInfo(ActiveLogFile(directory)).Length);
    }

    private AppendResult Append(PartitionLog log, params long[] timestamps)
    {
        var result = log.AppendCopy(Build(log.LogEndOffset, timestamps));
        _batchBases.Add(result.BaseOffset);
        for (var j = 0; j < timestamps.Length; j++)
            _records.Add((result.BaseOffset + j, timestamps[j], Value(result.BaseOffset + j)));
        return result;
    }

    /// <summary>Values of one width, so that every two-record batch has the same size.</summary>
    private static string Value(long offset) => $"value-{offset:D4}-" + new string((char)('a' + (offset % 26)), 1_300);

    private static byte[] Build(long baseOffset, params long[] timestamps)
    {
        var builder = new RecordBatchBuilder();
        for (var j = 0; j < timestamps.Length; j++)
            builder.Add(Utf8("k"), Utf8(Value(baseOffset + j)), timestamps[j]);
        return builder.Build();
    }

    /// <summary>Forgets what the test expects from <paramref name="endOffset"/> on (it was cut).</summary>
    private void ExpectEndAt(long endOffset)
    {
        _records.RemoveAll(r => r.Offset >= endOffset);
        _batchBases.RemoveAll(b => b >= endOffset);
    }

    private void AssertContent(PartitionLog log)
    {
        var end = _records.Count == 0 ? 0 : _records[^1].Offset + 1;
        Assert.Equal(end, log.LogEndOffset);
        var records = log.ReadAllRecords(0);
        Assert.Equal(_records.Select(r => r.Offset), records.Select(r => r.Offset));
        Assert.Equal(_records.Select(r => r.Timestamp), records.Select(r => r.Timestamp));
        Assert.Equal(_records.Select(r => r.Value), records.Select(r => System.Text.Encoding.UTF8.GetString(r.Value!.Value.Span)));
        SegmentRollTests.AssertEveryOffsetReadsItsBatch(log, _batchBases.Select(b => (b, 0)).ToList());

        var max = _records.Max(r => r.Timestamp);
        Assert.Equal(_records.Where(r => r.Timestamp == max).Select(r => (r.Offset, r.Timestamp)).First(), log.FindMaxTimestamp());
        foreach (var t in new long[] { 0, 1_015, 1_041, 1_081, 80_001, 85_000, 90_001 })
        {
            var hit = _records.FindIndex(r => r.Timestamp >= t);
            (long, long)? expected = hit < 0 ? null : (_records[hit].Offset, _records[hit].Timestamp);
            Assert.Equal(expected, log.FindOffsetForTimestamp(t));
        }
    }

    private static string ActiveLogFile(string directory) => SegmentPath(directory, 10, ".log");

    private static void CutAt(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
    }

    private static void Write(string path, long position, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = position;
        file.Write(bytes);
    }

    private static void FlipByte(string path, long position)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = position;
        var b = file.ReadByte();
        file.Position = position;
        file.WriteByte((byte)(b ^ 0x40));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(30)] // inside the records
    [InlineData(2_000)] // what is left of the batch crosses a block boundary
    [InlineData(2_650)] // inside the header
    public void Unclean_open_cuts_a_truncated_tail_to_the_last_whole_batch(int bytes)
    {
        var log = CreateLog();
        var image = CrashImageOf(log);
        // The file ends inside the last batch (a direct-I/O file too: the padding lay after the log end).
        CutAt(ActiveLogFile(image), ActiveSize - bytes);

        var recovered = Recover(image);
        ExpectEndAt(16);
        Assert.Equal(16, recovered.LogEndOffset);
        AssertFileLengths(image, ActiveSize - BatchSize);
        AssertReportedCuts(BatchSize - bytes);
        AssertContent(recovered);

        Assert.Equal(16, Append(recovered, 95_000, 95_001).BaseOffset);
        Assert.Equal(18, Append(recovered, 2_000).BaseOffset);
        AssertContent(recovered);

        Release(recovered);
        AssertFileLengths(image, ActiveSize + OneRecordBatchSize);
        AssertContent(Track(Open(image, Config, cleanShutdown: true)));
    }

    [Theory]
    [InlineData(2)] // a record's last byte is its (zero) header count: the last value byte goes too
    [InlineData(100)]
    [InlineData(2_690)] // from inside the header, across a block boundary
    public void Unclean_open_cuts_a_last_batch_whose_end_never_reached_the_disk(int bytes)
    {
        // The file kept its length but the last bytes of the last batch are zeros (direct I/O: blocks of the last
        // write that did not land), with the padding, if any, still after them.
        var log = CreateLog();
        var image = CrashImageOf(log);
        var imageSize = new FileInfo(ActiveLogFile(image)).Length;
        Write(ActiveLogFile(image), ActiveSize - bytes, new byte[bytes]);

        var recovered = Recover(image);
        ExpectEndAt(16);
        AssertFileLengths(image, ActiveSize - BatchSize);
        AssertReportedCuts(imageSize - (ActiveSize - BatchSize));
        AssertContent(recovered);
        Assert.Equal(16, Append(recovered, 3_000).BaseOffset);
        AssertContent(recovered);
    }

    public static TheoryData<string, byte[]> Garbage => new()
    {
        { "zeros", new byte[100] },
        { "ones", Enumerable.Repeat((byte)0xFF, 100).ToArray() },
        { "random", RandomBytes(300) },
        { "random, more than a block", RandomBytes(5_000) },
        { "short", [0, 0, 0, 0, 0, 0, 0, 17, 0, 0] },
        // A whole, CRC-valid batch whose offsets go backwards: the scan must not take it.
        { "stale batch", Batch(5, 6) },
    };

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Unclean_open_cuts_garbage_after_the_end_of_the_file(string name, byte[] garbage)
    {
        // Behind whatever the file held: in direct mode the padding comes first, and it is not reported as cut.
        var log = CreateLog();
        var image = CrashImageOf(log);
        using (var file = new FileStream(ActiveLogFile(image), FileMode.Append))
            file.Write(garbage);

        var recovered = Recover(image);
        AssertFileLengths(image, ActiveSize);
        Assert.True(_logger.CutBytes.SequenceEqual([garbage.Length]), $"{name}: reported {string.Join(", ", _logger.CutBytes)}");
        AssertContent(recovered);
        Assert.Equal(18, Append(recovered, 3_000).BaseOffset);
        AssertContent(recovered);
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Unclean_open_cuts_garbage_right_after_the_last_batch(string name, byte[] garbage)
    {
        // Over the padding, in direct mode; the same as after the end of the file when buffered.
        var log = CreateLog();
        var image = CrashImageOf(log);
        Write(ActiveLogFile(image), ActiveSize, garbage);
        var imageSize = new FileInfo(ActiveLogFile(image)).Length;

        var recovered = Recover(image);
        AssertFileLengths(image, ActiveSize);
        // Zeros inside the last block are what padding looks like: direct-I/O recovery takes them for it.
        var lookLikePadding = DirectIo && !garbage.AsSpan().ContainsAnyExcept((byte)0) && imageSize == OpenFileLength(ActiveSize);
        long[] expected = lookLikePadding ? [] : [imageSize - ActiveSize];
        Assert.True(_logger.CutBytes.SequenceEqual(expected), $"{name}: reported {string.Join(", ", _logger.CutBytes)}");
        AssertContent(recovered);
        Assert.Equal(18, Append(recovered, 3_000).BaseOffset);
        AssertContent(recovered);
    }

    [Theory]
    [InlineData(RecordBatchHeader.AttributesPosition)]
    [InlineData(RecordBatchHeader.MaxTimestampPosition + 7)]
    [InlineData(RecordBatchHeader.HeaderSize + 3)]
    [InlineData(-1)] // the last byte
    public void Unclean_open_cuts_a_last_batch_whose_crc_fails(int positionInBatch)
    {
        var log = CreateLog();
        var image = CrashImageOf(log);
        var imageSize = new FileInfo(ActiveLogFile(image)).Length;
        var lastBatch = ActiveSize - BatchSize;
        FlipByte(ActiveLogFile(image), positionInBatch < 0 ? ActiveSize - 1 : lastBatch + positionInBatch);

        var recovered = Recover(image);
        ExpectEndAt(16);
        AssertFileLengths(image, lastBatch);
        AssertReportedCuts(imageSize - lastBatch);
        AssertContent(recovered);
        Assert.Equal(16, Append(recovered, 4_000, 4_001, 4_002).BaseOffset);
        AssertContent(recovered);
    }

    [Fact]
    public void Unclean_open_cuts_everything_from_a_corrupt_batch_in_the_middle()
    {
        var log = CreateLog();
        var image = CrashImageOf(log);
        var imageSize = new FileInfo(ActiveLogFile(image)).Length;
        // Batch 12-13 is the active segment's second.
        FlipByte(ActiveLogFile(image), BatchSize + RecordBatchHeader.HeaderSize + 2);

        var recovered = Recover(image);
        ExpectEndAt(12);
        AssertFileLengths(image, BatchSize);
        AssertReportedCuts(imageSize - BatchSize);
        AssertContent(recovered);
        Assert.Equal(12, Append(recovered, 5_000).BaseOffset);
        AssertContent(recovered);
    }

    [Fact]
    public void Unclean_open_of_an_intact_log_keeps_everything_and_reports_no_cut()
    {
        var log = CreateLog();
        var image = CrashImageOf(log);
        var recovered = Recover(image);
        // In direct mode the padding after both segments is gone, and was not reported as torn.
        AssertFileLengths(image, ActiveSize);
        AssertReportedCuts();
        AssertContent(recovered);
        Assert.Equal(18, Append(recovered, 6_000).BaseOffset);
        AssertContent(recovered);
    }

    [Fact]
    public void A_crash_image_recovers_in_the_other_io_mode_too()
    {
        var log = CreateLog();
        var image = CrashImageOf(log);
        var recovered = Track(Logs.Open(image, Config, cleanShutdown: false, directIo: !DirectIo));
        AssertFileLengths(image, ActiveSize);
        AssertContent(recovered);
        Assert.Equal(18, Append(recovered, 6_000).BaseOffset);
        Release(recovered);

        AssertContent(Track(Open(image, Config, cleanShutdown: true)));
    }

    [Fact]
    public void Unclean_open_of_a_wholly_torn_active_segment_ends_at_its_base_offset()
    {
        var log = CreateLog();
        var image = CrashImageOf(log);
        CutAt(ActiveLogFile(image), 20);

        var recovered = Recover(image);
        ExpectEndAt(10);
        AssertFileLengths(image, 0);
        AssertReportedCuts(20);
        AssertContent(recovered);
        Assert.Equal(10, Append(recovered, 7_000).BaseOffset);
        AssertContent(recovered);
    }

    [Fact]
    public void Clean_close_leaves_exactly_the_log_and_reopen_keeps_everything_and_loads_the_indexes()
    {
        var log = CreateLog();
        var directory = log.Directory;
        Release(log);
        // No padding after a clean close, whatever the mode.
        AssertFileLengths(directory, ActiveSize);
        var indexes = IndexFiles(directory);

        var reopened = Track(Open(directory, Config, cleanShutdown: true));
        AssertContent(reopened);
        Assert.Equal(indexes, IndexFiles(directory));
        Assert.Equal(18, Append(reopened, 8_000).BaseOffset);
        Assert.Equal(2, reopened.SegmentCount);
        AssertContent(reopened);

        Release(reopened);
        AssertFileLengths(directory, ActiveSize + OneRecordBatchSize);
        AssertContent(Track(Open(directory, Config, cleanShutdown: true)));
    }

    [Fact]
    public void Clean_reopen_does_not_rescan_the_log_but_unclean_reopen_does()
    {
        var log = CreateLog();
        var directory = log.Directory;
        Release(log);
        // Damage a batch in the middle of the active segment, behind the indexes' back.
        FlipByte(ActiveLogFile(directory), BatchSize + RecordBatchHeader.HeaderSize + 2);

        // A clean open trusts the indexes and does not CRC-check the log: nothing is cut.
        var clean = Track(Open(directory, Config, cleanShutdown: true));
        Assert.Equal(18, clean.LogEndOffset);
        AssertFileLengths(directory, ActiveSize);
        Release(clean);

        var recovered = Recover(directory);
        Assert.Equal(12, recovered.LogEndOffset);
        AssertFileLengths(directory, BatchSize);
        AssertReportedCuts(ActiveSize - BatchSize);
    }

    [Fact]
    public void A_rolled_segment_s_flush_moves_the_recovery_point_to_its_end()
    {
        var log = CreateLog();
        var image = CrashImageOf(log);
        Assert.Equal("10", File.ReadAllText(Path.Combine(image, PartitionLog.RecoveryPointFile)));
        Assert.Equal(10, log.RecoveryPoint);
    }

    [Fact]
    public void Unclean_open_scans_a_rolled_segment_when_the_crash_came_before_its_flush()
    {
        // The roll's flush had not finished: no recovery point past segment 0, whose tail never reached the disk.
        var log = CreateLog();
        var image = CrashImageOf(log);
        File.Delete(Path.Combine(image, PartitionLog.RecoveryPointFile));
        FlipByte(SegmentPath(image, 0, ".log"), Segment0Size - 1);

        var recovered = Recover(image);
        // Segment 0 is cut to its last good batch; segment 10 lay after the hole and goes.
        ExpectEndAt(8);
        Assert.Equal(8, recovered.LogEndOffset);
        Assert.Equal([0L], SegmentFiles(image));
        Assert.Equal(Segment0Size - BatchSize, new FileInfo(SegmentPath(image, 0, ".log")).Length);
        AssertReportedCuts(BatchSize);
        Assert.Contains(_logger.Warnings, w => w.Any(p => p.Key == "BaseOffset" && Equals(p.Value, 10L)) && w.All(p => p.Key != "Bytes"));
        AssertContent(recovered);
        // Recovery flushed what it kept, so the point is the log end.
        Assert.Equal(8, recovered.RecoveryPoint);
        Assert.Equal(8, Append(recovered, 10_000).BaseOffset);
        AssertContent(recovered);

        Release(recovered);
        AssertContent(Track(Open(image, Config, cleanShutdown: true)));
    }

    [Fact]
    public void Unclean_open_that_cuts_below_the_log_start_starts_empty_at_the_log_start()
    {
        var log = CreateLog();
        Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(15).Error);
        var image = CrashImage(log, Dir);
        Assert.Equal([10L], SegmentFiles(image));
        // Batch 12-13 is the active segment's second: the cut lands at 12, below the log start.
        FlipByte(ActiveLogFile(image), BatchSize + RecordBatchHeader.HeaderSize + 2);

        var recovered = Recover(image);
        Assert.Equal(15, recovered.LogStartOffset);
        Assert.Equal(15, recovered.LogEndOffset);
        Assert.Equal([15L], SegmentFiles(image));
        Assert.Equal(15, recovered.AppendCopy(Batch(3_000)).BaseOffset);
        Assert.Equal([15L], recovered.ReadAllRecords(15).Select(r => r.Offset));
    }

    [Fact]
    public void Unclean_open_trusts_segments_wholly_below_the_recovery_point()
    {
        // Damage behind the indexes' back in segment 0, which the recovery point says was flushed: not rescanned.
        var log = CreateLog();
        var image = CrashImageOf(log);
        FlipByte(SegmentPath(image, 0, ".log"), Segment0Size - 1);

        var recovered = Recover(image);
        Assert.Equal(18, recovered.LogEndOffset);
        Assert.Equal([0L, 10], SegmentFiles(image));
        AssertReportedCuts();
    }

    [Fact]
    public void Unclean_open_with_a_recovery_point_inside_a_segment_scans_that_segment()
    {
        var log = CreateLog();
        var image = CrashImageOf(log);
        File.WriteAllText(Path.Combine(image, PartitionLog.RecoveryPointFile), "7");
        FlipByte(SegmentPath(image, 0, ".log"), Segment0Size - 1);

        var recovered = Recover(image);
        Assert.Equal(8, recovered.LogEndOffset);
        Assert.Equal([0L], SegmentFiles(image));
    }

    public static TheoryData<string, string, byte[]?> IndexDamage => new()
    {
        { "index garbage", ".index", [1, 2, 3, 4, 5, 6, 7] },
        { "index entries out of order", ".index", Enumerable.Repeat((byte)0xFF, 16).ToArray() },
        { "index entries past the log", ".index", [0, 0, 0, 1, 0x7F, 0, 0, 0] },
        { "index missing", ".index", null },
        { "timeindex garbage", ".timeindex", [1, 2, 3, 4, 5] },
        { "timeindex emptied", ".timeindex", [] },
        { "timeindex missing", ".timeindex", null },
    };

    [Theory]
    [MemberData(nameof(IndexDamage))]
    public void Damaged_or_missing_index_files_are_rebuilt(string name, string extension, byte[]? content)
    {
        var log = CreateLog();
        var directory = log.Directory;
        Release(log);
        var offsetIndexes = IndexFiles(directory).Where(f => f.Key.EndsWith(".index", StringComparison.Ordinal)).ToList();

        foreach (var baseOffset in new long[] { 0, 10 })
        {
            var path = SegmentPath(directory, baseOffset, extension);
            if (content is null)
                File.Delete(path);
            else
                File.WriteAllBytes(path, content);
        }

        var reopened = Track(Open(directory, Config, cleanShutdown: true));
        AssertContent(reopened);
        Assert.True(offsetIndexes.SequenceEqual(IndexFiles(directory).Where(f => f.Key.EndsWith(".index", StringComparison.Ordinal))), name);

        Assert.Equal(18, Append(reopened, 9_000).BaseOffset);
        AssertContent(reopened);
        Release(reopened);
        AssertContent(Track(Open(directory, Config, cleanShutdown: true)));
    }

    [Fact]
    public void An_emptied_offset_index_only_costs_lookups_a_scan_from_the_segment_start()
    {
        var log = CreateLog();
        var directory = log.Directory;
        Release(log);
        File.WriteAllBytes(SegmentPath(directory, 0, ".index"), []);
        File.WriteAllBytes(SegmentPath(directory, 10, ".index"), []);

        var reopened = Track(Open(directory, Config, cleanShutdown: true));
        AssertContent(reopened);
        Assert.Equal(18, Append(reopened, 9_000).BaseOffset);
        AssertContent(reopened);
    }

    /// <summary>Index file name to its bytes, in name order.</summary>
    private static List<KeyValuePair<string, string>> IndexFiles(string directory) =>
        Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".index", StringComparison.Ordinal) || f.EndsWith(".timeindex", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => KeyValuePair.Create(Path.GetFileName(f), Convert.ToHexString(ReadShared(f))))
            .ToList();
}
