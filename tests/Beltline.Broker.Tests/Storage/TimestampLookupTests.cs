using Beltline.Broker.Storage;
using Beltline.Protocol.Records;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

public abstract class TimestampLookupTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : TimestampLookupTests(directIo: true);

    public sealed class Buffered() : TimestampLookupTests(directIo: false);

    [Theory]
    [InlineData(0, 0L, 100L)]
    [InlineData(100, 0L, 100L)]
    [InlineData(101, 1L, 300L)]
    [InlineData(250, 1L, 300L)]
    [InlineData(300, 1L, 300L)]
    [InlineData(301, 3L, 400L)]
    [InlineData(450, 4L, 500L)]
    [InlineData(500, 4L, 500L)]
    public void FindOffsetForTimestamp_returns_the_first_record_at_or_after_the_timestamp(long timestamp, long offset, long found)
    {
        var log = Create(Dir);
        try
        {
            log.AppendCopy(Batch(100, 300, 200));
            log.AppendCopy(Batch(400, 500));
            log.AppendCopy(Batch(450));
            Assert.Equal((offset, found), log.FindOffsetForTimestamp(timestamp));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void FindOffsetForTimestamp_is_null_when_every_record_is_older_or_the_log_empty()
    {
        var log = Create(Dir);
        try
        {
            Assert.Null(log.FindOffsetForTimestamp(0));
            log.AppendCopy(Batch(100, 300, 200));
            Assert.Null(log.FindOffsetForTimestamp(301));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Timestamp_lookups_match_a_scan_of_every_record_across_segments_and_indexes(CompressionType compression)
    {
        var config = new LogConfig { SegmentBytes = 500, IndexIntervalBytes = 100 };
        PartitionLog? log = Create(Dir, config);
        var directory = log.Directory;
        var expected = new List<(long Offset, long Timestamp)>();
        try
        {
            AppendRandomBatches(log, compression, expected);
            Assert.True(log.SegmentCount >= 3, $"{log.SegmentCount} segments");
            AssertLookupsMatch(log, expected);
            log.Close(deleteFiles: false);
            log = null;

            // The same after a clean reopen (indexes loaded) and after recovery (indexes rebuilt).
            foreach (var clean in new[] { true, false })
            {
                log = Open(directory, config, cleanShutdown: clean);
                AssertLookupsMatch(log, expected);
                log.Close(deleteFiles: false);
                log = null;
            }
        }
        finally
        {
            log?.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void FindOffsetForTimestamp_reports_log_append_time()
    {
        var log = Create(Dir, new LogConfig { LogAppendTime = true, SegmentBytes = 14 });
        try
        {
            log.AppendCopy(Batch(1, 2), nowMs: 5_000);
            log.AppendCopy(Batch(3, 4, 5), nowMs: 6_000);
            Assert.Equal((0L, 5_000L), log.FindOffsetForTimestamp(1));
            Assert.Equal((2L, 6_000L), log.FindOffsetForTimestamp(5_001));
            Assert.Null(log.FindOffsetForTimestamp(6_001));
            Assert.Equal((2L, 6_000L), log.FindMaxTimestamp());
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void FindMaxTimestamp_returns_the_first_record_with_the_largest_timestamp()
    {
        var log = Create(Dir, new LogConfig { SegmentBytes = 14 });
        try
        {
            Assert.Null(log.FindMaxTimestamp());
            log.AppendCopy(Batch(100, 200));
            Assert.Equal((1L, 200L), log.FindMaxTimestamp());
            log.AppendCopy(Batch(150, 900, 300, 900));
            log.AppendCopy(Batch(900, 50));
            Assert.Equal((3L, 900L), log.FindMaxTimestamp());
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void FindMaxTimestamp_keeps_the_first_of_tied_records_after_a_clean_reopen()
    {
        var config = new LogConfig { IndexIntervalBytes = 0 };
        var log = Create(Dir, config);
        var directory = log.Directory;
        log.AppendCopy(Batch(100, 500));
        log.AppendCopy(Batch(200));
        log.AppendCopy(Batch(500, 300));
        Assert.Equal((1L, 500L), log.FindMaxTimestamp());
        log.Close(deleteFiles: false);

        log = Open(directory, config, cleanShutdown: true);
        try
        {
            Assert.Equal((1L, 500L), log.FindMaxTimestamp());
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    private static void AppendRandomBatches(PartitionLog log, CompressionType compression, List<(long Offset, long Timestamp)> expected)
    {
        var random = new Random(1234);
        var clock = 10_000L;
        for (var i = 0; i < 40; i++)
        {
            var timestamps = new long[random.Next(1, 6)];
            for (var j = 0; j < timestamps.Length; j++)
            {
                // Mostly rising, sometimes back in time, with repeats.
                clock += random.Next(-30, 60);
                timestamps[j] = clock;
            }
            var result = log.AppendCopy(Batch(compression, timestamps));
            for (var j = 0; j < timestamps.Length; j++)
                expected.Add((result.BaseOffset + j, timestamps[j]));
        }
    }

    private static void AssertLookupsMatch(PartitionLog log, List<(long Offset, long Timestamp)> expected)
    {
        var min = expected.Min(e => e.Timestamp);
        var max = expected.Max(e => e.Timestamp);
        for (var t = min - 2; t <= max + 2; t++)
        {
            var target = t;
            var index = expected.FindIndex(e => e.Timestamp >= target);
            (long, long)? scan = index < 0 ? null : expected[index];
            Assert.Equal(scan, log.FindOffsetForTimestamp(target));
        }
        var first = expected.First(e => e.Timestamp == max);
        Assert.Equal(first, log.FindMaxTimestamp());
    }
}
