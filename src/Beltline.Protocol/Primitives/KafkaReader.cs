using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Beltline.Protocol;

/// <summary>Reads one element of an array; see <see cref="KafkaReader.ReadArray{T}"/>.</summary>
public delegate T ElementReader<out T>(ref KafkaReader reader, short version);

/// <summary>
/// Reads Kafka primitive types from one contiguous request or response body.
/// Bodies are made contiguous once (see <see cref="FrameParser"/>) so every codec can use plain span reads,
/// and byte fields (record batches) come back as slices of the same memory rather than copies.
/// Any read past the end throws <see cref="KafkaProtocolException"/>.
/// </summary>
public ref struct KafkaReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
    }

    public readonly int Position => _position;
    public readonly int Remaining => _span.Length - _position;
    public readonly bool End => _position >= _span.Length;

    public sbyte ReadInt8() => (sbyte)Take(1)[0];
    public bool ReadBool() => Take(1)[0] != 0;
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));
    public KafkaUuid ReadUuid() => KafkaUuid.Read(Take(16));

    public int ReadUnsignedVarInt()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return (int)value;
        }
        throw new KafkaProtocolException("Unsigned varint longer than 5 bytes.");
    }

    public int ReadVarInt()
    {
        var raw = (uint)ReadUnsignedVarInt();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    public long ReadVarLong()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Take(1)[0];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
                return (long)(value >> 1) ^ -(long)(value & 1);
        }
        throw new KafkaProtocolException("Varlong longer than 10 bytes.");
    }

    public string ReadString(bool compact) =>
        ReadNullableString(compact) ?? throw new KafkaProtocolException("Null where a non-nullable string is required.");

    public string? ReadNullableString(bool compact)
    {
        var length = compact ? ReadUnsignedVarInt() - 1 : ReadInt16();
        if (length < 0)
        {
            if (length == -1)
                return null;
            throw new KafkaProtocolException($"Negative string length {length}.");
        }
        return length == 0 ? string.Empty : Encoding.UTF8.GetString(Take(length));
    }

    public ReadOnlyMemory<byte> ReadBytes(bool compact) =>
        ReadNullableBytes(compact) ?? throw new KafkaProtocolException("Null where non-nullable bytes are required.");

    /// <summary>A slice of the underlying memory; valid as long as the body it came from.</summary>
    public ReadOnlyMemory<byte>? ReadNullableBytes(bool compact)
    {
        var length = compact ? ReadUnsignedVarInt() - 1 : ReadInt32();
        if (length < 0)
        {
            if (length == -1)
                return null;
            throw new KafkaProtocolException($"Negative bytes length {length}.");
        }
        EnsureAvailable(length);
        var slice = _memory.Slice(_position, length);
        _position += length;
        return slice;
    }

    /// <summary>Array length, or -1 for a null array. Guards against lengths that cannot fit in what is left.</summary>
    public int ReadArrayLength(bool compact)
    {
        var length = compact ? ReadUnsignedVarInt() - 1 : ReadInt32();
        if (length < -1)
            throw new KafkaProtocolException($"Negative array length {length}.");
        // Every element takes at least one byte: a larger count is malformed, and must not size an allocation.
        if (length > Remaining)
            throw new KafkaProtocolException($"Array length {length} exceeds the {Remaining} bytes left.");
        return length;
    }

    public List<T> ReadArray<T>(ElementReader<T> read, short version, bool compact) =>
        ReadNullableArray(read, version, compact) ?? throw new KafkaProtocolException("Null where a non-nullable array is required.");

    public List<T>? ReadNullableArray<T>(ElementReader<T> read, short version, bool compact)
    {
        var count = ReadArrayLength(compact);
        if (count < 0)
            return null;
        var list = new List<T>(count);
        for (var i = 0; i < count; i++)
            list.Add(read(ref this, version));
        return list;
    }

    public List<int> ReadInt32Array(bool compact)
    {
        var count = ReadArrayLength(compact);
        var list = new List<int>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
            list.Add(ReadInt32());
        return list;
    }

    public List<string> ReadStringArray(bool compact)
    {
        var count = ReadArrayLength(compact);
        var list = new List<string>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
            list.Add(ReadString(compact));
        return list;
    }

    /// <summary>Skips a tagged-field section whose tags this codec does not know.</summary>
    public void SkipTaggedFields()
    {
        var count = ReadUnsignedVarInt();
        for (var i = 0; i < count; i++)
        {
            ReadUnsignedVarInt();
            Skip(ReadUnsignedVarInt());
        }
    }

    /// <summary>Reads the (tag, size) of the next tagged field; the caller reads or skips its body.</summary>
    public (int Tag, int Size) ReadTaggedFieldHeader()
    {
        var tag = ReadUnsignedVarInt();
        var size = ReadUnsignedVarInt();
        EnsureAvailable(size);
        return (tag, size);
    }

    public void Skip(int count)
    {
        if (count < 0)
            throw new KafkaProtocolException($"Negative length {count}.");
        EnsureAvailable(count);
        _position += count;
    }

    public ReadOnlySpan<byte> ReadRaw(int count) => Take(count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        EnsureAvailable(count);
        var slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly void EnsureAvailable(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
            ThrowTruncated(count);
    }

    private readonly void ThrowTruncated(int count) =>
        throw new KafkaProtocolException($"Truncated message: needed {count} bytes at position {_position}, {_span.Length - _position} left.");
}
