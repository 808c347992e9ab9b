using System.Buffers.Binary;
using System.Numerics;

namespace Beltline.Protocol;

/// <summary>
/// CRC-32C (Castagnoli) as RecordBatch v2 uses it. BitOperations.Crc32C maps to the SSE4.2 / ARMv8 CRC
/// instructions, so eight bytes a step keeps validation of large batches off the profile.
/// </summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(~0u, data);

    /// <summary>Continues a raw (not finalised) CRC state over more bytes.</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        if (data.Length >= 4)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }
        foreach (var b in data)
            state = BitOperations.Crc32C(state, b);
        return state;
    }
}
