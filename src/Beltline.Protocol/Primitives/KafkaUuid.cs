using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Beltline.Protocol;

/// <summary>
/// Kafka's 128-bit UUID (topic ids). On the wire: two big-endian int64s. As text: 22 chars of
/// URL-safe base64 without padding, like org.apache.kafka.common.Uuid.
/// </summary>
public readonly record struct KafkaUuid(long MostSignificantBits, long LeastSignificantBits)
{
    public static readonly KafkaUuid Zero = default;

    public bool IsZero => MostSignificantBits == 0 && LeastSignificantBits == 0;

    /// <summary>A random (version 4) id; like Kafka, never zero and never rendering with a leading '-'.</summary>
    public static KafkaUuid NewRandom()
    {
        Span<byte> bytes = stackalloc byte[16];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0f) | 0x40);
            bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
            var id = Read(bytes);
            if (!id.IsZero && id.ToString()[0] != '-')
                return id;
        }
    }

    public static KafkaUuid Read(ReadOnlySpan<byte> source) =>
        new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt64BigEndian(source[8..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, MostSignificantBits);
        BinaryPrimitives.WriteInt64BigEndian(destination[8..], LeastSignificantBits);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        Write(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static KafkaUuid Parse(string text)
    {
        if (!TryParse(text, out var id))
            throw new FormatException($"'{text}' is not a Kafka UUID (22 characters of URL-safe base64).");
        return id;
    }

    public static bool TryParse(string? text, out KafkaUuid id)
    {
        id = default;
        if (text is null || text.Length != 22)
            return false;
        Span<byte> bytes = stackalloc byte[16];
        var base64 = text.Replace('-', '+').Replace('_', '/') + "==";
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != 16)
            return false;
        id = Read(bytes);
        return true;
    }
}
