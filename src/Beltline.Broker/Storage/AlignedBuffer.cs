using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Beltline.Broker.Storage;

/// <summary>
/// A block-aligned window of a pinned array, from a process-wide pool in power-of-two sizes: what direct I/O
/// reads into and writes from, and what produce requests are received into so their batches can go to disk
/// without another copy. Pooled rather than per thread: thread-pool threads come and go, and each new buffer is
/// fresh memory, which on a virtual machine makes the first copy into it several times slower than into a reused one.
/// </summary>
internal sealed class AlignedBuffer
{
    public const int BlockSize = SegmentFile.BlockSize;

    /// <summary>Large reads go in pieces of this size, so a fetch never needs a buffer as big as its response.</summary>
    public const int ReadChunk = 1024 * 1024;

    private const int SmallestPooled = 64 * 1024;
    private const int LargestPooled = 8 * 1024 * 1024;
    private const int PooledPerSize = 16;

    private static readonly ConcurrentQueue<AlignedBuffer>[] Pool =
        [.. Enumerable.Range(0, BitOperations.Log2(LargestPooled / SmallestPooled) + 1).Select(_ => new ConcurrentQueue<AlignedBuffer>())];

    private AlignedBuffer(int size)
    {
        Array = GC.AllocateUninitializedArray<byte>(size + BlockSize, pinned: true);
        var handle = GCHandle.Alloc(Array, GCHandleType.Pinned);
        var address = handle.AddrOfPinnedObject();
        handle.Free(); // the array lives on the pinned object heap and never moves
        Offset = (int)((BlockSize - address % BlockSize) % BlockSize);
        Size = size;
    }

    /// <summary>The whole pinned array; <see cref="Offset"/> is its first block-aligned byte.</summary>
    public byte[] Array { get; }

    public int Offset { get; }

    /// <summary>Usable bytes from <see cref="Offset"/>.</summary>
    public int Size { get; }

    public Span<byte> Span(int length) => Array.AsSpan(Offset, length);

    public static AlignedBuffer Rent(int size)
    {
        var rounded = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(size, SmallestPooled));
        if (rounded <= LargestPooled && Pool[BitOperations.Log2((uint)(rounded / SmallestPooled))].TryDequeue(out var pooled))
            return pooled;
        return new AlignedBuffer(rounded <= LargestPooled ? rounded : SegmentFile.AlignUp(size));
    }

    public void Return()
    {
        if (Size > LargestPooled)
            return;
        var queue = Pool[BitOperations.Log2((uint)(Size / SmallestPooled))];
        if (queue.Count < PooledPerSize)
            queue.Enqueue(this);
    }
}
