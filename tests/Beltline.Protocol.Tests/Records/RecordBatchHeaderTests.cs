using System.Buffers.Binary;
using Beltline.Protocol.Records;

namespace Beltline.Protocol.Tests.Records;

public class RecordBatchHeaderTests
{
    [Fact]
    public void Field_positions_follow_the_spec_and_add_up_to_61()
    {
        Assert.Equal(8, RecordBatchHeader.BatchLengthPosition - RecordBatchHeader.BaseOffsetPosition);
        Assert.Equal(4, RecordBatchHeader.PartitionLeaderEpochPosition - RecordBatchHeader.BatchLengthPosition);
        Assert.Equal(4, RecordBatchHeader.MagicPosition - RecordBatchHeader.PartitionLeaderEpochPosition);
        Assert.Equal(1, RecordBatchHeader.CrcPosition - RecordBatchHeader.MagicPosition);
        Assert.Equal(4, RecordBatchHeader.AttributesPosition - RecordBatchHeader.CrcPosition);
        Assert.Equal(2, RecordBatchHeader.LastOffsetDeltaPosition - RecordBatchHeader.AttributesPosition);
        Assert.Equal(4, RecordBatchHeader.BaseTimestampPosition - RecordBatchHeader.LastOffsetDeltaPosition);
        Assert.Equal(8, RecordBatchHeader.MaxTimestampPosition - RecordBatchHeader.BaseTimestampPosition);
        Assert.Equal(8, RecordBatchHeader.ProducerIdPosition - RecordBatchHeader.MaxTimestampPosition);
        Assert.Equal(8, RecordBatchHeader.ProducerEpochPosition - RecordBatchHeader.ProducerIdPosition);
        Assert.Equal(2, RecordBatchHeader.BaseSequencePosition - RecordBatchHeader.ProducerEpochPosition);
        Assert.Equal(4, RecordBatchHeader.RecordCountPosition - RecordBatchHeader.BaseSequencePosition);
        Assert.Equal(61, RecordBatchHeader.RecordCountPosition + 4);
        Assert.Equal(61, RecordBatchHeader.HeaderSize);
    }

    [Fact]
    public void Read_then_WriteTo_reproduces_the_header_bytes()
    {
        var bytes = TestBatches.Sample(CompressionType.Snappy);
        var copy = new byte[RecordBatchHeader.HeaderSize];
        RecordBatchHeader.Read(bytes).WriteTo(copy);
        Assert.Equal(bytes.AsSpan(0, RecordBatchHeader.HeaderSize).ToArray(), copy);
    }

    [Fact]
    public void TryRead_refuses_fewer_than_61_bytes()
    {
        Assert.False(RecordBatchHeader.TryRead(new byte[60], out _));
        Assert.True(RecordBatchHeader.TryRead(new byte[61], out _));
        Assert.Throws<CorruptRecordException>(() => RecordBatchHeader.Read(new byte[60]));
    }

    [Fact]
    public void SetBaseOffset_moves_offsets_and_keeps_the_crc_valid()
    {
        var bytes = TestBatches.Sample(CompressionType.Gzip);
        var before = (byte[])bytes.Clone();
        RecordBatchHeader.SetBaseOffset(bytes, 500);

        var batch = RecordBatch.Read(bytes);
        Assert.Equal(500, batch.Header.BaseOffset);
        Assert.Equal(502, batch.Header.LastOffset);
        Assert.True(batch.IsCrcValid);
        Assert.Equal([500L, 501L, 502L], batch.ReadRecords().Select(r => r.Offset));
        Assert.Equal(before.AsSpan(8).ToArray(), bytes.AsSpan(8).ToArray());
    }

