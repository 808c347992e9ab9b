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
    private readonly byte[] _array;
    private readonly int _start;
    private readonly AlignedBuffer? _aligned;

    private RequestFrame(byte[] array, int start, int length, AlignedBuffer? aligned)
    {
        _array = array;
        _start = start;
        Length = length;
        _aligned = aligned;
    }

    public int Length { get; }

    public Memory<byte> Memory => _array.AsMemory(_start, Length);

    /// <summary>Memory this frame keeps from the pools while its request is unanswered.</summary>
    public int HeldBytes => _array.Length;

    public static RequestFrame Rent(int length) => new(ArrayPool<byte>.Shared.Rent(length), 0, length, null);

    /// <summary>A frame whose byte at <paramref name="frameOffset"/> will sit at <paramref name="blockOffset"/> within a block.</summary>
    public static RequestFrame RentPlaced(int length, int frameOffset, int blockOffset)
    {
        const int Block = AlignedBuffer.BlockSize;
        var buffer = AlignedBuffer.Rent(Block + Block + length + Block);
        var lead = ((blockOffset - frameOffset) % Block + Block) % Block;
        return new RequestFrame(buffer.Array, buffer.Offset + Block + lead, length, buffer);
    }

    public void Return()
    {
        if (_aligned is not null)
            _aligned.Return();
        else
            ArrayPool<byte>.Shared.Return(_array);
    }
}
