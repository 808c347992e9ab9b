using System.Text;

namespace Beltline.Protocol.Records;

/// <summary>
/// Where one record's fields lie inside a records buffer, found without allocating.
/// <code>
/// Record => length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint
///           keyLength:varint key valueLength:varint value headerCount:varint [headers]
///   header => keyLength:varint key valueLength:varint value   (lengths -1 mean null; header keys are never null)
/// </code>
/// </summary>
internal readonly struct RecordFrame
{
    public long TimestampDelta { get; private init; }
    public int OffsetDelta { get; private init; }
    public int KeyStart { get; private init; }

    /// <summary>-1 for a null key.</summary>
    public int KeyLength { get; private init; }

    public int ValueStart { get; private init; }

    /// <summary>-1 for a null value.</summary>
    public int ValueLength { get; private init; }

    public int HeadersStart { get; private init; }
    public int HeaderCount { get; private init; }

    /// <summary>
    /// Reads the record at <paramref name="position"/> and moves past it. False if any length runs past the
    /// record or the buffer, or the fields do not fill exactly the record's declared length.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> records, ref int position, out RecordFrame frame)
    {
        frame = default;
        var prefix = new RecordCursor(records, position);
        if (!prefix.TryReadVarInt(out var length) || length < 0 || length > prefix.Remaining)
            return false;
        var end = prefix.Position + length;

        // Bound every read by the record's own length so a bad field cannot borrow bytes from the next record.
        var cursor = new RecordCursor(records[..end], prefix.Position);
        if (!cursor.TrySkip(1) // attributes: unused in v2
            || !cursor.TryReadVarLong(out var timestampDelta)
            || !cursor.TryReadVarInt(out var offsetDelta)
            || !cursor.TryReadNullableBytes(out var keyStart, out var keyLength)
            || !cursor.TryReadNullableBytes(out var valueStart, out var valueLength)
            || !cursor.TryReadVarInt(out var headerCount)
            || headerCount < 0)
            return false;

        var headersStart = cursor.Position;
        for (var i = 0; i < headerCount; i++)
        {
            if (!cursor.TryReadHeader(out _, out _, out _, out _))
                return false;
        }
        if (cursor.Position != end)
            return false;

        position = end;
        frame = new RecordFrame
        {
            TimestampDelta = timestampDelta,
            OffsetDelta = offsetDelta,
            KeyStart = keyStart,
            KeyLength = keyLength,
            ValueStart = valueStart,
            ValueLength = valueLength,
            HeadersStart = headersStart,
            HeaderCount = headerCount,
        };
        return true;
    }

    /// <summary>Materialises the record; <paramref name="records"/> must be the buffer the frame was read from.</summary>
    public Record ToRecord(ReadOnlyMemory<byte> records, long baseOffset, long timestamp)
    {
        RecordHeader[] headers = HeaderCount == 0 ? [] : new RecordHeader[HeaderCount];
        var cursor = new RecordCursor(records.Span, HeadersStart);
        for (var i = 0; i < headers.Length; i++)
        {
            // TryRead already walked these headers, so this cannot fail.
            cursor.TryReadHeader(out var keyStart, out var keyLength, out var valueStart, out var valueLength);
            headers[i] = new RecordHeader(
                Encoding.UTF8.GetString(records.Span.Slice(keyStart, keyLength)),
                Slice(records, valueStart, valueLength));
        }
        return new Record(
            baseOffset + OffsetDelta,
            timestamp,
            Slice(records, KeyStart, KeyLength),
            Slice(records, ValueStart, ValueLength),
            headers);
    }

    // The cast matters: "cond ? null : memory" converts null through byte[] into an empty, non-null memory.
    private static ReadOnlyMemory<byte>? Slice(ReadOnlyMemory<byte> records, int start, int length) =>
        length < 0 ? null : (ReadOnlyMemory<byte>?)records.Slice(start, length);
}
