using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace Beltline.Protocol.Records;

/// <summary>
/// Snappy as Kafka clients write it. The Java client wraps blocks in snappy-java's SnappyOutputStream framing:
/// <code>
/// 0x82 "SNAPPY" 0x00 | version:int32 (1) | compatibleVersion:int32 (1) | (length:int32 rawSnappyBlock)*
/// </code>
/// with blocks of at most 32 KiB uncompressed; librdkafka writes one raw snappy block. Both clients, and
/// snappy-java, read either form, so we write the Java framing and read both.
/// </summary>
internal static class SnappyJavaFraming
{
    private const int BlockSize = 32 * 1024;
    private const int HeaderSize = 16;
    private const int FramingVersion = 1;

    // Snappy output is at most ~21x its input (a 3-byte copy emits 64 bytes); a larger claim is corrupt, and
    // rejecting it keeps garbage from sizing a huge allocation.
    private const int MaxExpansion = 24;

    private static ReadOnlySpan<byte> Magic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var header = destination.GetSpan(HeaderSize);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], FramingVersion);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], FramingVersion);
        destination.Advance(HeaderSize);

        while (!source.IsEmpty)
        {
            var block = source[..Math.Min(BlockSize, source.Length)];
            var output = destination.GetSpan(4 + Snappy.GetMaxCompressedLength(block.Length));
            var length = Snappy.Compress(block, output[4..]);
            BinaryPrimitives.WriteInt32BigEndian(output, length);
            destination.Advance(4 + length);
            source = source[block.Length..];
        }
    }

    /// <summary>Decompresses either form; more than <paramref name="maxBytes"/> of output throws before it is inflated.</summary>
    public static ReadOnlyMemory<byte> Decompress(ReadOnlySpan<byte> source, int maxBytes = Compression.DefaultMaxDecompressedBytes)
    {
        if (!source.StartsWith(Magic))
            return DecompressBlock(source, maxBytes);

        // Versions are not checked: every snappy-java release writes 1/1, and readers ignore them as well.
        if (source.Length < HeaderSize)
            throw new CorruptRecordException("Snappy-java framing header is cut short.");
        var blocks = source[HeaderSize..];
        var output = new ArrayBufferWriter<byte>(Math.Max(blocks.Length * 2, 256));
        while (!blocks.IsEmpty)
        {
            if (blocks.Length < 4)
                throw new CorruptRecordException("Snappy-java block length is cut short.");
            var length = BinaryPrimitives.ReadInt32BigEndian(blocks);
            if (length < 0 || length > blocks.Length - 4)
                throw new CorruptRecordException($"Snappy-java block of {length} bytes runs past the {blocks.Length - 4} available.");
            var block = blocks.Slice(4, length);
            var uncompressed = CheckedUncompressedLength(block);
            if ((long)output.WrittenCount + uncompressed > maxBytes)
                throw Compression.TooLarge(CompressionType.Snappy, maxBytes);
            var written = Snappy.Decompress(block, output.GetSpan(uncompressed));
            output.Advance(written);
            blocks = blocks[(4 + length)..];
        }
        return output.WrittenMemory;
    }

    private static ReadOnlyMemory<byte> DecompressBlock(ReadOnlySpan<byte> block, int maxBytes)
    {
        var length = CheckedUncompressedLength(block);
        if (length > maxBytes)
            throw Compression.TooLarge(CompressionType.Snappy, maxBytes);
        var output = new byte[length];
        var written = Snappy.Decompress(block, output);
        return output.AsMemory(0, written);
    }

    private static int CheckedUncompressedLength(ReadOnlySpan<byte> block)
    {
        var length = Snappy.GetUncompressedLength(block);
        if (length > (long)block.Length * MaxExpansion)
            throw new CorruptRecordException($"Snappy block of {block.Length} bytes claims {length} uncompressed bytes.");
        return length;
    }
}
