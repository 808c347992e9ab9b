using Beltline.Broker.Storage;
using Beltline.Protocol;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

public abstract class DeleteRecordsTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : DeleteRecordsTests(directIo: true);

    public sealed class Buffered() : DeleteRecordsTests(directIo: false);

    /// <summary>Batches of 3 records, one per segment: segments 0, 3, 6, 9 (active).</summary>
    private PartitionLog CreateFourSegments()
    {
        var log = Create(Dir, new LogConfig { SegmentBytes = 14 });
        for (var i = 0; i < 4; i++)
            log.AppendCopy(Records(3, 1_000 + i));
        Assert.Equal([0L, 3, 6, 9], SegmentFiles(log.Directory));
        return log;
    }

    [Fact]
    public void Minus_one_means_the_high_watermark()
    {
        var log = CreateFourSegments();
        try
        {
            Assert.Equal((ErrorCode.None, 12L), log.DeleteRecordsBefore(-1));
            Assert.Equal(12, log.LogStartOffset);
            Assert.Equal(12, log.LogEndOffset);
            // The active segment stays, even though every record in it is now below the start.
            Assert.Equal([9L], SegmentFiles(log.Directory));
            Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(11, int.MaxValue, true).Error);
            Assert.Null(log.Read(12, int.MaxValue, true).Records);
            Assert.Equal(12, log.AppendCopy(Records(1)).BaseOffset);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Theory]
    [InlineData(13)]
    [InlineData(1_000)]
    [InlineData(-2)]
    public void Offsets_beyond_the_end_or_invalid_are_offset_out_of_range(long offset)
    {
        var log = CreateFourSegments();
        try
        {
            Assert.Equal((ErrorCode.OffsetOutOfRange, 0L), log.DeleteRecordsBefore(offset));
            Assert.Equal(0, log.LogStartOffset);
            Assert.Equal(4, log.SegmentCount);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Deleting_below_the_log_start_is_a_no_op()
    {
        var log = CreateFourSegments();
        try
        {
            Assert.Equal((ErrorCode.None, 7L), log.DeleteRecordsBefore(7));
            Assert.Equal((ErrorCode.None, 7L), log.DeleteRecordsBefore(2));
            Assert.Equal((ErrorCode.None, 7L), log.DeleteRecordsBefore(7));
            Assert.Equal(7, log.LogStartOffset);
            Assert.Equal([6L, 9], SegmentFiles(log.Directory));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Segments_wholly_below_the_new_start_are_deleted()
    {
        var log = CreateFourSegments();
        try
        {
            // Offset 6 starts segment 6: segments 0 and 3 lie wholly below it.
            Assert.Equal((ErrorCode.None, 6L), log.DeleteRecordsBefore(6));
            Assert.Equal([6L, 9], SegmentFiles(log.Directory));
            Assert.Equal(2, log.SegmentCount);
            Assert.Equal(6L, log.ReadBatches(6)[0].Header.BaseOffset);

            // Offset 8 is inside segment 6: it stays, and a read at the start returns its whole batch.
            Assert.Equal((ErrorCode.None, 8L), log.DeleteRecordsBefore(8));
            Assert.Equal([6L, 9], SegmentFiles(log.Directory));
            Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(7, int.MaxValue, true).Error);
            Assert.Equal(6L, log.ReadBatches(8)[0].Header.BaseOffset);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Log_start_offset_survives_reopen()
    {
        var log = CreateFourSegments();
        log.DeleteRecordsBefore(10);
        log.Close(deleteFiles: false);

        foreach (var clean in new[] { true, false })
        {
            var reopened = Open(log.Directory, new LogConfig { SegmentBytes = 14 }, cleanShutdown: clean);
            try
            {
                Assert.Equal(10, reopened.LogStartOffset);
                Assert.Equal(12, reopened.LogEndOffset);
                Assert.Equal(ErrorCode.OffsetOutOfRange, reopened.Read(9, int.MaxValue, true).Error);
                Assert.Equal([10L, 11], reopened.ReadAllRecords(10).Select(r => r.Offset));
            }
            finally
            {
                reopened.Close(deleteFiles: false);
            }
        }
    }

    [Fact]
    public void Timestamp_lookups_skip_records_below_the_log_start()
    {
        var log = Create(Dir);
        try
        {
            log.AppendCopy(Batch(100, 300, 200));
            log.AppendCopy(Batch(150));
            log.DeleteRecordsBefore(2);
            Assert.Equal((2L, 200L), log.FindOffsetForTimestamp(0));
            Assert.Equal((2L, 200L), log.FindOffsetForTimestamp(150));
            // Offset 1 (300) is the only record at or after 250, and it is below the start.
            Assert.Null(log.FindOffsetForTimestamp(250));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }
}
