using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

/// <summary>Three batches of three records (offsets 0-2, 3-5, 6-8), all the same size.</summary>
public abstract class PartitionLogReadTests : StorageTestBase
{
    public sealed class Direct() : PartitionLogReadTests(directIo: true);

    public sealed class Buffered() : PartitionLogReadTests(directIo: false);

    private readonly PartitionLog _log;
    private readonly int _batchSize;

    private PartitionLogReadTests(bool directIo)
        : base(directIo)
    {
        _log = Create(Dir);
        _batchSize = Records(3).Length;
        for (var i = 0; i < 3; i++)
            _log.AppendCopy(Records(3, 1_000 + i));
    }

    public override void Dispose()
    {
        _log.Close(deleteFiles: false);
        base.Dispose();
    }

    [Fact]
    public void Read_from_offset_zero_returns_every_batch()
    {
        var result = _log.Read(0, int.MaxValue, minOneBatch: true);
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(9, result.HighWatermark);
        Assert.Equal(0, result.LogStartOffset);
        using var slice = result.Records!;
        Assert.Equal(3 * _batchSize, slice.Length);
        var batches = RecordBatch.ReadAll(slice.ToBytes()).ToList();
        Assert.Equal([0L, 3, 6], batches.Select(b => b.Header.BaseOffset));
        Assert.All(batches, b => Assert.True(b.IsCrcValid));
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(5, 3)]
    [InlineData(6, 6)]
    [InlineData(8, 6)]
    public void Read_from_inside_a_batch_returns_the_whole_batch_holding_the_offset(long offset, long expectedBase)
    {
        var batches = _log.ReadBatches(offset);
        Assert.Equal(expectedBase, batches[0].Header.BaseOffset);
        Assert.Equal(8, batches[^1].Header.LastOffset);
    }

