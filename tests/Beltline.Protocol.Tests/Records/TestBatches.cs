using System.Buffers.Binary;
using System.Text;
using Beltline.Protocol.Records;

namespace Beltline.Protocol.Tests.Records;

/// <summary>Sample batches and byte surgery shared by the record tests.</summary>
internal static class TestBatches
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Three records with a header, a null key and a null value, built with <paramref name="compression"/>.</summary>
    public static byte[] Sample(CompressionType compression = CompressionType.None, long baseOffset = 0) =>
        new RecordBatchBuilder { Compression = compression, BaseOffset = baseOffset }
            .Add(Utf8("key-0"), Utf8("value-0"), 1_000, [new RecordHeader("trace", Utf8("abc"))])
            .Add(null, Utf8("value-1"), 1_010)
            .Add(Utf8("key-2"), null, 1_005)
            .Build();

    /// <summary>Recomputes the CRC after a test edited a field the CRC covers.</summary>
    public static void FixCrc(byte[] batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchHeader.CrcPosition), RecordBatchHeader.ComputeCrc(batch));

    /// <summary>CRC-32C bit by bit (reflected polynomial 0x82F63B78): slow, but plainly the definition.</summary>
    public static uint ReferenceCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = ~0u;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}
