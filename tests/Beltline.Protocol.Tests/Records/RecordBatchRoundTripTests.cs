using System.Text;
using Beltline.Protocol.Records;
using Record = Beltline.Protocol.Records.Record; // xunit also has a Record

namespace Beltline.Protocol.Tests.Records;

public class RecordBatchRoundTripTests
{
    public static TheoryData<CompressionType> Codecs =>
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    private sealed record Input(byte[]? Key, byte[]? Value, long Timestamp, RecordHeader[] Headers);

    /// <summary>Null and empty keys and values, null header values, non-ASCII header keys, out-of-order timestamps, and one value far above every codec's block size.</summary>
    private static List<Input> Inputs(int count, int seed)
    {
        var random = new Random(seed);
        var inputs = new List<Input>();
        for (var i = 0; i < count; i++)
        {
            byte[]? key = (i % 5) switch
            {
                0 => null,
                1 => [],
                _ => Encoding.UTF8.GetBytes($"key-{i}"),
            };
            var value = i % 7 == 3 ? null : RandomBytes(random, i == count / 2 ? 300_000 : random.Next(0, 200));
            var headers = (i % 3) switch
            {
                0 => Array.Empty<RecordHeader>(),
                1 => [new RecordHeader("trace-id", RandomBytes(random, 16))],
                _ => [new RecordHeader("ключ-é", null), new RecordHeader("", Array.Empty<byte>()), new RecordHeader("h", RandomBytes(random, 3))],
            };
            inputs.Add(new Input(key, value, 1_700_000_000_000 + random.Next(-5_000, 5_000), headers));
        }
        return inputs;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        // Partly compressible: a random byte every 16, so codecs do real work in both directions.
        for (var i = 0; i < length; i++)
            bytes[i] = (byte)(i % 16 == 0 ? random.Next(256) : i % 13);
        return bytes;
    }

    private static byte[] Build(CompressionType codec, List<Input> inputs, long baseOffset = 0)
    {
        var builder = new RecordBatchBuilder { Compression = codec, BaseOffset = baseOffset };
        foreach (var input in inputs)
            builder.Add(input.Key, input.Value, input.Timestamp, input.Headers);
        return builder.Build();
    }

    private static void AssertRecordsEqual(List<Input> expected, IReadOnlyList<Record> actual, long baseOffset)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(baseOffset + i, actual[i].Offset);
            Assert.Equal(expected[i].Timestamp, actual[i].Timestamp);
            AssertBytes(expected[i].Key, actual[i].Key);
            AssertBytes(expected[i].Value, actual[i].Value);
            Assert.Equal(expected[i].Headers.Length, actual[i].Headers.Count);
            for (var h = 0; h < expected[i].Headers.Length; h++)
            {
                Assert.Equal(expected[i].Headers[h].Key, actual[i].Headers[h].Key);
                AssertBytes(expected[i].Headers[h].Value?.ToArray(), actual[i].Headers[h].Value);
            }
        }
    }

    private static void AssertBytes(byte[]? expected, ReadOnlyMemory<byte>? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }
        Assert.NotNull(actual);
        Assert.Equal(expected, actual.Value.ToArray());
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Build_then_read_returns_every_record(CompressionType codec)
    {
        var inputs = Inputs(count: 500, seed: (int)codec);
        var bytes = Build(codec, inputs, baseOffset: 1_000);

        var batch = RecordBatch.Read(bytes);
        Assert.True(batch.IsCrcValid);
        Assert.Equal(codec, batch.Header.Compression);
        Assert.Equal(500, batch.Header.RecordCount);
        Assert.Equal(499, batch.Header.LastOffsetDelta);
        Assert.Equal(1_499, batch.Header.LastOffset);
        Assert.Equal(inputs[0].Timestamp, batch.Header.BaseTimestamp);
        Assert.Equal(inputs.Max(r => r.Timestamp), batch.Header.MaxTimestamp);
        Assert.Equal(bytes.Length, batch.Header.TotalSize);
        AssertRecordsEqual(inputs, batch.ReadRecords(), baseOffset: 1_000);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Built_batch_passes_produce_validation(CompressionType codec)
    {
        var inputs = Inputs(count: 50, seed: 100 + (int)codec);
        var result = ProduceRecordsValidator.Validate(Build(codec, inputs));
        Assert.True(result.IsValid, result.ErrorMessage);
        Assert.Equal(50, result.RecordCount);
        Assert.Equal(inputs.Max(r => r.Timestamp), result.MaxTimestamp);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Compressed_batches_are_smaller_than_uncompressed(CompressionType codec)
    {
        var inputs = Inputs(count: 200, seed: 9);
        var uncompressed = Build(CompressionType.None, inputs);
        var compressed = Build(codec, inputs);
        if (codec == CompressionType.None)
            Assert.Equal(uncompressed, compressed);
        else
            Assert.True(compressed.Length < uncompressed.Length * 0.8, $"{codec}: {compressed.Length} vs {uncompressed.Length}");
    }

    [Fact]
    public void Single_record_with_everything_null_round_trips()
    {
        var bytes = new RecordBatchBuilder().Add(null, null, -1).Build();
        var record = Assert.Single(RecordBatch.Read(bytes).ReadRecords());
        Assert.Null(record.Key);
        Assert.Null(record.Value);
        Assert.Equal(-1, record.Timestamp);
        Assert.Empty(record.Headers);
    }

    [Fact]
    public void Builder_options_land_in_the_header()
    {
        var bytes = new RecordBatchBuilder
        {
            Compression = CompressionType.Lz4,
            BaseOffset = 77,
            PartitionLeaderEpoch = 9,
            ProducerId = 4242,
            ProducerEpoch = 3,
            BaseSequence = 17,
            IsTransactional = true,
            IsControl = true,
        }.Add(new byte[] { 0, 0, 0, 1 }, new byte[] { 0, 0, 0, 0, 0, 0 }, 5).Build();

        var header = RecordBatchHeader.Read(bytes);
        Assert.Equal(77, header.BaseOffset);
        Assert.Equal(9, header.PartitionLeaderEpoch);
        Assert.Equal(4242, header.ProducerId);
        Assert.Equal(3, header.ProducerEpoch);
        Assert.Equal(17, header.BaseSequence);
        Assert.True(header.HasProducerId);
        Assert.True(header.IsTransactional);
        Assert.True(header.IsControl);
        Assert.Equal(CompressionType.Lz4, header.Compression);
        Assert.Equal(TimestampType.CreateTime, header.TimestampType);
        Assert.Equal(0x33, header.Attributes); // lz4 3 | transactional 0x10 | control 0x20
        Assert.Equal(RecordBatchHeader.ComputeCrc(bytes), header.Crc);
    }

    [Fact]
    public void Log_append_time_builder_reports_append_time_for_every_record()
    {
        var bytes = new RecordBatchBuilder { LogAppendTime = 9_999 }
            .Add(null, new byte[] { 1 }, 100)
            .Add(null, new byte[] { 2 }, 200)
            .Build();
        var batch = RecordBatch.Read(bytes);
        Assert.Equal(TimestampType.LogAppendTime, batch.Header.TimestampType);
        Assert.Equal(0x08, batch.Header.Attributes);
        Assert.Equal(9_999, batch.Header.MaxTimestamp);
        Assert.Equal(100, batch.Header.BaseTimestamp);
        Assert.All(batch.ReadRecords(), r => Assert.Equal(9_999, r.Timestamp));
    }

    [Fact]
    public void Building_without_records_throws()
    {
        Assert.Throws<InvalidOperationException>(() => new RecordBatchBuilder().Build());
    }
}
