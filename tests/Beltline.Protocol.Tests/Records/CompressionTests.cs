using System.Buffers.Binary;
using System.IO.Compression;
using Beltline.Protocol.Records;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;

namespace Beltline.Protocol.Tests.Records;

public class CompressionTests
{
    public static TheoryData<CompressionType> Codecs =>
        [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    /// <summary>Compressible data larger than the snappy-java (32 KiB) and lz4 (64 KiB) block sizes.</summary>
    private static byte[] Data(int length = 300_000)
    {
        var random = new Random(length);
        var data = new byte[length];
        for (var i = 0; i < length; i++)
            data[i] = (byte)(i % 32 == 0 ? random.Next(256) : i % 7);
        return data;
    }

    /// <summary>
    /// Re-wraps the records of an uncompressed batch as <paramref name="codec"/> with a payload compressed by
    /// another writer, as a batch from another client would arrive.
    /// </summary>
    private static byte[] WithForeignPayload(byte[] uncompressedBatch, CompressionType codec, Func<byte[], byte[]> compress)
    {
        var payload = compress(uncompressedBatch.AsSpan(RecordBatchHeader.HeaderSize).ToArray());
        byte[] batch = [.. uncompressedBatch.AsSpan(0, RecordBatchHeader.HeaderSize), .. payload];
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchHeader.BatchLengthPosition), batch.Length - RecordBatchHeader.LogOverhead);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchHeader.AttributesPosition), (short)codec);
        TestBatches.FixCrc(batch);
        return batch;
    }

    private static void AssertSameRecords(byte[] expectedBatch, byte[] actualBatch)
    {
        var expected = RecordBatch.Read(expectedBatch).ReadRecords();
        var actual = RecordBatch.Read(actualBatch).ReadRecords();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Offset, actual[i].Offset);
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
            Assert.Equal(expected[i].Key?.ToArray(), actual[i].Key?.ToArray());
            Assert.Equal(expected[i].Value?.ToArray(), actual[i].Value?.ToArray());
            Assert.Equal(expected[i].Headers.Select(h => h.Key), actual[i].Headers.Select(h => h.Key));
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Compress_then_decompress_returns_the_input(CompressionType codec)
    {
        var data = Data();
        var compressed = Compression.Compress(codec, data);
        Assert.True(compressed.Length < data.Length / 2, $"{codec} wrote {compressed.Length} bytes");
        Assert.Equal(data, Compression.Decompress(codec, compressed).ToArray());
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Empty_input_round_trips(CompressionType codec)
    {
        Assert.Equal(0, Compression.Decompress(codec, Compression.Compress(codec, [])).Length);
    }

    [Fact]
    public void None_passes_bytes_through()
    {
        byte[] data = [1, 2, 3];
        Assert.Equal(data, Compression.Compress(CompressionType.None, data));
        Assert.Equal(data, Compression.Decompress(CompressionType.None, data).ToArray());
    }

    [Fact]
    public void Gzip_output_is_a_gzip_member()
    {
        var compressed = Compression.Compress(CompressionType.Gzip, Data(1000));
        Assert.Equal([0x1F, 0x8B, 0x08], compressed.AsSpan(0, 3).ToArray());
    }

    [Fact]
    public void Gzip_from_another_writer_decodes()
    {
        var data = Data(50_000);
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        Assert.Equal(data, Compression.Decompress(CompressionType.Gzip, stream.ToArray()).ToArray());
    }

    [Fact]
    public void Snappy_output_uses_snappy_java_framing_in_32_KiB_blocks()
    {
        var data = Data(100_000);
        var compressed = Compression.Compress(CompressionType.Snappy, data);

        // 0x82 "SNAPPY" 0x00, version 1, compatible version 1.
        Assert.Equal(Convert.FromHexString("82534E415050590000000001" + "00000001"), compressed.AsSpan(0, 16).ToArray());
        var position = 16;
        var blockSizes = new List<int>();
        while (position < compressed.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(position));
            blockSizes.Add(Snappy.GetUncompressedLength(compressed.AsSpan(position + 4, length)));
            position += 4 + length;
        }
        Assert.Equal(compressed.Length, position);
        Assert.Equal([32_768, 32_768, 32_768, 1_696], blockSizes);
    }

    [Fact]
    public void Snappy_java_framing_built_by_hand_decodes()
    {
        var first = Data(40_000);
        var second = Data(123);
        var blockA = Snappy.CompressToArray(first);
        var blockB = Snappy.CompressToArray(second);
        using var framed = new MemoryStream();
        framed.Write(Convert.FromHexString("82534E41505059000000000100000001"));
        foreach (var block in new[] { blockA, blockB })
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, block.Length);
            framed.Write(length);
            framed.Write(block);
        }
        Assert.Equal([.. first, .. second], Compression.Decompress(CompressionType.Snappy, framed.ToArray()).ToArray());
    }

    [Fact]
    public void Raw_snappy_block_as_librdkafka_writes_it_decodes_inside_a_batch()
    {
        var reference = TestBatches.Sample();
        var batch = WithForeignPayload(reference, CompressionType.Snappy, records => Snappy.CompressToArray(records));
        Assert.NotEqual(0x82, batch[RecordBatchHeader.HeaderSize]);
        AssertSameRecords(reference, batch);
        Assert.True(ProduceRecordsValidator.Validate(batch).IsValid);
    }

    [Fact]
    public void Snappy_block_claiming_an_impossible_length_is_refused_before_allocating()
    {
        // Varint 1_000_000 then four bytes: no snappy stream expands 7 bytes that far.
        byte[] block = [0xC0, 0x84, 0x3D, 0x00, 0x00, 0x00, 0x00];
        var error = Assert.Throws<CorruptRecordException>(() => Compression.Decompress(CompressionType.Snappy, block));
        Assert.Contains("claims 1000000", error.Message);
    }

    [Fact]
    public void Snappy_java_block_length_past_the_end_is_corrupt()
    {
        var framed = Compression.Compress(CompressionType.Snappy, Data(1000));
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(16), framed.Length);
        Assert.Throws<CorruptRecordException>(() => Compression.Decompress(CompressionType.Snappy, framed));
    }

    [Fact]
    public void Lz4_output_is_a_frame_with_independent_64_KiB_blocks_and_no_checksums()
    {
        var compressed = Compression.Compress(CompressionType.Lz4, Data(1000));
        Assert.Equal([0x04, 0x22, 0x4D, 0x18], compressed.AsSpan(0, 4).ToArray()); // frame magic, little-endian
        Assert.Equal(0x60, compressed[4]); // FLG: version 01, block independence; no checksums, no content size
        Assert.Equal(0x40, compressed[5]); // BD: 64 KiB maximum block size
    }

    [Fact]
    public void Lz4_frame_from_the_K4os_stream_decodes_inside_a_batch()
    {
        var reference = TestBatches.Sample();
        var batch = WithForeignPayload(reference, CompressionType.Lz4, records =>
        {
            using var output = new MemoryStream();
            // Linked blocks and a content checksum: what other LZ4 writers may use.
            using (var lz4 = LZ4Stream.Encode(output, new LZ4EncoderSettings { ChainBlocks = true, ContentChecksum = true }, leaveOpen: true))
                lz4.Write(records);
            return output.ToArray();
        });
        AssertSameRecords(reference, batch);
    }

    [Fact]
    public void Lz4_frame_from_the_K4os_stream_decodes_large_data()
    {
        var data = Data();
        using var output = new MemoryStream();
        using (var lz4 = LZ4Stream.Encode(output, leaveOpen: true))
            lz4.Write(data);
        Assert.Equal(data, Compression.Decompress(CompressionType.Lz4, output.ToArray()).ToArray());
    }

    [Fact]
    public void Zstd_streaming_frame_without_content_size_decodes()
    {
        var data = Data();
        using var output = new MemoryStream();
        using (var zstd = new CompressionStream(output, level: 3, leaveOpen: true))
            zstd.Write(data);
        var frame = output.ToArray();

        Assert.Equal([0x28, 0xB5, 0x2F, 0xFD], frame.AsSpan(0, 4).ToArray());
        // Frame header descriptor: content-size flag (bits 6-7) and single-segment flag (bit 5) clear, so no size.
        Assert.Equal(0, frame[4] & 0xE0);
        Assert.Equal(data, Compression.Decompress(CompressionType.Zstd, frame).ToArray());
    }

    [Fact]
    public void Zstd_streaming_frame_decodes_inside_a_batch()
    {
        var reference = TestBatches.Sample();
        var batch = WithForeignPayload(reference, CompressionType.Zstd, records =>
        {
            using var output = new MemoryStream();
            using (var zstd = new CompressionStream(output, leaveOpen: true))
                zstd.Write(records);
            return output.ToArray();
        });
        AssertSameRecords(reference, batch);
    }

    [Theory]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Truncated_input_is_corrupt(CompressionType codec)
    {
        var compressed = Compression.Compress(codec, Data(100_000));
        Assert.Throws<CorruptRecordException>(() => Compression.Decompress(codec, compressed.AsMemory(0, compressed.Length / 2)));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Truncated_payload_makes_the_batch_unreadable(CompressionType codec)
    {
        // Gzip inflates a truncated stream to a prefix without complaint; the record checks must catch it.
        var batch = new RecordBatchBuilder { Compression = codec }.Add(null, Data(100_000), 0).Add(null, Data(100_001), 0).Build();
        var cut = batch[..(batch.Length * 3 / 4)];
        BinaryPrimitives.WriteInt32BigEndian(cut.AsSpan(RecordBatchHeader.BatchLengthPosition), cut.Length - RecordBatchHeader.LogOverhead);
        Assert.Throws<CorruptRecordException>(() => RecordBatch.Read(cut).ReadRecords());
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Garbage_input_is_corrupt(CompressionType codec)
    {
        var garbage = new byte[500];
        new Random(5).NextBytes(garbage);
        garbage[0] = 0xFF; // not a gzip, lz4 or zstd magic; snappy length varint keeps going
        Assert.Throws<CorruptRecordException>(() => Compression.Decompress(codec, garbage));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Output_past_the_cap_is_corrupt_and_up_to_it_is_fine(CompressionType codec)
    {
        // A bomb in miniature: 4 MiB of zeros compress to a few KiB.
        var data = new byte[4 << 20];
        var compressed = Compression.Compress(codec, data);
        Assert.True(compressed.Length < 300_000, $"{codec} wrote {compressed.Length} bytes");

        var error = Assert.Throws<CorruptRecordException>(() => Compression.Decompress(codec, compressed, maxDecompressedBytes: 1 << 20));
        Assert.Contains("1048576", error.Message);
        Assert.Throws<CorruptRecordException>(() => Compression.Decompress(codec, compressed, maxDecompressedBytes: data.Length - 1));
        Assert.Equal(data.Length, Compression.Decompress(codec, compressed, maxDecompressedBytes: data.Length).Length);
        Assert.Equal(data.Length, Compression.Decompress(codec, compressed).Length);
    }

    [Fact]
    public void Snappy_raw_block_past_the_cap_is_corrupt()
    {
        // librdkafka's form: one raw block, whose header states the uncompressed length.
        var block = Snappy.CompressToArray(new byte[100_000]);
        Assert.Throws<CorruptRecordException>(() => Compression.Decompress(CompressionType.Snappy, block, maxDecompressedBytes: 99_999));
        Assert.Equal(100_000, Compression.Decompress(CompressionType.Snappy, block, maxDecompressedBytes: 100_000).Length);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void ReadRecords_passes_the_cap_on(CompressionType codec)
    {
        var batch = new RecordBatchBuilder { Compression = codec }.Add(null, new byte[200_000], 0).Add(null, new byte[200_000], 1).Build();
        Assert.Throws<CorruptRecordException>(() => RecordBatch.Read(batch).ReadRecords(maxDecompressedBytes: 300_000));
        Assert.Equal(2, RecordBatch.Read(batch).ReadRecords(maxDecompressedBytes: 500_000).Count);
    }

    [Fact]
    public void Unknown_codec_cannot_compress()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Compression.Compress((CompressionType)5, [1]));
    }
}
