using System.Runtime.CompilerServices;

namespace Beltline.Protocol.Records;

/// <summary>
/// Forward-only reader over record bytes that reports malformed input by returning false, never by throwing,
/// so produce validation can walk untrusted records without exceptions or allocation.
/// </summary>
internal ref struct RecordCursor(ReadOnlySpan<byte> span, int position)
{
    private readonly ReadOnlySpan<byte> _span = span;

    public int Position { get; private set; } = position;

    public readonly int Remaining => _span.Length - Position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TrySkip(int count)
    {
        if ((uint)count > (uint)Remaining)
            return false;
        Position += count;
        return true;
    }

    /// <summary>Zigzag varint of at most 5 bytes, as Kafka's ByteUtils.readVarint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadVarInt(out int value)
    {
        // Fast path: record fields are mostly one or two bytes (lengths under 8 KiB, deltas, counts); validating a
        // batch of 100-byte records reads ~6 of these per record.
        var position = Position;
        if ((uint)position < (uint)_span.Length)
        {
            uint first = _span[position];
            if (first < 0x80)
            {
                Position = position + 1;
                value = (int)(first >> 1) ^ -(int)(first & 1);
                return true;
            }
            if ((uint)position + 1 < (uint)_span.Length && _span[position + 1] is var second && second < 0x80)
            {
                var raw = (first & 0x7f) | ((uint)second << 7);
                Position = position + 2;
                value = (int)(raw >> 1) ^ -(int)(raw & 1);
                return true;
            }
        }
        return TryReadVarIntSlow(out value);
    }

    private bool TryReadVarIntSlow(out int value)
    {
        uint raw = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (Position >= _span.Length)
                break;
            var b = _span[Position++];
            raw |= (uint)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                value = (int)(raw >> 1) ^ -(int)(raw & 1);
                return true;
            }
        }
        value = 0;
        return false;
    }

    /// <summary>Zigzag varlong of at most 10 bytes, as Kafka's ByteUtils.readVarlong.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadVarLong(out long value)
    {
        // Fast path: timestamp deltas within a batch are mostly under 64 ms.
        var position = Position;
        if ((uint)position < (uint)_span.Length && _span[position] is var first && first < 0x80)
        {
            Position = position + 1;
            value = (first >> 1) ^ -(first & 1);
            return true;
        }
        return TryReadVarLongSlow(out value);
    }

    private bool TryReadVarLongSlow(out long value)
    {
        ulong raw = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (Position >= _span.Length)
                break;
            var b = _span[Position++];
            raw |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }
        value = 0;
        return false;
    }

    /// <summary>A varint length then that many bytes; length -1 is null (reported as length -1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadNullableBytes(out int start, out int length)
    {
        start = 0;
        if (!TryReadVarInt(out length) || length < -1)
            return false;
        start = Position;
        return length == -1 || TrySkip(length);
    }

    /// <summary>One record header: a non-null key and a nullable value.</summary>
    public bool TryReadHeader(out int keyStart, out int keyLength, out int valueStart, out int valueLength)
    {
        valueStart = valueLength = 0;
        keyStart = 0;
        if (!TryReadVarInt(out keyLength) || keyLength < 0)
            return false;
        keyStart = Position;
        return TrySkip(keyLength) && TryReadNullableBytes(out valueStart, out valueLength);
    }
}
