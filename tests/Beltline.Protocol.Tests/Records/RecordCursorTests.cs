using Beltline.Protocol.Records;

namespace Beltline.Protocol.Tests.Records;

/// <summary>
/// Zigzag varints as records carry them, against an encoder written here from the spec (zigzag, then 7 bits per
/// byte, low first, high bit set on all but the last): every length from one byte to the limit, truncations and
/// encodings that run too long.
/// </summary>
public class RecordCursorTests
{
    private static byte[] Encode(long value)
    {
        var raw = (ulong)((value << 1) ^ (value >> 63));
        var bytes = new List<byte>();
        while (raw >= 0x80)
        {
            bytes.Add((byte)(raw | 0x80));
            raw >>= 7;
        }
        bytes.Add((byte)raw);
        return [.. bytes];
    }

    public static TheoryData<int> Ints => [0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, -8193, 1 << 20, -(1 << 20), 1 << 27, int.MaxValue, int.MinValue];

    public static TheoryData<long> Longs => [0, 1, -1, 63, -64, 64, 8192, -8193, 1L << 34, -(1L << 34), 1L << 55, long.MaxValue, long.MinValue];

    [Theory, MemberData(nameof(Ints))]
    public void Varints_of_every_length_read_back_and_move_past_exactly_their_bytes(int value)
    {
        byte[] buffer = [0xAA, .. Encode(value), 0x07];
        var cursor = new RecordCursor(buffer, 1);

        Assert.True(cursor.TryReadVarInt(out var read));

        Assert.Equal(value, read);
        Assert.Equal(buffer.Length - 1, cursor.Position);
    }

    [Theory, MemberData(nameof(Longs))]
    public void Varlongs_of_every_length_read_back_and_move_past_exactly_their_bytes(long value)
    {
        byte[] buffer = [.. Encode(value), 0x07];
        var cursor = new RecordCursor(buffer, 0);

        Assert.True(cursor.TryReadVarLong(out var read));

        Assert.Equal(value, read);
        Assert.Equal(buffer.Length - 1, cursor.Position);
    }

    [Theory, MemberData(nameof(Ints))]
    public void A_varint_cut_short_by_the_end_of_the_span_is_rejected(int value)
    {
        var encoded = Encode(value);
        for (var length = 0; length < encoded.Length; length++)
        {
            var cursor = new RecordCursor(encoded.AsSpan(0, length), 0);
            Assert.False(cursor.TryReadVarInt(out _), $"{value} cut to {length} bytes");
        }
    }

    [Theory, MemberData(nameof(Longs))]
    public void A_varlong_cut_short_by_the_end_of_the_span_is_rejected(long value)
    {
        var encoded = Encode(value);
        for (var length = 0; length < encoded.Length; length++)
        {
            var cursor = new RecordCursor(encoded.AsSpan(0, length), 0);
            Assert.False(cursor.TryReadVarLong(out _), $"{value} cut to {length} bytes");
        }
    }

    [Fact]
    public void Encodings_longer_than_the_type_allows_are_rejected()
    {
        byte[] sixBytes = [0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        byte[] elevenBytes = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];

        Assert.False(new RecordCursor(sixBytes, 0).TryReadVarInt(out _));
        Assert.False(new RecordCursor(elevenBytes, 0).TryReadVarLong(out _));
    }

    [Fact]
    public void Nullable_bytes_are_a_varint_length_then_that_many_bytes_and_minus_one_is_null()
    {
        byte[] buffer = [.. Encode(3), 1, 2, 3, .. Encode(-1), .. Encode(-2)];
        var cursor = new RecordCursor(buffer, 0);

        Assert.True(cursor.TryReadNullableBytes(out var start, out var length));
        Assert.Equal((1, 3), (start, length));
        Assert.True(cursor.TryReadNullableBytes(out _, out var nullLength));
        Assert.Equal(-1, nullLength);
        Assert.False(cursor.TryReadNullableBytes(out _, out _)); // -2 is no length
    }
}
