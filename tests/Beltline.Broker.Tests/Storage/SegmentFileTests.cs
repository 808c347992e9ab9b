using System.Runtime.InteropServices;
using Beltline.Broker.Storage;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

/// <summary>
/// The segment <c>.log</c> file on its own, against an in-memory copy of what was appended. In direct mode the
/// file on disk is the log followed by zeros up to the next 4 KiB block while open (appends rewrite the last,
/// partial block); a trimmed close leaves exactly the log. Buffered, the file is always exactly the log.
/// </summary>
public abstract class SegmentFileTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : SegmentFileTests(directIo: true);

    public sealed class Buffered() : SegmentFileTests(directIo: false);

    private const int Block = SegmentFile.BlockSize;

    /// <summary>What <see cref="SegmentFile.Read"/> moves per device read; reads larger than it go in pieces.</summary>
    private const int ReadChunk = 1024 * 1024;

    private readonly List<SegmentFile> _open = [];
    private readonly List<byte> _model = [];
    private readonly Random _random = new(20_240_611);

    private string FilePath => Dir.Combine("segment.log");

    public override void Dispose()
    {
        foreach (var file in _open)
            file.Dispose();
        base.Dispose();
    }

    private SegmentFile OpenFile()
    {
        var file = SegmentFile.Open(FilePath, DirectIo);
        _open.Add(file);
        return file;
    }

    private void CloseFile(SegmentFile file, bool trim)
    {
        _open.Remove(file);
        file.Close(trim);
    }

    private ReadOnlySpan<byte> Model => CollectionsMarshal.AsSpan(_model);

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Appends <paramref name="count"/> random bytes to the file and to the model.</summary>
    private void Append(SegmentFile file, int count)
    {
        var bytes = RandomBytes(count);
        file.Append(bytes);
        _model.AddRange(bytes);
    }

    private void Truncate(SegmentFile file, int length)
    {
        file.SetLength(length);
        _model.RemoveRange(length, _model.Count - length);
    }

    /// <summary>Reads through the file: exactly the model's bytes, or fewer only where the model ends.</summary>
    private void AssertRead(SegmentFile file, long position, int length)
    {
        var destination = new byte[length];
        var read = file.Read(position, destination);
        var expected = (int)Math.Clamp(_model.Count - position, 0, length);
        Assert.True(expected == read, $"read {length} at {position} of {_model.Count}: got {read} bytes, expected {expected}");
        Assert.True(Model.Slice((int)Math.Min(position, _model.Count), read).SequenceEqual(destination.AsSpan(0, read)), $"read {length} at {position}: bytes differ");
    }

    private void AssertWholeFile(SegmentFile file)
    {
        Assert.Equal(_model.Count, file.Length);
        AssertRead(file, 0, _model.Count);
    }

    /// <summary>
    /// The file on disk, read past the segment file: the model's bytes, then (<paramref name="padded"/>, direct mode
    /// only) zeros to the next block boundary.
    /// </summary>
    private void AssertOnDisk(SegmentFile? file, bool padded)
    {
        var expectedLength = padded ? OpenFileLength(_model.Count) : _model.Count;
        if (file is not null)
            Assert.Equal(expectedLength, file.PhysicalLength);
        var bytes = ReadShared(FilePath);
        Assert.Equal(expectedLength, bytes.Length);
        Assert.True(bytes.Length >= _model.Count && Model.SequenceEqual(bytes.AsSpan(0, _model.Count)), "the file does not start with the appended bytes");
        Assert.True(!bytes.AsSpan(_model.Count).ContainsAnyExcept((byte)0), "the padding is not all zeros");
    }

    [Fact]
    public void Direct_is_used_exactly_when_asked_for_on_this_file_system()
    {
        // The temp directory here is on ext4, which takes O_DIRECT.
        var file = OpenFile();
        Assert.Equal(DirectIo, file.Direct);
        Assert.Equal(0, file.Length);
        Assert.Equal(0, file.PhysicalLength);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 4095)]
    [InlineData(0, 4096)]
    [InlineData(0, 4097)]
    [InlineData(0, 10_000)]
    [InlineData(1_000, 1)]
    [InlineData(1_000, 4095)]
    [InlineData(1_000, 4096)]
    [InlineData(1_000, 4097)]
    [InlineData(1_000, 10_000)]
    public void Appends_of_any_size_read_back_exactly_and_leave_the_log_then_zeros_on_disk(int before, int size)
    {
        var file = OpenFile();
        if (before > 0)
            Append(file, before);
        for (var i = 0; i < 3; i++)
        {
            Append(file, size);
            Assert.Equal(_model.Count, file.Length);
            AssertWholeFile(file);
            AssertOnDisk(file, padded: true);
        }
        // The last appended bytes alone, and a read from just before the previous append's end.
        AssertRead(file, _model.Count - size, size);
        AssertRead(file, _model.Count - (2 * size) - 1, size + 2);
    }

    /// <summary>
    /// Puts <paramref name="data"/> in pinned, block-aligned memory as produce requests are received: at the file's
    /// block offset (plus <paramref name="shift"/>) with a block of the caller's own bytes on either side.
    /// </summary>
    private static (AlignedBuffer Buffer, ReadOnlyMemory<byte> Data) Place(SegmentFile file, byte[] data, Random random, int shift = 0)
    {
        var buffer = AlignedBuffer.Rent(data.Length + (3 * Block));
        random.NextBytes(buffer.GetSpan());
        var start = Block + file.BlockOffset + shift;
        data.CopyTo(buffer.GetSpan()[start..]);
        return (buffer, buffer.Memory.Slice(start, data.Length));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 4096)]
    [InlineData(0, 70_000)]
    [InlineData(1_000, 1)]
    [InlineData(1_000, 3_096)]
    [InlineData(1_000, 4097)]
    [InlineData(1_000, 70_000)]
    [InlineData(1_000, 1_100_000)] // a 2 MiB buffer: native memory advised for huge pages
    public void Placed_appends_are_written_from_where_they_are_and_leave_the_callers_bytes_as_they_were(int before, int size)
    {
        var file = OpenFile();
        if (before > 0)
            Append(file, before);
        for (var i = 0; i < 3; i++)
        {
            var data = RandomBytes(size);
            var (buffer, placed) = Place(file, data, _random);
            var callers = buffer.GetSpan().ToArray();
            file.Append(placed);
            _model.AddRange(data);
            Assert.True(callers.AsSpan().SequenceEqual(buffer.GetSpan()), "the bytes around the data were not put back");
            AssertWholeFile(file);
            AssertOnDisk(file, padded: true);
            buffer.Return();
        }
        Assert.Equal(DirectIo ? 3 : 0, file.InPlaceAppendCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(512)]
    public void Data_off_the_block_offset_is_staged_and_stored_all_the_same(int shift)
    {
        var file = OpenFile();
        Append(file, 1_000);
        var data = RandomBytes(70_000);
        var (buffer, placed) = Place(file, data, _random, shift);
        var callers = buffer.GetSpan().ToArray();

        file.Append(placed);
        _model.AddRange(data);

        Assert.Equal(0, file.InPlaceAppendCount);
        Assert.True(callers.AsSpan().SequenceEqual(buffer.GetSpan()), "the caller's bytes changed");
        AssertWholeFile(file);
        AssertOnDisk(file, padded: true);
        buffer.Return();
    }

    [Fact]
    public void Many_small_appends_cross_block_boundaries()
    {
        var file = OpenFile();
        var crossed = 0;
        while (_model.Count < 5 * Block)
        {
            var before = _model.Count;
            Append(file, _random.Next(1, 40));
            if (before / Block != _model.Count / Block)
                crossed++;
            Assert.Equal(_model.Count, file.Length);
            AssertRead(file, before, _model.Count - before);
            // The rewritten block: from its start to the end.
            var blockStart = before / Block * Block;
            AssertRead(file, blockStart, _model.Count - blockStart);
        }
        Assert.True(crossed >= 4);
        AssertWholeFile(file);
        AssertOnDisk(file, padded: true);
    }

    [Fact]
    public void An_append_landing_on_a_block_boundary_leaves_no_padding()
    {
        var file = OpenFile();
        Append(file, 10);
        Assert.Equal(OpenFileLength(10), file.PhysicalLength);
        Append(file, Block - 10);
        Assert.Equal(Block, file.Length);
        Assert.Equal(Block, file.PhysicalLength);
        Append(file, 1);
        Assert.Equal(Block + 1, file.Length);
        Assert.Equal(OpenFileLength(Block + 1), file.PhysicalLength);
        AssertWholeFile(file);
        AssertOnDisk(file, padded: true);
    }

    [Fact]
    public void Reads_at_any_position_and_length_return_the_appended_bytes_also_past_the_read_chunk()
    {
        var file = OpenFile();
        while (_model.Count < (2 * ReadChunk) + (3 * Block) + 123)
            Append(file, _random.Next(1, 300_000));
        var length = _model.Count;
        int[] positions = [0, 1, 511, 4095, 4096, 4097, 8191, ReadChunk - Block - 1, ReadChunk - 1, ReadChunk, ReadChunk + 1, length - ReadChunk - 1, length - 4097, length - 1];
        int[] lengths = [1, 2, 4095, 4096, 4097, 10_000, ReadChunk - 1, ReadChunk, ReadChunk + 1, ReadChunk + Block + 7, 2 * ReadChunk];
        foreach (var position in positions)
            foreach (var count in lengths)
                AssertRead(file, position, count);
        for (var i = 0; i < 200; i++)
            AssertRead(file, _random.Next(0, length), _random.Next(1, 3 * ReadChunk));
        AssertWholeFile(file);
    }

    [Fact]
    public void Reading_past_the_end_returns_fewer_bytes()
    {
        var file = OpenFile();
        var empty = new byte[10];
        Assert.Equal(0, file.Read(0, empty));

        Append(file, 5_000);
        var buffer = new byte[100];
        Assert.Equal(10, file.Read(4_990, buffer));
        Assert.Equal(_model.Skip(4_990), buffer.Take(10));
        Assert.Equal(0, file.Read(5_000, buffer));
        Assert.Equal(0, file.Read(5_001, buffer));
        // Inside the padding block and beyond the file on disk.
        Assert.Equal(0, file.Read(6_000, buffer));
        Assert.Equal(0, file.Read(3 * Block, buffer));
        AssertRead(file, 0, 6_000);
        AssertRead(file, 4_095, Block);
        AssertRead(file, 4_999, ReadChunk + 5);
    }

    [Fact]
    public void Length_is_the_appended_bytes_and_physical_length_adds_the_padding()
    {
        var file = OpenFile();
        foreach (var size in new[] { 1, 99, 4_000, 1, 4_096, 5_000 })
        {
            Append(file, size);
            Assert.Equal(_model.Count, file.Length);
            Assert.Equal(OpenFileLength(_model.Count), file.PhysicalLength);
        }
        AssertOnDisk(file, padded: true);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4_095)]
    [InlineData(4_096)]
    [InlineData(10_000)]
    public void Close_with_trim_leaves_exactly_the_log(int size)
    {
        var file = OpenFile();
        Append(file, size);
        Append(file, 17);
        CloseFile(file, trim: true);
        AssertOnDisk(null, padded: false);
    }

    [Fact]
    public void Close_without_trim_leaves_the_padding_and_a_reopen_counts_it_until_cut()
    {
        var file = OpenFile();
        Append(file, 5_000);
        CloseFile(file, trim: false);
        AssertOnDisk(null, padded: true);

        // A reopen takes the file as it finds it: deciding where the log ends is recovery's job.
        var reopened = OpenFile();
        Assert.Equal(OpenFileLength(5_000), reopened.Length);
        Assert.Equal(OpenFileLength(5_000), reopened.PhysicalLength);
        reopened.SetLength(5_000);
        Assert.Equal(5_000, reopened.Length);
        Assert.Equal(5_000, reopened.PhysicalLength);
        Append(reopened, 3_000);
        AssertWholeFile(reopened);
        AssertOnDisk(reopened, padded: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4_095)]
    [InlineData(4_096)]
    [InlineData(4_097)]
    [InlineData(9_999)]
    public void Reopen_after_a_trimmed_close_restores_the_tail_and_appends_continue(int size)
    {
        var file = OpenFile();
        Append(file, size);
        CloseFile(file, trim: true);

        var reopened = OpenFile();
        Assert.Equal(size, reopened.Length);
        Assert.Equal(size, reopened.PhysicalLength);
        AssertWholeFile(reopened);
        foreach (var more in new[] { 1, 4_096, 3_000 })
        {
            Append(reopened, more);
            AssertWholeFile(reopened);
            AssertOnDisk(reopened, padded: true);
        }
        CloseFile(reopened, trim: true);
        AssertOnDisk(null, padded: false);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4_095)]
    [InlineData(4_096)]
    [InlineData(4_097)]
    [InlineData(9_000)]
    [InlineData(10_000)]
    public void SetLength_cuts_the_log_and_appends_continue_from_there(int length)
    {
        var file = OpenFile();
        Append(file, 10_000);
        Truncate(file, length);
        Assert.Equal(length, file.Length);
        Assert.Equal(length, file.PhysicalLength);
        AssertWholeFile(file);
        AssertRead(file, Math.Max(0, length - 10), 100);
        AssertOnDisk(file, padded: false);

        Append(file, 3_000);
        AssertWholeFile(file);
        AssertOnDisk(file, padded: true);
        Append(file, 5);
        AssertWholeFile(file);
    }

    [Fact]
    public void An_append_larger_than_the_cached_staging_buffer_and_small_ones_after_it()
    {
        var file = OpenFile();
        Append(file, 3);
        Append(file, (9 * ReadChunk) + 1);
        Append(file, 4_000);
        Append(file, 200);
        AssertWholeFile(file);
        AssertOnDisk(file, padded: true);
    }

    [Fact]
    public void Flush_keeps_the_content()
    {
        var file = OpenFile();
        Append(file, 6_000);
        file.Flush();
        Append(file, 10);
        file.Flush();
        AssertWholeFile(file);
        AssertOnDisk(file, padded: true);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_operations_match_an_in_memory_model(int seed)
    {
        var random = new Random(seed);
        var file = OpenFile();
        // Since the last append, the file was cut (or reopened trimmed): in direct mode not padded.
        var padded = false;
        for (var step = 0; step < 400; step++)
        {
            var operation = random.Next(100);
            if (operation < 45)
            {
                var size = random.Next(10) switch
                {
                    0 => random.Next(4_000, 20_000),
                    1 => Block - (_model.Count % Block) + random.Next(-2, 3),
                    _ => random.Next(0, 600),
                };
                size = Math.Max(0, size);
                Append(file, size);
                padded = padded || size > 0 || _model.Count % Block != 0;
            }
            else if (operation < 75)
            {
                var position = random.Next(0, _model.Count + 200);
                var length = random.Next(20) == 0 ? random.Next(ReadChunk - 100, ReadChunk + 9_000) : random.Next(0, 9_000);
                AssertRead(file, position, length);
            }
            else if (operation < 83)
            {
                Truncate(file, random.Next(0, _model.Count + 1));
                padded = false;
            }
            else if (operation < 90)
            {
                CloseFile(file, trim: true);
                AssertOnDisk(null, padded: false);
                file = OpenFile();
                padded = false;
            }
            else if (operation < 95)
            {
                // A stop without trimming: the reopened file counts the padding until it is cut where the log ends.
                CloseFile(file, trim: false);
                AssertOnDisk(null, padded);
                file = OpenFile();
                Assert.Equal(padded ? OpenFileLength(_model.Count) : _model.Count, file.Length);
                file.SetLength(_model.Count);
                padded = false;
            }
            else
            {
                file.Flush();
            }
            Assert.Equal(_model.Count, file.Length);
            if (step % 10 == 0)
                AssertOnDisk(file, padded);
        }
        AssertWholeFile(file);
        AssertOnDisk(file, padded);
        CloseFile(file, trim: true);
        AssertOnDisk(null, padded: false);
    }

    [Fact]
    public async Task Readers_below_Length_see_the_appended_bytes_while_appends_rewrite_the_last_block()
    {
        // Content is a function of the position, so a reader knows every byte below the length it saw.
        static byte At(long position) => (byte)((position * 7) + (position >> 12));
        var file = OpenFile();
        const int total = 3 * ReadChunk;
        var failures = new List<string>();
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            var buffer = new byte[64 * 1024];
            while (!done.IsCancellationRequested)
            {
                var length = file.Length;
                if (length == 0)
                    continue;
                // Mostly the end, where the block being rewritten is.
                var position = random.Next(2) == 0 ? Math.Max(0, length - random.Next(1, buffer.Length)) : random.NextInt64(0, length);
                var count = (int)Math.Min(buffer.Length, length - position);
                var read = file.Read(position, buffer.AsSpan(0, count));
                for (var i = 0; i < count; i++)
                    if (i >= read || buffer[i] != At(position + i))
                    {
                        lock (failures)
                            failures.Add($"read {count} at {position} (length {length}): byte {i} wrong, {read} read");
                        return;
                    }
            }
        })).ToArray();

        var writer = new Random(5);
        var next = 0L;
        while (next < total)
        {
            var chunk = new byte[writer.Next(1, 3_000)];
            for (var i = 0; i < chunk.Length; i++)
                chunk[i] = At(next + i);
            file.Append(chunk);
            next += chunk.Length;
        }
        await done.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Empty(failures);
        Assert.Equal(next, file.Length);
    }
}
