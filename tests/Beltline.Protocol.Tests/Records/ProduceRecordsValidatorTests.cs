using System.Buffers.Binary;
using Beltline.Protocol.Records;

namespace Beltline.Protocol.Tests.Records;

public class ProduceRecordsValidatorTests
{
    private static ProduceValidationResult Validate(byte[] bytes) => ProduceRecordsValidator.Validate(bytes);

    private static void AssertFails(ErrorCode expected, byte[] bytes)
    {
        var result = Validate(bytes);
        Assert.Equal(expected, result.Error);
        Assert.False(result.IsValid);
        Assert.False(string.IsNullOrEmpty(result.ErrorMessage));
        Assert.Empty(result.Batches);
    }

    [Fact]
    public void Valid_batch_reports_header_count_and_record_max_timestamp()
    {
        var result = Validate(TestBatches.Sample());
        Assert.True(result.IsValid, result.ErrorMessage);
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Null(result.ErrorMessage);
        Assert.Equal(3, result.RecordCount);
        Assert.Equal(1_010, result.MaxTimestamp);
        var batch = Assert.Single(result.Batches);
        Assert.Equal(2, batch.Header.LastOffsetDelta);
        Assert.Equal(1_000, batch.Header.BaseTimestamp);
    }

    [Fact]
    public void Concatenated_batches_are_each_reported_with_their_position()
    {
        var first = TestBatches.Sample();
        var second = TestBatches.Sample(CompressionType.Zstd);
        var result = Validate([.. first, .. second]);
        Assert.True(result.IsValid, result.ErrorMessage);
        Assert.Equal(2, result.Batches.Count);
        Assert.Equal(0, result.Batches[0].Position);
        Assert.Equal(first.Length, result.Batches[1].Position);
        Assert.Equal(CompressionType.Zstd, result.Batches[1].Header.Compression);
        Assert.Equal(6, result.RecordCount);
    }

