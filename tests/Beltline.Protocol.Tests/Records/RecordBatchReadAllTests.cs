using System.Buffers.Binary;
using Beltline.Protocol.Records;

namespace Beltline.Protocol.Tests.Records;

public class RecordBatchReadAllTests
{
    private static byte[] ThreeBatches(out int[] sizes)
    {
        var batches = new[]
        {
            TestBatches.Sample(baseOffset: 0),
            TestBatches.Sample(CompressionType.Snappy, baseOffset: 3),
            TestBatches.Sample(CompressionType.Gzip, baseOffset: 6),
        };
        sizes = batches.Select(b => b.Length).ToArray();
        return batches.SelectMany(b => b).ToArray();
    }

    [Fact]
    public void Reads_every_batch_and_record_in_order()
    {
        var buffer = ThreeBatches(out var sizes);
        var batches = RecordBatch.ReadAll(buffer).ToList();

        Assert.Equal([0L, 3L, 6L], batches.Select(b => b.Header.BaseOffset));
        Assert.Equal(sizes, batches.Select(b => b.Bytes.Length));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), batches.SelectMany(b => b.ReadRecords()).Select(r => r.Offset));
    }

    [Fact]
    public void A_partial_trailing_batch_is_ignored_at_every_cut()
    {
        var buffer = ThreeBatches(out var sizes);
        var twoBatches = sizes[0] + sizes[1];
        for (var length = twoBatches; length < buffer.Length; length++)
        {
            var batches = RecordBatch.ReadAll(buffer.AsMemory(0, length)).ToList();
            Assert.Equal(2, batches.Count);
        }
        Assert.Empty(RecordBatch.ReadAll(buffer.AsMemory(0, 11)));
        Assert.Empty(RecordBatch.ReadAll(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void A_complete_batch_with_another_magic_throws()
    {
        var bytes = TestBatches.Sample();
        bytes[RecordBatchHeader.MagicPosition] = 1;
        Assert.Throws<CorruptRecordException>(() => RecordBatch.ReadAll(bytes).ToList());
        Assert.Throws<CorruptRecordException>(() => RecordBatch.Read(bytes));
    }

    [Fact]
    public void A_batch_length_shorter_than_a_header_throws()
    {
        var bytes = TestBatches.Sample();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.BatchLengthPosition), 10);
        Assert.Throws<CorruptRecordException>(() => RecordBatch.ReadAll(bytes).ToList());
    }

    [Fact]
    public void Read_of_an_incomplete_batch_throws()
    {
        var bytes = TestBatches.Sample();
        Assert.Throws<CorruptRecordException>(() => RecordBatch.Read(bytes.AsMemory(0, bytes.Length - 1)));
    }

    [Fact]
    public void ReadRecords_throws_when_the_count_exceeds_the_records()
    {
        var bytes = TestBatches.Sample();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.RecordCountPosition), 4);
        Assert.Throws<CorruptRecordException>(() => RecordBatch.Read(bytes).ReadRecords());
    }

    [Fact]
    public void ReadRecords_throws_when_records_are_left_over()
    {
        var bytes = TestBatches.Sample(CompressionType.Zstd);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.RecordCountPosition), 2);
        Assert.Throws<CorruptRecordException>(() => RecordBatch.Read(bytes).ReadRecords());
    }

    [Fact]
    public void ReadRecords_of_an_unknown_codec_throws()
    {
        var bytes = TestBatches.Sample();
        bytes[RecordBatchHeader.AttributesPosition + 1] = 6;
        Assert.Throws<CorruptRecordException>(() => RecordBatch.Read(bytes).ReadRecords());
    }
}
