using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Beltline.Protocol;

/// <summary>
/// CRC-32C (Castagnoli) as RecordBatch v2 uses it, on the SSE4.2 / ARMv8 CRC instructions
/// (BitOperations.Crc32C).
/// <para>
/// One chain of crc32 instructions runs at the instruction's latency (3 cycles per 8 bytes), not its throughput
/// (1 per cycle). Long inputs are therefore cut into three equal streams whose CRCs advance side by side, and the
/// three are then joined: for the raw (not inverted) register, crc(A‖B) = shift_|B|(crc(A)) ⊕ crc₀(B), where the
/// shift by a fixed length is a linear map on 32 bits, applied through four precomputed byte tables.
/// </para>
/// </summary>
public static class Crc32C
{
    /// <summary>Bytes per stream in one round of the three-way loop; the join costs ~8 table lookups a round.</summary>
    private const int StreamBytes = 4096;

    /// <summary>Below this the plain loop is as fast.</summary>
    private const int InterleaveThreshold = 3 * StreamBytes;

    /// <summary>The map "append StreamBytes zero bytes" on the raw register, as four byte-indexed tables.</summary>
    private static readonly uint[] ShiftTables = BuildShiftTables(StreamBytes);

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(~0u, data);

    /// <summary>Continues a raw (not finalised) CRC state over more bytes.</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= InterleaveThreshold)
        {
            state = AppendThreeStreams(state, data[..InterleaveThreshold]);
            data = data[InterleaveThreshold..];
        }
        return AppendSerial(state, data);
    }

    private static uint AppendThreeStreams(uint state, ReadOnlySpan<byte> block)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(block);
        var perStream = StreamBytes / sizeof(ulong);
        uint crc0 = state, crc1 = 0, crc2 = 0;
        for (var i = 0; i < perStream; i++)
        {
            crc0 = BitOperations.Crc32C(crc0, ToLittleEndian(words[i]));
            crc1 = BitOperations.Crc32C(crc1, ToLittleEndian(words[perStream + i]));
            crc2 = BitOperations.Crc32C(crc2, ToLittleEndian(words[2 * perStream + i]));
        }
        return Shift(Shift(crc0) ^ crc1) ^ crc2;
    }

    private static uint AppendSerial(uint state, ReadOnlySpan<byte> data)
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

    private static ulong ToLittleEndian(ulong word) => BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);

    private static uint Shift(uint crc) =>
        ShiftTables[crc & 0xff] ^ ShiftTables[256 + ((crc >> 8) & 0xff)] ^ ShiftTables[512 + ((crc >> 16) & 0xff)] ^ ShiftTables[768 + (crc >> 24)];

    /// <summary>
    /// Tables for the linear map "feed <paramref name="zeroBytes"/> zero bytes": built by running the hardware CRC over
    /// zeros from each single-bit state (the map is linear, so a byte's image is the XOR of its bits' images).
    /// </summary>
    private static uint[] BuildShiftTables(int zeroBytes)
    {
        var bitImages = new uint[32];
        var zeros = new byte[zeroBytes];
        for (var bit = 0; bit < 32; bit++)
            bitImages[bit] = AppendSerial(1u << bit, zeros);
        var tables = new uint[4 * 256];
        for (var table = 0; table < 4; table++)
        {
            for (var value = 0; value < 256; value++)
            {
                uint image = 0;
                for (var bit = 0; bit < 8; bit++)
                    if ((value & (1 << bit)) != 0)
                        image ^= bitImages[(table * 8) + bit];
                tables[(table * 256) + value] = image;
            }
        }
        return tables;
    }
}
