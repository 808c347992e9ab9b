using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using Microsoft.Extensions.Logging.Abstractions;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

/// <summary>
/// Closing and deleting logs while readers hold their segments, the log's own state after close, and reads that
/// race retention or fail half-way.
/// </summary>
public abstract class LogLifecycleTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : LogLifecycleTests(directIo: true);

    public sealed class Buffered() : LogLifecycleTests(directIo: false);

    /// <summary>segment.bytes at its minimum: every append after the first starts a segment.</summary>
    private static readonly LogConfig OneBatchPerSegment = new() { SegmentBytes = 14 };

    private static string Value(RecordBatch batch) => System.Text.Encoding.UTF8.GetString(batch.ReadRecords()[0].Value!.Value.Span);

    private static byte[] Named(string value, long timestamp = 1_000) =>
        new RecordBatchBuilder().Add(Utf8("k"), Utf8(value), timestamp).Build();

    /// <summary>Closes <paramref name="log"/>, opens its directory again and finds exactly one batch, of <paramref name="value"/>.</summary>
    private void AssertReopensHoldingOnly(PartitionLog log, string value)
    {
        log.Close();
        var reopened = Open(log.Directory);
        try
        {
            Assert.Equal(value, Value(reopened.ReadBatches(0).Single()));
        }
        finally
        {
            reopened.Close();
        }
    }

    [Fact]
    public void Deleting_renames_the_directory_away_and_a_reader_keeps_its_bytes()
    {
        var log = Create(Dir);
        log.AppendCopy(Named("old"));
        var slice = log.Read(0, int.MaxValue, true).Records!;

        var renamed = log.MarkDeleted();
        Assert.NotNull(renamed);
        Assert.False(Directory.Exists(log.Directory));
        Assert.Equal(log.Directory + "." + PartitionLog.ReadTopicId(renamed)!.Value + PartitionLog.DeletedDirectorySuffix, renamed);
        Assert.True(PartitionLog.IsDeletedDirectoryName(Path.GetFileName(renamed)));

        PartitionLog.DeleteDirectory(renamed, NullLogger.Instance);
        Assert.False(Directory.Exists(renamed));
        // The open handle still reads (Linux keeps unlinked files while open).
        Assert.Equal("old", Value(RecordBatch.Read(slice.ToBytes())));
        slice.Dispose();
        Assert.Null(log.MarkDeleted());
    }

    [Fact]
    public void A_reader_of_a_deleted_log_does_not_delete_the_files_of_a_log_re_created_at_the_same_path()
    {
        var old = Create(Dir);
        old.AppendCopy(Named("old"));
        var slice = old.Read(0, int.MaxValue, true).Records!;
        old.Close(deleteFiles: true);

        var recreated = Create(Dir);
        Assert.Equal(old.Directory, recreated.Directory);
        recreated.AppendCopy(Named("new"));
        Assert.Equal("old", Value(RecordBatch.Read(slice.ToBytes())));
        slice.Dispose(); // the old log's last reference

        Assert.True(File.Exists(SegmentPath(recreated.Directory, 0, ".log")));
        Assert.True(File.Exists(SegmentPath(recreated.Directory, 0, ".index")));
        AssertReopensHoldingOnly(recreated, "new");
    }

    [Fact]
    public void A_segment_retention_dropped_under_a_reader_does_not_delete_a_re_created_log_s_segment_of_the_same_base()
    {
        var old = Create(Dir, OneBatchPerSegment with { RetentionMs = 5_000 });
        old.AppendCopy(Named("old", 1_000));
        old.AppendCopy(Named("later", 9_000));
        var slice = old.Read(0, int.MaxValue, true).Records!;
        Assert.Equal(1, old.EnforceRetention(10_000)); // segment 0 goes once the reader lets go
        old.Close(deleteFiles: true);

        var recreated = Create(Dir);
        recreated.AppendCopy(Named("new"));
        slice.Dispose();

        Assert.True(File.Exists(SegmentPath(recreated.Directory, 0, ".log")));
        AssertReopensHoldingOnly(recreated, "new");
    }

    [Fact]
    public void A_closed_log_takes_no_appends_retention_deletes_or_flushes()
    {
        var log = Create(Dir, OneBatchPerSegment with { RetentionMs = 5_000 });
        log.AppendCopy(Named("a", 1_000));
        var renamed = log.MarkDeleted()!;

        Assert.Null(log.TryAppend(Named("b"), 1_000));
        Assert.Throws<ObjectDisposedException>(() => log.AppendCopy(Named("b")));
        Assert.Equal(1, log.LogEndOffset);
        // Retention would roll (everything expired) into the directory that is gone: it does nothing.
        Assert.Equal(0, log.EnforceRetention(100_000));
        Assert.Equal((ErrorCode.UnknownTopicOrPartition, -1L), log.DeleteRecordsBefore(1));
        log.Flush();
        log.FlushIfDue();
        Assert.False(Directory.Exists(log.Directory));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, log.Read(0, int.MaxValue, true).Error);
        Assert.True(log.WaitForAppendAsync(5).IsCompletedSuccessfully);
        PartitionLog.DeleteDirectory(renamed, NullLogger.Instance);
    }

    [Fact]
    public void Close_twice_drops_the_log_s_reference_once()
    {
        var log = Create(Dir);
        log.AppendCopy(Named("kept"));
        var slice = log.Read(0, int.MaxValue, true).Records!;
        log.Close();
        log.Close();
        log.Close(deleteFiles: true);
        Assert.True(Directory.Exists(log.Directory));
        // The reader's reference survived: its handle is still open.
        Assert.Equal(1, Segments(log)[0].ReferenceCount);
        Assert.Equal("kept", Value(RecordBatch.Read(slice.ToBytes())));
        slice.Dispose();
        Assert.Equal(0, Segments(log)[0].ReferenceCount);
        Assert.Null(log.TryAppend(Named("late"), 1_000));
    }

    [Fact]
    public void A_read_that_throws_releases_the_segment()
    {
        var log = Create(Dir, OneBatchPerSegment);
        try
        {
            log.AppendCopy(Named("a"));
            log.AppendCopy(Named("b"));
            log.WaitForRollFlushes(); // the roll's flush holds a reference while it runs
            var first = Segments(log)[0];
            first.TestHook = step =>
            {
                if (step == "read")
                    throw new IOException("read failed");
            };
            Assert.Throws<IOException>(() => log.Read(0, int.MaxValue, true));
            first.TestHook = null;
            Assert.Equal(1, first.ReferenceCount);

            // Nothing holds it: dropping it deletes its files at once.
            Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(1).Error);
            Assert.False(File.Exists(SegmentPath(log.Directory, 0, ".log")));
        }
        finally
        {
            log.Close();
        }
    }

    [Fact]
    public void A_read_below_the_first_segment_is_out_of_range_even_when_the_log_start_is_not_updated_yet()
    {
        var log = Create(Dir, OneBatchPerSegment);
        var field = typeof(PartitionLog).GetField("_segments", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var segments = Segments(log);
        try
        {
            log.AppendCopy(Records(3));
            log.AppendCopy(Records(3));
            log.AppendCopy(Records(3));
            segments = Segments(log);
            Assert.Equal([0L, 3, 6], segments.Select(s => s.BaseOffset));

            // Retention's first step: the shorter segment array is published, the log start offset not yet moved.
            field.SetValue(log, segments[1..]);
            Assert.Equal(0, log.LogStartOffset);
            var read = log.Read(1, int.MaxValue, true);
            Assert.Equal(ErrorCode.OffsetOutOfRange, read.Error);
            Assert.Null(read.Records);
            Assert.Equal(3, read.LogStartOffset);
            var later = log.Read(3, int.MaxValue, true);
            Assert.Equal(ErrorCode.None, later.Error);
            later.Records!.Dispose();
        }
        finally
        {
            field.SetValue(log, segments);
            log.Close();
        }
    }

    [Fact]
    public void Timestamp_lookups_refuse_a_batch_that_inflates_past_the_cap_and_release_the_segment()
    {
        var log = Create(Dir, new LogConfig { MaxDecompressedBatchBytes = 64 * 1024 });
        try
        {
            // 1 MiB of zeros compresses to about a KiB: a small decompression bomb.
            var bomb = new RecordBatchBuilder { Compression = CompressionType.Gzip }.Add(null, new byte[1 << 20], 5_000).Build();
            Assert.True(bomb.Length < 10_000);
            log.AppendCopy(bomb);

            Assert.Throws<CorruptRecordException>(() => log.FindOffsetForTimestamp(1_000));
            Assert.Throws<CorruptRecordException>(() => log.FindMaxTimestamp());
            Assert.Equal(1, Segments(log)[0].ReferenceCount);

            log.Config = new LogConfig();
            Assert.Equal((0L, 5_000L), log.FindOffsetForTimestamp(1_000));
            Assert.Equal((0L, 5_000L), log.FindMaxTimestamp());
        }
        finally
        {
            log.Close();
        }
    }
}
