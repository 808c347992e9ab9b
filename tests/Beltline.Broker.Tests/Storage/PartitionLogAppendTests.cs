using Beltline.Broker.Storage;
using Beltline.Protocol.Records;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

public abstract class PartitionLogAppendTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : PartitionLogAppendTests(directIo: true);

    public sealed class Buffered() : PartitionLogAppendTests(directIo: false);

    [Fact]
    public void Append_assigns_consecutive_offsets_across_batches_and_appends()
    {
        var log = Create(Dir);
        try
        {
            // One append carrying two batches (3 + 2 records), then one of 4.
            var first = Batch(1_000, 1_001, 1_002);
            var second = Batch(1_003, 1_004);
            var r1 = log.AppendCopy([.. first, .. second]);
            var r2 = log.AppendCopy(Batch(1_005, 1_006, 1_007, 1_008));

            Assert.Equal(new AppendResult(0, 4, -1, 0, 5), r1);
            Assert.Equal(new AppendResult(5, 8, -1, 0, 4), r2);
            Assert.Equal(9, log.LogEndOffset);

            var batches = log.ReadBatches(0);
            Assert.Equal([0L, 3, 5], batches.Select(b => b.Header.BaseOffset));
            Assert.Equal([2L, 4, 8], batches.Select(b => b.Header.LastOffset));
            var records = log.ReadAllRecords(0);
            Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), records.Select(r => r.Offset));
            Assert.Equal(Enumerable.Range(0, 9).Select(i => 1_000L + i), records.Select(r => r.Timestamp));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Append_returns_the_current_log_start_offset()
    {
        var log = Create(Dir);
        try
        {
            log.AppendCopy(Records(5));
            log.DeleteRecordsBefore(3);
            Assert.Equal(new AppendResult(5, 6, -1, 3, 2), log.AppendCopy(Records(2)));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Batch_bytes_on_disk_are_the_produced_bytes_with_offset_and_leader_epoch_assigned()
    {
        var log = Create(Dir);
        var first = Records(2);
        var produced = new RecordBatchBuilder
        {
            Compression = CompressionType.Gzip, PartitionLeaderEpoch = 17, ProducerId = 42, ProducerEpoch = 3, BaseSequence = 10,
        }
            .Add(Utf8("key"), Utf8("value"), 5_000, [new RecordHeader("h", Utf8("x"))])
            .Add(null, Utf8("second"), 5_007)
            .Build();
        byte[] onDisk;
        try
        {
            log.AppendCopy(first);
            log.AppendCopy(produced);

            // While open: the log bytes, then (direct I/O) zeros to the end of the block.
            onDisk = ReadLogFile(LogFile(log), first.Length + produced.Length);
            var expectedFirst = first.ToArray();
            RecordBatchHeader.SetBaseOffset(expectedFirst, 0);
            RecordBatchHeader.SetPartitionLeaderEpoch(expectedFirst, 0);
            Assert.Equal(expectedFirst, onDisk[..first.Length]);
            var stored = onDisk[first.Length..];

            var expected = produced.ToArray();
            RecordBatchHeader.SetBaseOffset(expected, 2);
            RecordBatchHeader.SetPartitionLeaderEpoch(expected, 0);
            Assert.Equal(expected, stored);
            var batch = RecordBatch.Read(stored);
            Assert.True(batch.IsCrcValid);
            Assert.Equal(TimestampType.CreateTime, batch.Header.TimestampType);
            Assert.Equal(5_007, batch.Header.MaxTimestamp);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
        // Closed: exactly the log bytes, in either mode.
        Assert.Equal(onDisk, ReadLogFile(LogFile(log), onDisk.Length, padded: false));
    }

    [Fact]
    public void LogAppendTime_stamps_the_timestamp_type_and_max_timestamp_and_keeps_the_crc_valid()
    {
        const long now = 1_700_000_000_123;
        var log = Create(Dir, new LogConfig { LogAppendTime = true });
        byte[] stored;
        try
        {
            var produced = new RecordBatchBuilder { Compression = CompressionType.Lz4 }
                .Add(Utf8("a"), Utf8("1"), 5_000)
                .Add(Utf8("b"), Utf8("2"), 5_009)
                .Build();
            var result = log.AppendCopy(produced, now);
            Assert.Equal(new AppendResult(0, 1, now, 0, 2), result);

            stored = ReadLogFile(LogFile(log), produced.Length);
            var batch = RecordBatch.Read(stored);
            Assert.Equal(TimestampType.LogAppendTime, batch.Header.TimestampType);
            Assert.Equal(now, batch.Header.MaxTimestamp);
            Assert.True(batch.IsCrcValid);
            Assert.Equal([now, now], batch.ReadRecords().Select(r => r.Timestamp));
            Assert.Equal(["1", "2"], batch.ReadRecords().Select(r => System.Text.Encoding.UTF8.GetString(r.Value!.Value.Span)));

            // Only the header fields the broker owns differ: base offset and epoch (not covered by the CRC), then
            // attributes, CRC and max timestamp.
            var changed = Enumerable.Range(0, stored.Length).Where(i => stored[i] != produced[i]).ToList();
            Assert.NotEmpty(changed);
            Assert.All(changed, i => Assert.True(
                i is >= RecordBatchHeader.PartitionLeaderEpochPosition and < RecordBatchHeader.MagicPosition
                  or >= RecordBatchHeader.CrcPosition and < RecordBatchHeader.LastOffsetDeltaPosition
                  or >= RecordBatchHeader.MaxTimestampPosition and < RecordBatchHeader.ProducerIdPosition,
                $"byte {i} changed"));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
        Assert.Equal(stored, ReadLogFile(LogFile(log), stored.Length, padded: false));
    }

    [Fact]
    public void CreateTime_append_reports_no_log_append_time()
    {
        var log = Create(Dir);
        try
        {
            Assert.Equal(-1, log.AppendCopy(Records(1), nowMs: 99_999).LogAppendTime);
            Assert.Equal(TimestampType.CreateTime, RecordBatch.Read(ReadLogFile(LogFile(log), Records(1).Length)).Header.TimestampType);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    private static string LogFile(PartitionLog log) => SegmentPath(log.Directory, 0, ".log");
}
