using System.Text;

namespace Beltline.Protocol.Tests.Records;

public class Crc32CTests
{
    [Fact]
    public void Check_value_of_123456789_is_E3069283()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xE3069283u, TestBatches.ReferenceCrc32C(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Empty_input_has_crc_zero() => Assert.Equal(0u, Crc32C.Compute([]));

    [Fact]
    public void Matches_bitwise_reference_on_random_data_of_every_small_length()
    {
        var random = new Random(42);
        for (var length = 0; length < 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(TestBatches.ReferenceCrc32C(data), Crc32C.Compute(data));
        }
    }

    [Fact]
    public void Matches_bitwise_reference_on_large_unaligned_data()
    {
        var data = new byte[100_003];
        new Random(7).NextBytes(data);
        Assert.Equal(TestBatches.ReferenceCrc32C(data.AsSpan(3)), Crc32C.Compute(data.AsSpan(3)));
    }

    [Fact]
    public void Append_in_pieces_equals_one_pass()
    {
        var data = new byte[1000];
        new Random(3).NextBytes(data);
        var state = Crc32C.Append(~0u, data.AsSpan(0, 13));
        state = Crc32C.Append(state, data.AsSpan(13, 500));
        state = Crc32C.Append(state, data.AsSpan(513));
        Assert.Equal(Crc32C.Compute(data), ~state);
    }

    [Theory]
    [InlineData(12_287)]
    [InlineData(12_288)]
    [InlineData(12_289)]
    [InlineData(24_581)]
    [InlineData(1_048_583)]
    public void Three_stream_lengths_match_the_bitwise_reference(int length)
    {
        // Around and past the length where the three-stream loop takes over, so its join is exercised.
        var data = new byte[length + 1];
        new Random(length).NextBytes(data);
        Assert.Equal(TestBatches.ReferenceCrc32C(data.AsSpan(1)), Crc32C.Compute(data.AsSpan(1)));
    }

    [Fact]
    public void Appending_pieces_that_straddle_the_three_stream_blocks_equals_one_pass()
    {
        var data = new byte[50_000];
        new Random(11).NextBytes(data);
        var state = ~0u;
        foreach (var (start, length) in new[] { (0, 7), (7, 12_300), (12_307, 1), (12_308, 30_000), (42_308, 7_692) })
            state = Crc32C.Append(state, data.AsSpan(start, length));
        Assert.Equal(TestBatches.ReferenceCrc32C(data), ~state);
    }
}