    [Fact]
    public void SetPartitionLeaderEpoch_changes_only_that_field()
    {
        var bytes = TestBatches.Sample();
        var before = (byte[])bytes.Clone();
        RecordBatchHeader.SetPartitionLeaderEpoch(bytes, 12);

        Assert.Equal(12, RecordBatchHeader.Read(bytes).PartitionLeaderEpoch);
        Assert.True(RecordBatch.Read(bytes).IsCrcValid);
        Assert.Equal(before.AsSpan(16).ToArray(), bytes.AsSpan(16).ToArray());
        Assert.Equal(before.AsSpan(0, 12).ToArray(), bytes.AsSpan(0, 12).ToArray());
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Zstd)]
    public void SetLogAppendTime_sets_the_bit_and_max_timestamp_and_fixes_the_crc(CompressionType codec)
    {
        var bytes = TestBatches.Sample(codec);
        RecordBatchHeader.SetLogAppendTime(bytes, 1_234_567);

        var batch = RecordBatch.Read(bytes);
        Assert.True(batch.IsCrcValid);
        Assert.Equal(TimestampType.LogAppendTime, batch.Header.TimestampType);
        Assert.Equal(1_234_567, batch.Header.MaxTimestamp);
        Assert.Equal(codec, batch.Header.Compression);
        Assert.Equal(1_000, batch.Header.BaseTimestamp); // record timestamps stay as the producer sent them
        Assert.All(batch.ReadRecords(), r => Assert.Equal(1_234_567, r.Timestamp));
        Assert.True(ProduceRecordsValidator.Validate(bytes).IsValid);
    }

    [Fact]
    public void SetMaxTimestamp_with_create_time_clears_the_log_append_time_bit()
    {
        var bytes = new RecordBatchBuilder { LogAppendTime = 50 }.Add(null, new byte[] { 1 }, 10).Build();
        RecordBatchHeader.SetMaxTimestamp(bytes, TimestampType.CreateTime, 10);

        var batch = RecordBatch.Read(bytes);
        Assert.Equal(TimestampType.CreateTime, batch.Header.TimestampType);
        Assert.Equal(10, batch.Header.MaxTimestamp);
        Assert.True(batch.IsCrcValid);
        Assert.Equal(10, Assert.Single(batch.ReadRecords()).Timestamp);
    }

    [Fact]
    public void SetMaxTimestamp_skips_the_crc_pass_when_nothing_changes()
    {
        var bytes = TestBatches.Sample();
        // Spoil the CRC: an unchanged batch must not be rewritten, so it stays spoiled.
        bytes[RecordBatchHeader.CrcPosition] ^= 0xFF;
        RecordBatchHeader.SetMaxTimestamp(bytes, TimestampType.CreateTime, 1_010);
        Assert.False(RecordBatch.Read(bytes).IsCrcValid);

        RecordBatchHeader.SetMaxTimestamp(bytes, TimestampType.CreateTime, 1_011);
        Assert.True(RecordBatch.Read(bytes).IsCrcValid);
    }

    [Fact]
    public void Patches_on_a_longer_buffer_touch_only_the_first_batch()
    {
        var first = TestBatches.Sample();
        var second = TestBatches.Sample(CompressionType.Lz4);
        byte[] buffer = [.. first, .. second];
        RecordBatchHeader.SetLogAppendTime(buffer, 77);

        var batches = RecordBatch.ReadAll(buffer).ToList();
        Assert.Equal(2, batches.Count);
        Assert.True(batches[0].IsCrcValid);
        Assert.Equal(77, batches[0].Header.MaxTimestamp);
        Assert.Equal(second, batches[1].Bytes.ToArray());
    }

    [Fact]
    public void ComputeCrc_rejects_a_span_shorter_than_the_declared_batch()
    {
        var bytes = TestBatches.Sample();
        Assert.Throws<ArgumentException>(() => RecordBatchHeader.ComputeCrc(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RecordBatchHeader.ComputeCrc(bytes.AsSpan(0, 20)));
    }

    [Fact]
    public void ComputeCrc_covers_attributes_to_the_end()
    {
        var bytes = TestBatches.Sample();
        Assert.Equal(TestBatches.ReferenceCrc32C(bytes.AsSpan(RecordBatchHeader.AttributesPosition)), RecordBatchHeader.ComputeCrc(bytes));
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(RecordBatchHeader.CrcPosition)), RecordBatchHeader.ComputeCrc(bytes));
    }
}
