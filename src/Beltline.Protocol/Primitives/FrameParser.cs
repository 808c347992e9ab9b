using System.Buffers;
using System.Buffers.Binary;

namespace Beltline.Protocol;

public enum FrameStatus
{
    /// <summary>Not enough bytes yet for the whole frame.</summary>
    Incomplete,
    /// <summary>A whole frame was sliced off the buffer.</summary>
    Complete,
    /// <summary>The size prefix is negative: not Kafka, or a corrupt stream.</summary>
    Invalid,
    /// <summary>The size prefix exceeds the limit (socket.request.max.bytes).</summary>
    TooLarge,
}

/// <summary>
/// Kafka framing: every request and response is <c>int32 size</c> followed by <c>size</c> bytes.
/// Follows Kestrel's parsers: read the prefix from the first span when it holds four bytes (almost always),
/// fall back to a <see cref="SequenceReader{T}"/> when the prefix straddles segments.
/// </summary>
public static class FrameParser
{
    public const int SizePrefixLength = 4;

    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out ReadOnlySequence<byte> body, out int size)
    {
        body = default;
        if (!TryReadSize(buffer, out size))
            return FrameStatus.Incomplete;
        if (size < 0)
            return FrameStatus.Invalid;
        if (size > maxFrameSize)
            return FrameStatus.TooLarge;
        if (buffer.Length - SizePrefixLength < size)
            return FrameStatus.Incomplete;
        body = buffer.Slice(SizePrefixLength, size);
        buffer = buffer.Slice(body.End);
        return FrameStatus.Complete;
    }

    private static bool TryReadSize(in ReadOnlySequence<byte> buffer, out int size)
    {
        var first = buffer.FirstSpan;
        if (first.Length >= SizePrefixLength)
        {
            size = BinaryPrimitives.ReadInt32BigEndian(first);
            return true;
        }
        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadBigEndian(out size);
    }
}
