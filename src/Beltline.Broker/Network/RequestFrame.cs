using System.Buffers;
using Beltline.Broker.Storage;

namespace Beltline.Broker.Network;

/// <summary>
/// A request frame's bytes in a pooled buffer of their own: codecs read spans, and produce batches are patched in
/// place and outlive the network buffers. A frame whose batch goes to disk can be placed: received into pinned,
/// block-aligned memory at the address where the batch sits at the block offset its log appends at next, so
/// direct I/O writes it from here (<see cref="SegmentFile.Append"/>). A block of slack on either side of a placed
/// frame is what that write borrows for the log's partial last block and the zero padding.
/// </summary>
internal readonly struct RequestFrame
{
    private readonly byte[]? _array;
    private readonly AlignedBuffer? _aligned;
    private readonly int _start;

    private RequestFrame(byte[]? array, AlignedBuffer? aligned, int start, int length)
    {
        _array = array;
        _aligned = aligned;
        _start = start;
        Length = length;
    }

    public int Length { get; }

    public Memory<byte> Memory => _aligned is not null ? _aligned.Memory.Slice(_start, Length) : _array.AsMemory(_start, Length);

    /// <summary>Memory this frame keeps from the pools while its request is unanswered.</summary>
    public int HeldBytes => _aligned?.Footprint ?? _array!.Length;

    public static RequestFrame Rent(int length) => new(ArrayPool<byte>.Shared.Rent(length), null, 0, length);

    /// <summary>A frame whose byte at <paramref name="frameOffset"/> will sit at <paramref name="blockOffset"/> within a block.</summary>
    public static RequestFrame RentPlaced(int length, int frameOffset, int blockOffset)
    {
        const int Block = AlignedBuffer.BlockSize;
        var buffer = AlignedBuffer.Rent(Block + Block + length + Block);
        var lead = ((blockOffset - frameOffset) % Block + Block) % Block;
        return new RequestFrame(null, buffer, Block + lead, length);
    }

    public void Return()
    {
        if (_aligned is not null)
            _aligned.Return();
        else
            ArrayPool<byte>.Shared.Return(_array!);
    }
}
