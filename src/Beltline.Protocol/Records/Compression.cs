using System.Buffers;
using System.IO.Compression;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using ZstdSharp;

namespace Beltline.Protocol.Records;

/// <summary>
/// The record-batch codecs, each writing what the Java client writes so any consumer can read our batches:
/// gzip as RFC 1952; snappy in snappy-java's (xerial) framing; lz4 as an LZ4 frame with independent 64 KiB
/// blocks and no checksums (Kafka's KafkaLZ4BlockInputStream rejects linked blocks); zstd as one frame at level 3.
/// </summary>
public static class Compression
{
    private const int ZstdLevel = 3;

    /// <summary>
    /// Default cap on what one batch's records may inflate to: far above what any client sends (a batch is at most
    /// max.message.bytes compressed, 1 MiB by default), far below what would take a broker's memory.
    /// </summary>
    public const int DefaultMaxDecompressedBytes = 256 * 1024 * 1024;

    private static readonly LZ4EncoderSettings Lz4Settings = new()
    {
        ChainBlocks = false,
        BlockSize = 64 * 1024,
        ContentChecksum = false,
        BlockChecksum = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    /// <summary>Appends <paramref name="source"/> compressed with <paramref name="codec"/> to <paramref name="destination"/>.</summary>
    public static void Compress(CompressionType codec, ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        switch (codec)
        {
            case CompressionType.None:
                destination.Write(source);
                break;
            case CompressionType.Gzip:
                using (var gzip = new GZipStream(new BufferWriterStream(destination), CompressionLevel.Optimal))
                    gzip.Write(source);
                break;
            case CompressionType.Snappy:
                SnappyJavaFraming.Compress(source, destination);
                break;
            case CompressionType.Lz4:
                LZ4Frame.Encode(source, destination, Lz4Settings);
                break;
            case CompressionType.Zstd:
                using (var compressor = new Compressor(ZstdLevel))
                {
                    var written = compressor.Wrap(source, destination.GetSpan(Compressor.GetCompressBound(source.Length)));
                    destination.Advance(written);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown compression codec.");
        }
    }

    public static byte[] Compress(CompressionType codec, ReadOnlySpan<byte> source)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(source.Length / 2, 256));
        Compress(codec, source, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decompresses a batch's records. Snappy accepts raw blocks (librdkafka) and snappy-java framing (Java);
    /// zstd accepts frames with or without a content size; lz4 accepts any LZ4 frame. Corrupt input throws
    /// <see cref="CorruptRecordException"/>. Truncated input does too, except for gzip: .NET's GZipStream returns
    /// the prefix it could inflate, which <see cref="RecordBatch.ReadRecords"/> then rejects through its record
    /// count and length checks. Output past <paramref name="maxDecompressedBytes"/> (a decompression bomb) throws
    /// <see cref="CorruptRecordException"/> as soon as it is produced, before more is inflated.
    /// </summary>
    public static ReadOnlyMemory<byte> Decompress(CompressionType codec, ReadOnlyMemory<byte> source, int maxDecompressedBytes = DefaultMaxDecompressedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedBytes);
        try
        {
            switch (codec)
            {
                case CompressionType.None:
                    return source;
                case CompressionType.Gzip:
                    using (var gzip = new GZipStream(new ReadOnlyMemoryStream(source), CompressionMode.Decompress))
                        return ReadToEnd(gzip, source.Length * 4, codec, maxDecompressedBytes);
                case CompressionType.Snappy:
                    return SnappyJavaFraming.Decompress(source.Span, maxDecompressedBytes);
                case CompressionType.Lz4:
                    // A stream, like gzip and zstd, so that output is produced (and capped) a block at a time.
                    using (var lz4 = LZ4Stream.Decode(new ReadOnlyMemoryStream(source)))
                        return ReadToEnd(lz4, source.Length * 4, codec, maxDecompressedBytes);
                case CompressionType.Zstd:
                    // A stream rather than Decompressor.Unwrap: Java's ZstdOutputStream writes frames without a content size.
                    using (var zstd = new DecompressionStream(new ReadOnlyMemoryStream(source)))
                        return ReadToEnd(zstd, source.Length * 4, codec, maxDecompressedBytes);
                default:
                    throw new CorruptRecordException($"Unknown compression codec id {(int)codec}.");
            }
        }
        catch (Exception e) when (e is not CorruptRecordException and not OutOfMemoryException)
        {
            throw new CorruptRecordException($"The {codec} compressed records cannot be decompressed: {e.Message}", e);
        }
    }

    private static ReadOnlyMemory<byte> ReadToEnd(Stream stream, int sizeHint, CompressionType codec, int maxBytes)
    {
        var output = new ArrayBufferWriter<byte>(Math.Clamp(Math.Min(sizeHint, maxBytes), 256, 1 << 20));
        int read;
        // Asking for one byte more than allowed tells a stream that ends exactly at the cap from one that goes on.
        while ((read = stream.Read(output.GetSpan(16 * 1024)[..(int)Math.Min(16 * 1024, (long)maxBytes - output.WrittenCount + 1)])) > 0)
        {
            output.Advance(read);
            if (output.WrittenCount > maxBytes)
                throw TooLarge(codec, maxBytes);
        }
        return output.WrittenMemory;
    }

    internal static CorruptRecordException TooLarge(CompressionType codec, int maxBytes) =>
        new($"The {codec} compressed records inflate to more than {maxBytes} bytes, the most a batch may hold uncompressed here.");
}
