using System.Buffers.Binary;
using System.Text;
using Beltline.Protocol.Records;

namespace Beltline.Protocol.Tests.Records;

/// <summary>One small uncompressed batch written out by hand from the protocol spec, against the builder and the readers.</summary>
public class GoldenBatchTests
{
    /// <summary>
    /// Two records: ("k" → "v", header h="x", t=1000) and (null → "w", t=1005), CreateTime, no producer id.
    /// The CRC field is zero here and filled in by <see cref="Golden"/> with the bitwise reference CRC.
    /// </summary>
    private const string GoldenHex =
        "0000000000000000" + // baseOffset 0
        "00000046" +         // batchLength 70 = 82 total - 12
        "FFFFFFFF" +         // partitionLeaderEpoch -1
        "02" +               // magic 2
        "00000000" +         // crc (filled in)
        "0000" +             // attributes: no compression, CreateTime, not transactional, not control
        "00000001" +         // lastOffsetDelta 1
        "00000000000003E8" + // baseTimestamp 1000
        "00000000000003ED" + // maxTimestamp 1005
        "FFFFFFFFFFFFFFFF" + // producerId -1
        "FFFF" +             // producerEpoch -1
        "FFFFFFFF" +         // baseSequence -1
        "00000002" +         // recordCount 2
        // record 0
        "18" +               // length 12 (zigzag 24)
        "00" +               // attributes
        "00" +               // timestampDelta 0
        "00" +               // offsetDelta 0
        "02" + "6B" +        // key length 1, "k"
        "02" + "76" +        // value length 1, "v"
        "02" +               // 1 header
        "02" + "68" +        // header key length 1, "h"
        "02" + "78" +        // header value length 1, "x"
        // record 1
        "0E" +               // length 7 (zigzag 14)
        "00" +               // attributes
        "0A" +               // timestampDelta 5 (zigzag 10)
        "02" +               // offsetDelta 1 (zigzag 2)
        "01" +               // key length -1: null (zigzag 1)
        "02" + "77" +        // value length 1, "w"
        "00";                // 0 headers

    private static byte[] Golden()
    {
        var bytes = Convert.FromHexString(GoldenHex);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(17), TestBatches.ReferenceCrc32C(bytes.AsSpan(21)));
        return bytes;
    }

    [Fact]
    public void Hand_written_batch_is_82_bytes()
    {
        Assert.Equal(82, Golden().Length);
        Assert.Equal(RecordBatchHeader.HeaderSize, GoldenHex.IndexOf("18000000026B", StringComparison.Ordinal) / 2);
    }

    [Fact]
    public void Builder_writes_the_hand_written_bytes()
    {
        var built = new RecordBatchBuilder()
            .Add(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("v"), 1000, [new RecordHeader("h", Encoding.UTF8.GetBytes("x"))])
            .Add(null, Encoding.UTF8.GetBytes("w"), 1005)
            .Build();
        Assert.Equal(Convert.ToHexString(Golden()), Convert.ToHexString(built));
    }

    [Fact]
    public void Header_parses_every_field()
    {
        var header = RecordBatchHeader.Read(Golden());
        Assert.Equal(0, header.BaseOffset);
        Assert.Equal(70, header.BatchLength);
        Assert.Equal(-1, header.PartitionLeaderEpoch);
        Assert.Equal(2, header.Magic);
        Assert.Equal(TestBatches.ReferenceCrc32C(Golden().AsSpan(21)), header.Crc);
        Assert.Equal(0, header.Attributes);
        Assert.Equal(1, header.LastOffsetDelta);
        Assert.Equal(1000, header.BaseTimestamp);
        Assert.Equal(1005, header.MaxTimestamp);
        Assert.Equal(-1, header.ProducerId);
        Assert.Equal(-1, header.ProducerEpoch);
        Assert.Equal(-1, header.BaseSequence);
        Assert.Equal(2, header.RecordCount);
        Assert.Equal(CompressionType.None, header.Compression);
        Assert.Equal(TimestampType.CreateTime, header.TimestampType);
        Assert.False(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.False(header.HasProducerId);
        Assert.Equal(1, header.LastOffset);
        Assert.Equal(82, header.TotalSize);
    }

    [Fact]
    public void Records_read_back_with_absolute_offsets_and_timestamps()
    {
        var batch = RecordBatch.Read(Golden());
        Assert.True(batch.IsCrcValid);
        var records = batch.ReadRecords();

        Assert.Equal(2, records.Count);
        Assert.Equal(0, records[0].Offset);
        Assert.Equal(1000, records[0].Timestamp);
        Assert.Equal("k", Encoding.UTF8.GetString(records[0].Key!.Value.Span));
        Assert.Equal("v", Encoding.UTF8.GetString(records[0].Value!.Value.Span));
        var header = Assert.Single(records[0].Headers);
        Assert.Equal("h", header.Key);
        Assert.Equal("x", Encoding.UTF8.GetString(header.Value!.Value.Span));

        Assert.Equal(1, records[1].Offset);
        Assert.Equal(1005, records[1].Timestamp);
        Assert.Null(records[1].Key);
        Assert.Equal("w", Encoding.UTF8.GetString(records[1].Value!.Value.Span));
        Assert.Empty(records[1].Headers);
    }

    [Fact]
    public void Validator_accepts_it()
    {
        var result = ProduceRecordsValidator.Validate(Golden());
        Assert.True(result.IsValid, result.ErrorMessage);
        Assert.Equal(2, result.RecordCount);
        Assert.Equal(1005, result.MaxTimestamp);
        var batch = Assert.Single(result.Batches);
        Assert.Equal(0, batch.Position);
        Assert.Equal(82, batch.Header.TotalSize);
    }
}
