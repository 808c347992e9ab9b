using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Numerics;
using System.Text;

namespace Beltline.Protocol;

/// <summary>
/// Writes Kafka primitive types straight into an <see cref="IBufferWriter{T}"/> (a connection's PipeWriter
/// on the broker). Like Kestrel's BufferWriter it caches the current span and advances the output only on
/// <see cref="Commit"/>, so small writes cost a bounds check, not an interface call.
/// </summary>
public ref struct KafkaWriter
{
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _buffered;
    private long _committed;

    public KafkaWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _span = default;
    }

    /// <summary>Bytes written so far, committed or not.</summary>
    public readonly long BytesWritten => _committed + _buffered;

    /// <summary>Hands the buffered bytes to the output. Call once at the end.</summary>
    public void Commit()
    {
        if (_buffered > 0)
        {
            _output.Advance(_buffered);
            _committed += _buffered;
            _buffered = 0;
        }
        _span = default;
    }

    public void WriteInt8(sbyte value) => Reserve(1)[0] = (byte)value;
    public void WriteBool(bool value) => Reserve(1)[0] = value ? (byte)1 : (byte)0;
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);
    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Reserve(8), value);
    public void WriteUuid(KafkaUuid value) => value.Write(Reserve(16));

    public void WriteUnsignedVarInt(int value)
    {
        var v = (uint)value;
        var span = Reserve(VarIntSize(v));
        var i = 0;
        while (v >= 0x80)
        {
            span[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[i] = (byte)v;
    }

    public void WriteVarInt(int value) => WriteUnsignedVarInt((value << 1) ^ (value >> 31));

    public void WriteVarLong(long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        while (v >= 0x80)
        {
            Reserve(1)[0] = (byte)(v | 0x80);
            v >>= 7;
        }
        Reserve(1)[0] = (byte)v;
    }

    public void WriteString(string value, bool compact) => WriteNullableString(value, compact);

    public void WriteNullableString(string? value, bool compact)
    {
        if (value is null)
        {
            if (compact) WriteUnsignedVarInt(0); else WriteInt16(-1);
            return;
        }
        var length = Encoding.UTF8.GetByteCount(value);
        if (compact)
            WriteUnsignedVarInt(length + 1);
        else
        {
            if (length > short.MaxValue)
                throw new ArgumentException($"String of {length} bytes does not fit an int16 length.", nameof(value));
            WriteInt16((short)length);
        }
        Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    public void WriteBytes(ReadOnlySpan<byte> value, bool compact)
    {
        if (compact) WriteUnsignedVarInt(value.Length + 1); else WriteInt32(value.Length);
        WriteRaw(value);
    }

    public void WriteNullableBytes(ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is null)
        {
            if (compact) WriteUnsignedVarInt(0); else WriteInt32(-1);
            return;
        }
        WriteBytes(value.Value.Span, compact);
    }

    /// <summary>Array length; -1 writes a null array.</summary>
    public void WriteArrayLength(int count, bool compact)
    {
        if (compact) WriteUnsignedVarInt(count + 1); else WriteInt32(count);
    }

    public void WriteArray<T>(IReadOnlyList<T>? items, ElementWriter<T> write, short version, bool compact)
    {
        if (items is null)
        {
            WriteArrayLength(-1, compact);
            return;
        }
        WriteArrayLength(items.Count, compact);
        for (var i = 0; i < items.Count; i++)
            write(ref this, items[i], version);
    }

    public void WriteInt32Array(IReadOnlyList<int> items, bool compact)
    {
        WriteArrayLength(items.Count, compact);
        foreach (var item in items)
            WriteInt32(item);
    }

    public void WriteStringArray(IReadOnlyList<string> items, bool compact)
    {
        WriteArrayLength(items.Count, compact);
        foreach (var item in items)
            WriteString(item, compact);
    }

    /// <summary>An empty tagged-field section: the count 0.</summary>
    public void WriteEmptyTaggedFields() => Reserve(1)[0] = 0;

    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        // Large payloads (record batches) go in chunks so the output may hand out smaller segments.
        while (value.Length > 0)
        {
            var chunk = Math.Min(value.Length, Math.Max(_span.Length - _buffered, 0));
            if (chunk == 0)
            {
                Grow(Math.Min(value.Length, 65536));
                continue;
            }
            value[..chunk].CopyTo(_span[_buffered..]);
            _buffered += chunk;
            value = value[chunk..];
        }
    }

    /// <summary>
    /// Lets <paramref name="fill"/> write exactly <paramref name="length"/> bytes in place, e.g. records read
    /// from a segment file straight into the response.
    /// </summary>
    public void WriteRaw(int length, IRawPayload fill)
    {
        var remaining = length;
        var offset = 0;
        while (remaining > 0)
        {
            if (_span.Length - _buffered == 0)
                Grow(Math.Min(remaining, 65536));
            var chunk = Math.Min(remaining, _span.Length - _buffered);
            fill.CopyTo(offset, _span.Slice(_buffered, chunk));
            _buffered += chunk;
            offset += chunk;
            remaining -= chunk;
        }
    }

    public static int VarIntSize(uint value) => (BitOperations.Log2(value | 1) / 7) + 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int count)
    {
        if (_span.Length - _buffered < count)
            Grow(count);
        var slice = _span.Slice(_buffered, count);
        _buffered += count;
        return slice;
    }

    private void Grow(int count)
    {
        Commit();
        _span = _output.GetSpan(count);
    }
}

/// <summary>Writes one element of an array; see <see cref="KafkaWriter.WriteArray{T}"/>.</summary>
public delegate void ElementWriter<in T>(ref KafkaWriter writer, T item, short version);

/// <summary>Bytes that can copy themselves into a destination piecewise (records held in memory or on disk).</summary>
public interface IRawPayload
{
    int Length { get; }

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting at <paramref name="offset"/>.</summary>
    void CopyTo(int offset, Span<byte> destination);
}
