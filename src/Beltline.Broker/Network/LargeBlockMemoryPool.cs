using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Beltline.Broker.Network;

/// <summary>
/// Memory for the socket pipes in 256 KiB blocks instead of Kestrel's 4 KiB: the transport receives one block per
/// syscall, and Kafka frames run to megabytes, so small blocks meant hundreds of recv calls per produce request.
/// </summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();

    private sealed class LargeBlockMemoryPool : MemoryPool<byte>
    {
        private const int BlockSize = 256 * 1024;

        public override int MaxBufferSize => BlockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Block(ArrayPool<byte>.Shared.Rent(Math.Max(minBufferSize, BlockSize)));

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Block(byte[] array) : IMemoryOwner<byte>
        {
            private byte[]? _array = array;

            public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _array, null) is { } returned)
                    ArrayPool<byte>.Shared.Return(returned);
            }
        }
    }
}
