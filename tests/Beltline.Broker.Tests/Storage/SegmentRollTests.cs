using System.Buffers.Binary;
using Beltline.Broker.Storage;
using Beltline.Protocol.Records;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

public abstract class SegmentRollTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : SegmentRollTests(directIo: true);

    public sealed class Buffered() : SegmentRollTests(directIo: false);

    [Fact]
    public void Segment_rolls_when_the_next_append_would_pass_segment_bytes()
    {
        var size = Records(3).Length;
        var log = Create(Dir, new LogConfig { SegmentBytes = 3 * size });
        (long BaseOffset, int Bytes)[] expected = [(0, 3 * size), (9, 3 * size), (18, size)];
        try
        {
            for (var i = 0; i < 7; i++)
                log.AppendCopy(Records(3));
            Assert.Equal(3, log.SegmentCount);
            Assert.Equal([0L, 9, 18], SegmentFiles(log.Directory));
            // A rolled segment's padding is cut when it rolls; only the active one is, in direct mode, padded to the block.
            foreach (var (baseOffset, bytes) in expected)
                Assert.Equal(baseOffset == 18 ? OpenFileLength(bytes) : bytes, new FileInfo(SegmentPath(log.Directory, baseOffset, ".log")).Length);
            Assert.Equal(7 * size, log.SizeInBytes);
            Assert.Equal(Enumerable.Range(0, 21).Select(i => (long)i), log.ReadAllRecords(0).Select(r => r.Offset));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
        foreach (var (baseOffset, bytes) in expected)
            Assert.Equal(bytes, new FileInfo(SegmentPath(log.Directory, baseOffset, ".log")).Length);
    }

    [Fact]
    public void A_batch_larger_than_segment_bytes_goes_into_an_empty_segment()
    {
        var log = Create(Dir, new LogConfig { SegmentBytes = 14 });
        try
        {
            log.AppendCopy(Records(2));
            Assert.Equal(1, log.SegmentCount);
            log.AppendCopy(Records(2));
            log.AppendCopy(Records(2));
            Assert.Equal([0L, 2, 4], SegmentFiles(log.Directory));
            Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), log.ReadAllRecords(0).Select(r => r.Offset));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Segment_rolls_once_record_time_passes_segment_ms_since_the_first_batch()
    {
        const long t0 = 1_700_000_000_000;
        var log = Create(Dir, new LogConfig { SegmentMs = 1_000 });
        try
        {
            log.AppendCopy(Batch(t0), t0);
            log.AppendCopy(Batch(t0 + 600), t0 + 600);
            log.AppendCopy(Batch(t0 + 1_000), t0 + 1_000);
            Assert.Equal(1, log.SegmentCount);
            log.AppendCopy(Batch(t0 + 1_001), t0 + 1_001);
            Assert.Equal([0L, 3], SegmentFiles(log.Directory));
            // The new segment counts from its own first batch.
            log.AppendCopy(Batch(t0 + 1_900), t0 + 1_900);
            Assert.Equal(2, log.SegmentCount);
            log.AppendCopy(Batch(t0 + 2_100), t0 + 2_100);
            Assert.Equal([0L, 3, 5], SegmentFiles(log.Directory));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Back_dated_records_do_not_roll_a_segment_per_append()
    {
        // Kafka measures segment.ms in record time (the new batch against the segment's first batch), so
        // replaying old data fills segments normally instead of rolling on every append.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var log = Create(Dir, new LogConfig { SegmentMs = 60_000 });
        try
        {
            for (var i = 0; i < 5; i++)
                log.AppendCopy(Batch(1_000 + i), now);
            Assert.Equal(1, log.SegmentCount);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Segment_without_timestamps_rolls_by_its_age()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var log = Create(Dir, new LogConfig { SegmentMs = 3_600_000 });
        try
        {
            log.AppendCopy(Batch(-1), now);
            log.AppendCopy(Batch(-1), now);
            Assert.Equal(1, log.SegmentCount);
            log.AppendCopy(Batch(-1), now + 2 * 3_600_000);
            Assert.Equal([0L, 2], SegmentFiles(log.Directory));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Segment_rolls_before_relative_offsets_overflow_an_int()
    {
        const int delta = 2_000_000_000;
        var log = Create(Dir);
        try
        {
            Assert.Equal(new AppendResult(0, delta, -1, 0, 1), log.AppendCopy(WithLastOffsetDelta(Batch(1_000), delta)));
            Assert.Equal(new AppendResult(delta + 1L, 2L * delta + 1, -1, 0, 1), log.AppendCopy(WithLastOffsetDelta(Batch(1_001), delta)));
            Assert.Equal([0L, delta + 1L], SegmentFiles(log.Directory));
            Assert.Equal(2L * delta + 2, log.LogEndOffset);
            Assert.Equal([delta + 1L], log.ReadBatches(delta + 5L).Select(b => b.Header.BaseOffset));
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Small_index_interval_writes_an_entry_per_batch_after_the_first_and_reads_stay_exact()
    {
        var log = Create(Dir, new LogConfig { IndexIntervalBytes = 0 });
        try
        {
            var positions = AppendVariedBatches(log, 12);
            var entries = ReadOffsetIndex(log.Directory, 0);
            Assert.Equal(positions.Skip(1).Select(p => ((int)p.BaseOffset, p.Position)), entries);
            AssertEveryOffsetReadsItsBatch(log, positions);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Index_entries_follow_index_interval_bytes()
    {
        var size = Records(2).Length;
        var log = Create(Dir, new LogConfig { IndexIntervalBytes = 2 * size });
        try
        {
            var positions = new List<(long BaseOffset, int Position)>();
            for (var i = 0; i < 10; i++)
            {
                positions.Add((log.LogEndOffset, i * size));
                log.AppendCopy(Records(2, 1_000 + i));
            }
            // As Kafka: an entry once more than index.interval.bytes were written since the last one.
            Assert.Equal(new[] { positions[3], positions[6], positions[9] }, ReadOffsetIndex(log.Directory, 0).Select(e => ((long)e.RelativeOffset, e.Position)));
            AssertEveryOffsetReadsItsBatch(log, positions);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void Indexes_are_relative_to_each_segment_and_reads_stay_exact_across_segments()
    {
        var log = Create(Dir, new LogConfig { IndexIntervalBytes = 0, SegmentBytes = 400 });
        try
        {
            var positions = AppendVariedBatches(log, 30);
            Assert.True(log.SegmentCount > 2);
            foreach (var baseOffset in SegmentFiles(log.Directory))
            {
                var entries = ReadOffsetIndex(log.Directory, baseOffset);
                Assert.All(entries, e => Assert.Contains(positions, p => p.BaseOffset == baseOffset + e.RelativeOffset));
                Assert.All(entries, e => Assert.True(e.Position > 0 && e.Position < 400));
            }
            foreach (var (batchBase, _) in positions)
            {
                var read = log.ReadBatches(batchBase);
                Assert.Equal(batchBase, read[0].Header.BaseOffset);
            }
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    /// <summary>
    /// Batches of 1..4 records; returns each batch's base offset and position within its segment (the bytes
    /// appended to that segment before it), checking that the segment's file on disk grew by the batch.
    /// </summary>
    private List<(long BaseOffset, int Position)> AppendVariedBatches(PartitionLog log, int count)
    {
        var positions = new List<(long, int)>();
        var segment = -1L;
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            var batch = Records(1 + (i % 4), 1_000 + i);
            var baseOffset = log.LogEndOffset;
            log.AppendCopy(batch);
            var active = SegmentFiles(log.Directory)[^1];
            if (active != segment)
                (segment, position) = (active, 0);
            positions.Add((baseOffset, position));
            position += batch.Length;
            Assert.Equal(OpenFileLength(position), new FileInfo(SegmentPath(log.Directory, active, ".log")).Length);
        }
        return positions;
    }

    internal static void AssertEveryOffsetReadsItsBatch(PartitionLog log, List<(long BaseOffset, int Position)> batches)
    {
        for (var offset = 0L; offset < log.LogEndOffset; offset++)
        {
            var expectedBase = batches.Last(b => b.BaseOffset <= offset).BaseOffset;
            var read = log.Read(offset, 1, minOneBatch: true);
            using var slice = read.Records!;
            var batch = RecordBatch.Read(slice.ToBytes());
            Assert.Equal(expectedBase, batch.Header.BaseOffset);
            Assert.Equal(slice.Length, batch.Bytes.Length);
            Assert.Contains(batch.ReadRecords(), r => r.Offset == offset);
        }
    }

    internal static List<(int RelativeOffset, int Position)> ReadOffsetIndex(string directory, long baseOffset)
    {
        var bytes = ReadShared(SegmentPath(directory, baseOffset, ".index"));
        Assert.Equal(0, bytes.Length % 8);
        var entries = new List<(int, int)>();
        for (var i = 0; i < bytes.Length; i += 8)
            entries.Add((BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i + 4))));
        return entries;
    }

    private static byte[] WithLastOffsetDelta(byte[] batch, int lastOffsetDelta)
    {
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.LastOffsetDeltaPosition), lastOffsetDelta);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcPosition), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }
}
