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

    public bool TrySkip(int count)
    {
        if ((uint)count > (uint)Remaining)
            return false;
        Position += count;
        return true;
    }

    /// <summary>Zigzag varint of at most 5 bytes, as Kafka's ByteUtils.readVarint.</summary>
    public bool TryReadVarInt(out int value)
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
    public bool TryReadVarLong(out long value)
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
