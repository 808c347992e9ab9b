using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

public abstract class RetentionTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : RetentionTests(directIo: true);

    public sealed class Buffered() : RetentionTests(directIo: false);

    /// <summary>segment.bytes at its minimum: every append after the first starts a segment.</summary>
    private static readonly LogConfig OneBatchPerSegment = new() { SegmentBytes = 14 };

    [Fact]
    public void Time_retention_drops_the_leading_segments_whose_newest_record_is_too_old()
    {
        var log = Create(Dir, OneBatchPerSegment with { RetentionMs = 5_000 });
        try
        {
            foreach (var timestamp in new long[] { 1_000, 4_999, 5_000, 9_000 })
                log.AppendCopy(Batch(timestamp - 10, timestamp));
            Assert.Equal([0L, 2, 4, 6], SegmentFiles(log.Directory));

            // now 10_000: a segment goes when its max timestamp is more than retention.ms ago.
            Assert.Equal(2, log.EnforceRetention(10_000));
            Assert.Equal(4, log.LogStartOffset);
            Assert.Equal([4L, 6], SegmentFiles(log.Directory));
            Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(3, int.MaxValue, true).Error);
            Assert.Equal(Enumerable.Range(4, 4).Select(i => (long)i), log.ReadAllRecords(4).Select(r => r.Offset));

            Assert.Equal(0, log.EnforceRetention(10_000));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Time_retention_stops_at_the_first_segment_that_is_kept()
    {
        var log = Create(Dir, OneBatchPerSegment with { RetentionMs = 5_000 });
        try
        {
            foreach (var timestamp in new long[] { 9_000, 1_000, 9_500 })
                log.AppendCopy(Batch(timestamp));
            Assert.Equal(0, log.EnforceRetention(10_000));
            Assert.Equal(0, log.LogStartOffset);
            Assert.Equal(3, log.SegmentCount);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void When_everything_expired_the_active_segment_is_rolled_and_deleted_too()
    {
        var log = Create(Dir, OneBatchPerSegment with { RetentionMs = 5_000 });
        try
        {
            log.AppendCopy(Batch(1_000, 1_001));
            log.AppendCopy(Batch(2_000, 2_001, 2_002));
            Assert.Equal(2, log.EnforceRetention(100_000));

            Assert.Equal(5, log.LogStartOffset);
            Assert.Equal(5, log.LogEndOffset);
            Assert.Equal(1, log.SegmentCount);
            Assert.Equal([5L], SegmentFiles(log.Directory));
            Assert.False(File.Exists(SegmentPath(log.Directory, 0, ".index")));
            Assert.False(File.Exists(SegmentPath(log.Directory, 2, ".timeindex")));
            Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(4, int.MaxValue, true).Error);
            Assert.Null(log.Read(5, int.MaxValue, true).Records);

            Assert.Equal(5, log.AppendCopy(Batch(100_000)).BaseOffset);
            Assert.Equal([5L], log.ReadAllRecords(5).Select(r => r.Offset));
            Assert.Equal(0, log.EnforceRetention(100_000));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Retention_ms_minus_one_and_compact_only_keep_everything()
    {
        var log = Create(Dir, OneBatchPerSegment with { RetentionMs = -1, RetentionBytes = -1 });
        try
        {
            log.AppendCopy(Batch(1_000));
            log.AppendCopy(Batch(1_000));
            Assert.Equal(0, log.EnforceRetention(long.MaxValue / 2));
            log.Config = OneBatchPerSegment with { RetentionMs = 1, RetentionBytes = 0, Delete = false, Compact = true };
            Assert.Equal(0, log.EnforceRetention(long.MaxValue / 2));
            Assert.Equal(2, log.SegmentCount);
            Assert.Equal(0, log.LogStartOffset);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Size_retention_drops_oldest_segments_while_the_log_exceeds_retention_bytes()
    {
        var size = Batch(1_000).Length;
        var log = Create(Dir, OneBatchPerSegment with { RetentionBytes = (2 * size) + 1 });
        try
        {
            for (var i = 0; i < 4; i++)
                log.AppendCopy(Batch(1_000 + i));
            var now = 2_000;
            // 4 * size against a limit of 2 * size + 1: the excess (2 * size - 1) covers only one whole segment,
            // and as in Kafka a segment goes only when the excess covers all of it.
            Assert.Equal(1, log.EnforceRetention(now));
            Assert.Equal(1, log.LogStartOffset);
            Assert.Equal([1L, 2, 3], SegmentFiles(log.Directory));
            Assert.Equal(3 * size, log.SizeInBytes);

            log.Config = OneBatchPerSegment with { RetentionBytes = 0 };
            // Never the active segment.
            Assert.Equal(2, log.EnforceRetention(now));
            Assert.Equal([3L], SegmentFiles(log.Directory));
            Assert.Equal(3, log.LogStartOffset);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void A_read_keeps_a_deleted_segment_readable_until_it_is_disposed()
    {
        var log = Create(Dir, OneBatchPerSegment with { RetentionMs = 5_000 });
        try
        {
            var old = Batch(1_000, 1_001, 1_002);
            log.AppendCopy(old);
            log.AppendCopy(Batch(9_000));
            var logFile = SegmentPath(log.Directory, 0, ".log");

            var read = log.Read(1, int.MaxValue, minOneBatch: true);
            var slice = read.Records!;
            Assert.Equal(1, log.EnforceRetention(10_000));
            Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(1, int.MaxValue, true).Error);

            // The lease keeps the file and its handle until the response is written.
            Assert.True(File.Exists(logFile));
            var batch = RecordBatch.Read(slice.ToBytes());
            Assert.True(batch.IsCrcValid);
            Assert.Equal(0, batch.Header.BaseOffset);
            Assert.Equal([1_000L, 1_001, 1_002], batch.ReadRecords().Select(r => r.Timestamp));

            slice.Dispose();
            Assert.False(File.Exists(logFile));
            Assert.False(File.Exists(SegmentPath(log.Directory, 0, ".index")));
            Assert.False(File.Exists(SegmentPath(log.Directory, 0, ".timeindex")));
            Assert.Equal([3L], SegmentFiles(log.Directory));
            slice.Dispose(); // twice is harmless
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Close_with_delete_removes_theDirectory_and_waits_for_readers()
    {
        var log = Create(Dir);
        log.AppendCopy(Batch(1_000));
        var slice = log.Read(0, int.MaxValue, true).Records!;
        log.Close(deleteFiles: true);
        Assert.Equal(0, RecordBatch.Read(slice.ToBytes()).Header.BaseOffset);
        slice.Dispose();
        Assert.False(Directory.Exists(log.Directory));
    }
}