    [Fact]
    public void Read_at_log_end_is_empty_without_error()
    {
        var result = _log.Read(9, int.MaxValue, minOneBatch: true);
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Null(result.Records);
        Assert.Equal(9, result.HighWatermark);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1_000)]
    [InlineData(-1)]
    public void Read_past_end_or_below_zero_is_offset_out_of_range(long offset)
    {
        var result = _log.Read(offset, int.MaxValue, minOneBatch: true);
        Assert.Equal(ErrorCode.OffsetOutOfRange, result.Error);
        Assert.Null(result.Records);
        Assert.Equal(9, result.HighWatermark);
    }

    [Fact]
    public void Read_below_log_start_is_offset_out_of_range()
    {
        _log.DeleteRecordsBefore(4);
        var below = _log.Read(3, int.MaxValue, minOneBatch: true);
        Assert.Equal(ErrorCode.OffsetOutOfRange, below.Error);
        Assert.Equal(4, below.LogStartOffset);

        var atStart = _log.Read(4, int.MaxValue, minOneBatch: true);
        Assert.Equal(ErrorCode.None, atStart.Error);
        Assert.Equal(4, atStart.LogStartOffset);
        atStart.Records!.Dispose();
    }

    [Fact]
    public void MaxBytes_cuts_the_response_after_that_many_bytes()
    {
        var result = _log.Read(0, _batchSize + 10, minOneBatch: true);
        using var slice = result.Records!;
        Assert.Equal(_batchSize + 10, slice.Length);
        var bytes = slice.ToBytes();
        Assert.Equal([0L], RecordBatch.ReadAll(bytes).Select(b => b.Header.BaseOffset));
        // The cut tail is the start of the next batch.
        Assert.Equal(3, RecordBatchHeader.Read(ReadAllBytes()[_batchSize..]).BaseOffset);
        Assert.Equal(ReadAllBytes()[..(_batchSize + 10)], bytes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(60)]
    public void MinOneBatch_returns_the_first_batch_whole_even_when_larger_than_maxBytes(int maxBytes)
    {
        var result = _log.Read(4, maxBytes, minOneBatch: true);
        using var slice = result.Records!;
        Assert.Equal(_batchSize, slice.Length);
        Assert.Equal(3, RecordBatch.Read(slice.ToBytes()).Header.BaseOffset);
    }

    [Fact]
    public void Without_minOneBatch_maxBytes_zero_returns_nothing()
    {
        var result = _log.Read(0, 0, minOneBatch: false);
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Null(result.Records);
        Assert.Equal(9, result.HighWatermark);
    }

    [Fact]
    public void Without_minOneBatch_a_small_maxBytes_returns_only_a_partial_batch()
    {
        var result = _log.Read(0, 20, minOneBatch: false);
        using var slice = result.Records!;
        Assert.Equal(20, slice.Length);
        Assert.Empty(RecordBatch.ReadAll(slice.ToBytes()));
    }

    [Fact]
    public void Reads_cross_segment_boundaries()
    {
        using var dir = new TempDirectory();
        // Two batches per segment.
        var log = Create(dir, new LogConfig { SegmentBytes = 2 * _batchSize });
        try
        {
            for (var i = 0; i < 7; i++)
                log.AppendCopy(Records(3, 1_000 + i));
            Assert.Equal([0L, 6, 12, 18], SegmentFiles(log.Directory));

            // A read stays within the segment holding the offset; the next starts in the following one.
            Assert.Equal([3L], log.ReadBatches(4).Select(b => b.Header.BaseOffset));
            Assert.Equal([6L, 9], log.ReadBatches(6).Select(b => b.Header.BaseOffset));
            Assert.Equal([12L, 15], log.ReadBatches(14).Select(b => b.Header.BaseOffset));
            Assert.Equal([18L], log.ReadBatches(20).Select(b => b.Header.BaseOffset));

            var records = log.ReadAllRecords(0);
            Assert.Equal(Enumerable.Range(0, 21).Select(i => (long)i), records.Select(r => r.Offset));
            Assert.Equal(Enumerable.Range(0, 21).Select(i => 1_000L + (i / 3)), records.Select(r => r.Timestamp));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Batches_of_every_size_read_back_exactly_across_blocks_header_windows_and_read_chunks()
    {
        // A sparse index (one entry per MiB) makes offset lookups walk batch headers through the 16 KiB window;
        // batches range from under 100 bytes to over a MiB, the size direct reads go in.
        using var dir = new TempDirectory();
        var config = new LogConfig { IndexIntervalBytes = 1024 * 1024, SegmentBytes = 64 * 1024 * 1024 };
        var log = Create(dir, config);
        var random = new Random(42);
        var expected = new List<byte>();
        var batches = new List<(long BaseOffset, int Position)>();
        int[] valueSizes = [10, 3_000, 4_096, 20_000, 10, 10, 1_300_000, 700, 17_000, 16_384, 10, 5, 2_000_000, 100];
        try
        {
            foreach (var size in valueSizes.Concat(valueSizes.Reverse()))
            {
                var value = new byte[size];
                random.NextBytes(value);
                var batch = new RecordBatchBuilder()
                    .Add(Utf8("k"), value, 1_000)
                    .Add(null, Utf8("small"), 1_001)
                    .Build();
                var result = log.AppendCopy(batch);
                batches.Add((result.BaseOffset, expected.Count));
                RecordBatchHeader.SetBaseOffset(batch, result.BaseOffset);
                RecordBatchHeader.SetPartitionLeaderEpoch(batch, 0);
                expected.AddRange(batch);
            }
            Assert.Equal(1, log.SegmentCount);
            AssertReads(log, expected.ToArray(), batches);
            Assert.True(expected.ToArray().AsSpan().SequenceEqual(ReadLogFile(SegmentPath(log.Directory, 0, ".log"), expected.Count)));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
        Assert.True(expected.ToArray().AsSpan().SequenceEqual(ReadLogFile(SegmentPath(log.Directory, 0, ".log"), expected.Count, padded: false)));
        foreach (var clean in new[] { true, false })
        {
            var reopened = Open(log.Directory, config, cleanShutdown: clean);
            try
            {
                AssertReads(reopened, expected.ToArray(), batches);
            }
            finally
            {
                reopened.Close(deleteFiles: false);
            }
        }
    }

    [Fact]
    public void Offset_lookups_walk_batch_headers_across_the_header_window()
    {
        // No index entries: every lookup walks headers from the segment start, 16 KiB at a time. Batches of
        // 60-200 bytes put headers across each window edge.
        using var dir = new TempDirectory();
        var config = new LogConfig { IndexIntervalBytes = int.MaxValue };
        var log = Create(dir, config);
        try
        {
            var random = new Random(3);
            var batches = new List<(long BaseOffset, int Position)>();
            var position = 0;
            while (position < 70 * 1024)
            {
                var batch = Batch(Enumerable.Range(0, random.Next(1, 4)).Select(i => 1_000L + i).ToArray());
                batches.Add((log.AppendCopy(batch).BaseOffset, position));
                position += batch.Length;
            }
            Assert.Empty(SegmentRollTests.ReadOffsetIndex(log.Directory, 0));
            SegmentRollTests.AssertEveryOffsetReadsItsBatch(log, batches);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    /// <summary>The whole log in one read, and every batch on its own from each of its offsets.</summary>
    private static void AssertReads(PartitionLog log, byte[] expected, List<(long BaseOffset, int Position)> batches)
    {
        using (var all = log.Read(0, int.MaxValue, minOneBatch: true).Records!)
            Assert.True(expected.AsSpan().SequenceEqual(all.ToBytes()), "the whole log read back differs");
        for (var i = 0; i < batches.Count; i++)
        {
            var (baseOffset, position) = batches[i];
            var end = i + 1 < batches.Count ? batches[i + 1].Position : expected.Length;
            foreach (var offset in new[] { baseOffset, baseOffset + 1 })
            {
                using var slice = log.Read(offset, 1, minOneBatch: true).Records!;
                Assert.True(expected.AsSpan(position, end - position).SequenceEqual(slice.ToBytes()), $"batch at {baseOffset} read from {offset} differs");
            }
        }
    }

    private byte[] ReadAllBytes()
    {
        using var slice = _log.Read(0, int.MaxValue, true).Records!;
        return slice.ToBytes();
    }

    [Fact]
    public void A_read_never_returns_a_batch_appended_before_the_log_end_moved_past_it()
    {
        var log = Create(Dir);
        log.AppendCopy(Records(3));

        // An append caught between writing its batch and publishing the new log end (the writer preempted there).
        var racing = Records(2);
        Beltline.Protocol.Records.RecordBatchHeader.SetBaseOffset(racing, 3);
        log.ActiveSegment.Append(racing, indexIntervalBytes: 4096);

        var read = log.Read(0, int.MaxValue, minOneBatch: true);

        using var slice = read.Records!;
        var batches = Beltline.Protocol.Records.RecordBatch.ReadAll(slice.ToBytes()).ToList();
        Assert.Equal(3, read.HighWatermark);
        Assert.Equal(2, Assert.Single(batches).Header.LastOffset);
        Assert.Null(log.Read(3, int.MaxValue, minOneBatch: true).Records);
        log.ActiveSegment.Publish();
        log.Close();
    }
}