    [Fact]
    public void Uncompressed_max_timestamp_comes_from_the_records_not_the_header()
    {
        var bytes = TestBatches.Sample();
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(RecordBatchHeader.MaxTimestampPosition), 5);
        TestBatches.FixCrc(bytes);
        var result = Validate(bytes);
        Assert.True(result.IsValid, result.ErrorMessage);
        Assert.Equal(1_010, result.Batches[0].MaxTimestamp);
        Assert.Equal(5, result.Batches[0].Header.MaxTimestamp);
    }

    [Fact]
    public void Compressed_max_timestamp_comes_from_the_header()
    {
        var bytes = TestBatches.Sample(CompressionType.Gzip);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(RecordBatchHeader.MaxTimestampPosition), 5);
        TestBatches.FixCrc(bytes);
        Assert.Equal(5, Validate(bytes).MaxTimestamp);
    }

    [Fact]
    public void Compressed_records_are_not_opened_so_a_crc_correct_garbage_payload_passes()
    {
        // Documented depth: compressed batches get header and CRC checks only.
        var bytes = TestBatches.Sample(CompressionType.Gzip);
        bytes.AsSpan(RecordBatchHeader.HeaderSize).Fill(0xAB);
        TestBatches.FixCrc(bytes);
        Assert.True(Validate(bytes).IsValid);
        Assert.Throws<CorruptRecordException>(() => RecordBatch.Read(bytes).ReadRecords());
    }

    [Fact]
    public void Empty_buffer_is_invalid_record() => AssertFails(ErrorCode.InvalidRecord, []);

    [Theory]
    [InlineData(RecordBatchHeader.HeaderSize + 3)] // inside the records
    [InlineData(RecordBatchHeader.AttributesPosition + 1)]
    [InlineData(RecordBatchHeader.RecordCountPosition)]
    public void Flipped_bit_under_the_crc_is_corrupt_message(int position)
    {
        var bytes = TestBatches.Sample();
        bytes[position] ^= 0x01;
        AssertFails(ErrorCode.CorruptMessage, bytes);
    }

    [Fact]
    public void Wrong_crc_field_is_corrupt_message()
    {
        var bytes = TestBatches.Sample(CompressionType.Snappy);
        bytes[RecordBatchHeader.CrcPosition + 3] ^= 0x80;
        AssertFails(ErrorCode.CorruptMessage, bytes);
    }

    [Theory]
    [InlineData(0, ErrorCode.InvalidRecord)]
    [InlineData(1, ErrorCode.InvalidRecord)]
    [InlineData(3, ErrorCode.CorruptMessage)]
    [InlineData(-1, ErrorCode.CorruptMessage)]
    [InlineData(127, ErrorCode.CorruptMessage)]
    public void Magic_other_than_2_is_rejected_as_kafka_does(sbyte magic, ErrorCode expected)
    {
        var bytes = TestBatches.Sample();
        bytes[RecordBatchHeader.MagicPosition] = (byte)magic;
        AssertFails(expected, bytes);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Unknown_codec_is_unsupported_compression_type(short codec)
    {
        var bytes = TestBatches.Sample();
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(RecordBatchHeader.AttributesPosition), codec);
        TestBatches.FixCrc(bytes);
        AssertFails(ErrorCode.UnsupportedCompressionType, bytes);
    }

    [Theory]
    [InlineData(RecordBatchHeader.RecordCountPosition, 4)]
    [InlineData(RecordBatchHeader.RecordCountPosition, 0)]
    [InlineData(RecordBatchHeader.RecordCountPosition, -1)]
    [InlineData(RecordBatchHeader.LastOffsetDeltaPosition, 5)]
    [InlineData(RecordBatchHeader.LastOffsetDeltaPosition, -1)]
    [InlineData(RecordBatchHeader.LastOffsetDeltaPosition, int.MaxValue)]
    public void Record_count_inconsistent_with_last_offset_delta_is_invalid_record(int position, int value)
    {
        var bytes = TestBatches.Sample(CompressionType.Lz4);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(position), value);
        TestBatches.FixCrc(bytes);
        AssertFails(ErrorCode.InvalidRecord, bytes);
    }

    [Fact]
    public void Count_and_delta_agreeing_on_more_records_than_present_is_invalid_record()
    {
        var bytes = TestBatches.Sample();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.RecordCountPosition), 4);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.LastOffsetDeltaPosition), 3);
        TestBatches.FixCrc(bytes);
        AssertFails(ErrorCode.InvalidRecord, bytes);
    }

    [Fact]
    public void Count_and_delta_agreeing_on_fewer_records_than_present_is_invalid_record()
    {
        var bytes = TestBatches.Sample();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.RecordCountPosition), 2);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.LastOffsetDeltaPosition), 1);
        TestBatches.FixCrc(bytes);
        AssertFails(ErrorCode.InvalidRecord, bytes);
    }

    [Fact]
    public void Bytes_after_the_last_record_are_invalid_record()
    {
        byte[] bytes = [.. TestBatches.Sample(), 0x00];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.BatchLengthPosition), bytes.Length - RecordBatchHeader.LogOverhead);
        TestBatches.FixCrc(bytes);
        AssertFails(ErrorCode.InvalidRecord, bytes);
    }

    [Fact]
    public void Record_length_past_its_batch_is_invalid_record()
    {
        var bytes = TestBatches.Sample();
        bytes[RecordBatchHeader.HeaderSize] = 0x7E; // first record claims 63 bytes
        TestBatches.FixCrc(bytes);
        AssertFails(ErrorCode.InvalidRecord, bytes);
    }

    [Fact]
    public void Offset_deltas_out_of_sequence_are_invalid_record()
    {
        var bytes = new RecordBatchBuilder().Add(null, new byte[] { 1 }, 0).Add(null, new byte[] { 2 }, 0).Build();
        // Record 1 starts after record 0 (length byte 0x0E + 7 bytes); its offsetDelta byte is third in the body.
        var record1 = RecordBatchHeader.HeaderSize + 8;
        Assert.Equal(0x02, bytes[record1 + 3]); // offsetDelta 1
        bytes[record1 + 3] = 0x04; // offsetDelta 2
        TestBatches.FixCrc(bytes);
        AssertFails(ErrorCode.InvalidRecord, bytes);
    }

    [Fact]
    public void Nonzero_base_offset_from_a_producer_is_invalid_record()
    {
        AssertFails(ErrorCode.InvalidRecord, TestBatches.Sample(baseOffset: 10));
    }

    [Fact]
    public void Control_batch_from_a_producer_is_invalid_record()
    {
        AssertFails(ErrorCode.InvalidRecord, new RecordBatchBuilder { IsControl = true }.Add(new byte[] { 0, 0, 0, 0 }, new byte[] { 0 }, 0).Build());
    }

    [Fact]
    public void Producer_id_without_base_sequence_is_invalid_record()
    {
        AssertFails(ErrorCode.InvalidRecord, new RecordBatchBuilder { ProducerId = 5, ProducerEpoch = 0 }.Add(null, new byte[] { 1 }, 0).Build());
        Assert.True(Validate(new RecordBatchBuilder { ProducerId = 5, ProducerEpoch = 0, BaseSequence = 0 }.Add(null, new byte[] { 1 }, 0).Build()).IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(48)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Batch_length_shorter_than_a_header_is_corrupt_message(int batchLength)
    {
        var bytes = TestBatches.Sample();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.BatchLengthPosition), batchLength);
        AssertFails(ErrorCode.CorruptMessage, bytes);
    }

    [Fact]
    public void Batch_length_past_the_buffer_is_corrupt_message()
    {
        var bytes = TestBatches.Sample();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.BatchLengthPosition), int.MaxValue);
        AssertFails(ErrorCode.CorruptMessage, bytes);
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Zstd)]
    public void Every_truncation_is_corrupt_message(CompressionType codec)
    {
        var bytes = TestBatches.Sample(codec);
        for (var length = 1; length < bytes.Length; length++)
        {
            var result = ProduceRecordsValidator.Validate(bytes.AsSpan(0, length));
            Assert.True(result.Error == ErrorCode.CorruptMessage, $"length {length}: {result.Error}");
        }
    }

    [Fact]
    public void Valid_batch_followed_by_a_truncated_one_is_corrupt_message()
    {
        var sample = TestBatches.Sample();
        byte[] bytes = [.. sample, .. sample.AsSpan(0, 40)];
        var result = Validate(bytes);
        Assert.Equal(ErrorCode.CorruptMessage, result.Error);
        Assert.Contains($"byte {sample.Length}", result.ErrorMessage);
    }

    [Fact]
    public void Random_garbage_never_throws_and_never_passes()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length > RecordBatchHeader.MagicPosition)
            {
                // Half the inputs get past the magic and length checks to reach the CRC.
                bytes[RecordBatchHeader.MagicPosition] = 2;
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchHeader.BatchLengthPosition), bytes.Length - RecordBatchHeader.LogOverhead);
            }
            Assert.False(Validate(bytes).IsValid);
        }
    }

    [Fact]
    public void Crc_correct_mutations_never_throw_and_agree_with_the_reader()
    {
        var random = new Random(99);
        var original = new RecordBatchBuilder()
            .Add(TestBatches.Utf8("a"), TestBatches.Utf8("hello"), 10, [new RecordHeader("h1", new byte[] { 1, 2 }), new RecordHeader("h2", null)])
            .Add(null, TestBatches.Utf8("world"), 20, [new RecordHeader("h3", Array.Empty<byte>())])
            .Add(TestBatches.Utf8("c"), null, 30)
            .Build();
        ErrorCode[] allowed = [ErrorCode.None, ErrorCode.InvalidRecord, ErrorCode.CorruptMessage, ErrorCode.UnsupportedCompressionType];
        var outcomes = new HashSet<ErrorCode>();
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                // Anywhere after the CRC field except baseOffset, which the validator requires to be 0.
                var position = random.Next(RecordBatchHeader.AttributesPosition, bytes.Length);
                bytes[position] = (byte)random.Next(256);
            }
            TestBatches.FixCrc(bytes);
            var result = Validate(bytes);
            Assert.Contains(result.Error, allowed);
            outcomes.Add(result.Error);
            if (result.IsValid && result.Batches[0].Header.Compression == CompressionType.None)
                Assert.Equal(result.RecordCount, RecordBatch.Read(bytes).ReadRecords().Count);
        }
        // The mutations reached past the header checks into the record walk.
        Assert.Contains(ErrorCode.None, outcomes);
        Assert.Contains(ErrorCode.InvalidRecord, outcomes);
    }
}
