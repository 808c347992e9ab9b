using Beltline.Broker.Storage;

namespace Beltline.Broker.Tests.Storage;

/// <summary>The pooled direct-I/O buffers: block-aligned memory of at least the size asked for, which never moves.</summary>
public class AlignedBufferTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(64 * 1024)]
    [InlineData(100_000)]
    [InlineData(2 * 1024 * 1024)] // native, huge-page sized
    [InlineData(3 * 1024 * 1024)]
    [InlineData(9 * 1024 * 1024)] // larger than pooled
    public unsafe void Buffers_are_block_aligned_at_least_as_large_as_asked_and_stay_where_they_are(int size)
    {
        var buffer = AlignedBuffer.Rent(size);
        try
        {
            Assert.True(buffer.Size >= size);
            Assert.True(buffer.Footprint >= buffer.Size);
            Assert.Equal(0, buffer.AddressOf(0) % AlignedBuffer.BlockSize);
            Assert.Equal(buffer.Size, buffer.GetSpan().Length);

            buffer.GetSpan()[^1] = 0x5A;
            buffer.Span(1)[0] = 0xA5;
            using var pin = buffer.Memory.Pin();
            Assert.Equal(buffer.AddressOf(0), (nint)pin.Pointer);
            Assert.Equal(0xA5, buffer.Memory.Span[0]);
            Assert.Equal(0x5A, buffer.Memory.Span[buffer.Size - 1]);
            using var inner = buffer.Memory[100..].Pin();
            Assert.Equal(buffer.AddressOf(100), (nint)inner.Pointer);
        }
        finally
        {
            buffer.Return();
        }
    }

    [Fact]
    public void A_huge_page_buffer_counts_its_whole_pages_as_its_footprint()
    {
        var buffer = AlignedBuffer.Rent(1024 * 1024);

        Assert.Equal(1024 * 1024, buffer.Size);
        Assert.Equal(OperatingSystem.IsLinux() ? 2 * 1024 * 1024 : (1024 * 1024) + AlignedBuffer.BlockSize, buffer.Footprint);

        buffer.Return();
    }

    [Fact]
    public void A_returned_buffer_is_handed_out_again()
    {
        var first = AlignedBuffer.Rent(3 * 1024 * 1024);
        first.Return();
        var pooled = Enumerable.Range(0, 20).Select(_ => AlignedBuffer.Rent(3 * 1024 * 1024)).ToList();

        Assert.Contains(first, pooled);

        foreach (var buffer in pooled)
            buffer.Return();
    }
}
