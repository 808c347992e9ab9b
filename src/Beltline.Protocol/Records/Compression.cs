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
    /// count and length checks.
    /// </summary>
    public static ReadOnlyMemory<byte> Decompress(CompressionType codec, ReadOnlyMemory<byte> source)
    {
        try
        {
            switch (codec)
            {
                case CompressionType.None:
                    return source;
                case CompressionType.Gzip:
                    using (var gzip = new GZipStream(new ReadOnlyMemoryStream(source), CompressionMode.Decompress))
                        return ReadToEnd(gzip, source.Length * 4);
                case CompressionType.Snappy:
                    return SnappyJavaFraming.Decompress(source.Span);
                case CompressionType.Lz4:
                    var lz4Output = new ArrayBufferWriter<byte>(Math.Max(source.Length * 4, 256));
                    LZ4Frame.Decode(source.Span, lz4Output);
                    return lz4Output.WrittenMemory;
                case CompressionType.Zstd:
                    // A stream rather than Decompressor.Unwrap: Java's ZstdOutputStream writes frames without a content size.
                    using (var zstd = new DecompressionStream(new ReadOnlyMemoryStream(source)))
                        return ReadToEnd(zstd, source.Length * 4);
                default:
                    throw new CorruptRecordException($"Unknown compression codec id {(int)codec}.");
            }
        }
        catch (Exception e) when (e is not CorruptRecordException and not OutOfMemoryException)
        {
            throw new CorruptRecordException($"The {codec} compressed records cannot be decompressed: {e.Message}", e);
        }
    }

    private static ReadOnlyMemory<byte> ReadToEnd(Stream stream, int sizeHint)
    {
        var output = new ArrayBufferWriter<byte>(Math.Clamp(sizeHint, 256, 1 << 20));
        int read;
        while ((read = stream.Read(output.GetSpan(16 * 1024))) > 0)
            output.Advance(read);
        return output.WrittenMemory;
    }
}
