namespace Beltline.Protocol;

/// <summary>Record bytes held in memory.</summary>
public sealed class MemoryPayload(ReadOnlyMemory<byte> bytes) : IRawPayload
{
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    public int Length => Bytes.Length;

    public void CopyTo(int offset, Span<byte> destination) => Bytes.Span.Slice(offset, destination.Length).CopyTo(destination);
}
