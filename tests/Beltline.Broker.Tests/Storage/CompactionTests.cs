using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

/// <summary>The log cleaner: latest value per key in sealed segments, tombstones until their horizon, crash-safe swaps.</summary>
public abstract class CompactionTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : CompactionTests(directIo: true);

    public sealed class Buffered() : CompactionTests(directIo: false);

    private const long Now = 1_700_000_000_000;

    private static readonly LogConfig Compacted = new()
    {
        Compact = true,
        Delete = false,
        SegmentBytes = 600,
        DeleteRetentionMs = 60_000,
    };

    /// <summary>One record per (key, value); a null value is a tombstone.</summary>
    private static byte[] Keyed(CompressionType compression, params (string Key, string? Value)[] records)
    {
        var builder = new RecordBatchBuilder { Compression = compression };
        foreach (var (key, value) in records)
            builder.Add(Utf8(key), value is null ? null : Utf8(value), Now - 1000);
        return builder.Build();
    }

    private static byte[] Keyed(params (string Key, string? Value)[] records) => Keyed(CompressionType.None, records);

    /// <summary>Text that compresses poorly, so compressed batches still fill segments.</summary>
    private static string Incompressible(int length) => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(length / 2));

    private static List<(long Offset, string Key, string? Value)> Contents(PartitionLog log) =>
        [.. log.ReadAllRecords(log.LogStartOffset).Select(r => (r.Offset, System.Text.Encoding.UTF8.GetString(r.Key!.Value.Span),
            r.Value is { } v ? System.Text.Encoding.UTF8.GetString(v.Span) : null))];

    /// <summary>Writes 3 rounds of values for keys a-d, one batch each, so several segments roll; returns the log.</summary>
    private PartitionLog ThreeRounds(CompressionType compression = CompressionType.None)
    {
        var log = Create(Dir, Compacted);
        for (var round = 0; round < 3; round++)
            foreach (var key in new[] { "a", "b", "c", "d" })
                log.AppendCopy(Keyed(compression, (key, $"{key}{round}-{Incompressible(200)}")), Now);
        Assert.True(log.SegmentCount >= 3);
        return log;
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Cleaning_keeps_the_latest_value_of_each_key_at_its_offset_and_leaves_the_active_segment_alone(CompressionType compression)
    {
        var log = ThreeRounds(compression);
        var before = Contents(log);
        var endBefore = log.LogEndOffset;
        var activeBase = log.ActiveSegmentBaseOffset;

        var result = log.Clean(Now);

        Assert.NotNull(result);
        Assert.True(result.Value.RecordsRemoved > 0);
        var after = Contents(log);
        Assert.Equal(endBefore, log.LogEndOffset);
        // Every record left was there, at the same offset; the active segment is untouched.
        Assert.All(after, r => Assert.Contains(r, before));
        Assert.Equal(before.Where(r => r.Offset >= activeBase), after.Where(r => r.Offset >= activeBase));
        // In the sealed segments each key keeps one record: its latest there.
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            var sealedBefore = before.Where(r => r.Key == key && r.Offset < activeBase).ToList();
            var sealedAfter = after.Where(r => r.Key == key && r.Offset < activeBase).ToList();
            Assert.Equal(sealedBefore.Count == 0 ? [] : [sealedBefore[^1]], sealedAfter);
        }
        Assert.All(log.ReadBatches(0), b => Assert.Equal(compression, b.Header.Compression));
        log.Close();
    }

    [Fact]
    public void A_key_superseded_in_a_later_sealed_segment_is_gone_and_reads_skip_the_gap()
    {
        var log = Create(Dir, Compacted);
        log.AppendCopy(Keyed(("k", "old"), ("other", "keep")), Now);
        log.AppendCopy(Keyed(("k", "new" + new string('x', 600))), Now); // rolls: the next append starts a segment
        log.AppendCopy(Keyed(("tail", "active")), Now);

        log.Clean(Now);

        Assert.Equal([(1L, "other", "keep"), (2L, "k", "new" + new string('x', 600)), (3L, "tail", "active")], Contents(log));
        var fromZero = log.ReadBatches(0);
        Assert.Equal(0, fromZero[0].Header.BaseOffset);
        Assert.Equal(1, fromZero[0].ReadRecords().Single().Offset);
        log.Close();
    }

    [Fact]
    public void Tombstones_stay_until_delete_retention_passes_then_go()
    {
        var log = Create(Dir, Compacted);
        log.AppendCopy(Keyed(("gone", "v1"), ("kept", "v")), Now);
        log.AppendCopy(Keyed(("gone", null)), Now);
        log.AppendCopy(Keyed(("filler", new string('x', 700))), Now);
        log.AppendCopy(Keyed(("tail", "active")), Now);

        log.Clean(Now, force: true);
        var afterFirst = Contents(log);
        log.Clean(Now + 59_000, force: true);
        var beforeHorizon = Contents(log);
        log.Clean(Now + 61_000, force: true);
        var afterHorizon = Contents(log);

        Assert.DoesNotContain(afterFirst, r => r.Key == "gone" && r.Value is not null);
        Assert.Contains(afterFirst, r => r.Key == "gone" && r.Value is null);
        Assert.Contains(beforeHorizon, r => r.Key == "gone" && r.Value is null);
        Assert.DoesNotContain(afterHorizon, r => r.Key == "gone");
        Assert.Contains(afterHorizon, r => r.Key == "kept");
        log.Close();
    }

    [Fact]
    public void A_log_below_the_dirty_ratio_is_not_cleaned_unless_forced()
    {
        var log = Create(Dir, Compacted with { MinCleanableDirtyRatio = 0.9 });
        log.AppendCopy(Keyed(("a", new string('x', 700))), Now);
        log.AppendCopy(Keyed(("b", "1")), Now);
        Assert.NotNull(log.Clean(Now, force: true));
        log.AppendCopy(Keyed(("a", new string('y', 100))), Now);
        log.AppendCopy(Keyed(("c", new string('z', 700))), Now);
        log.AppendCopy(Keyed(("d", "1")), Now);

        Assert.Null(log.Clean(Now));
        log.Close();
        var notCompacted = Create(Dir, new LogConfig(), partition: 1);
        notCompacted.AppendCopy(Keyed(("a", new string('x', 700))), Now);
        notCompacted.AppendCopy(Keyed(("a", "1")), Now);
        Assert.Null(notCompacted.Clean(Now, force: true));
        notCompacted.Close();
    }

    [Fact]
    public void A_reader_holding_a_segment_keeps_reading_its_old_bytes_across_the_swap()
    {
        var log = ThreeRounds();
        var read = log.Read(0, int.MaxValue, minOneBatch: true);
        using var slice = read.Records!;
        var expected = new byte[slice.Length];
        slice.CopyTo(0, expected);

        log.Clean(Now);

        var again = new byte[slice.Length];
        slice.CopyTo(0, again);
        Assert.Equal(expected, again);
        log.Close();
    }

    [Fact]
    public void Compacted_segments_reopen_as_they_were()
    {
        var log = ThreeRounds();
        log.Clean(Now);
        var cleaned = Contents(log);
        log.Close();

        var reopened = Open(log.Directory, Compacted, cleanShutdown: false);

        Assert.Equal(cleaned, Contents(reopened));
        // The checkpoint says those segments are clean: the first pass after a start only looks for expired
        // tombstones and rewrites nothing; the next has nothing to do.
        Assert.Equal(0, reopened.Clean(Now)?.Segments);
        Assert.Null(reopened.Clean(Now));
        Assert.Equal(cleaned, Contents(reopened));
        reopened.Close();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_swap_interrupted_by_a_crash_is_finished_or_discarded_at_the_next_open(bool markerWritten)
    {
        var log = ThreeRounds();
        var original = Contents(log);
        log.Close();
        // Stage a cleaned copy the way the cleaner does, then "crash" before the renames.
        var staging = Dir.Combine("staging");
        Directory.CreateDirectory(staging);
        foreach (var file in Directory.EnumerateFiles(log.Directory))
            File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
        var staged = Open(staging, Compacted);
        staged.Clean(Now);
        var compacted = Contents(staged);
        staged.Close();
        var cleaner = Path.Combine(log.Directory, ".cleaner");
        Directory.CreateDirectory(cleaner);
        var first = LogSegment.FileName(0);
        foreach (var extension in new[] { ".log", ".index", ".timeindex" })
            File.Copy(Path.Combine(staging, first + extension), Path.Combine(cleaner, first + extension));
        if (markerWritten)
            File.WriteAllText(Path.Combine(cleaner, "swap"), "");

        var reopened = Open(log.Directory, Compacted, cleanShutdown: false);

        Assert.False(Directory.Exists(cleaner));
        var contents = Contents(reopened);
        var secondSegment = SegmentFiles(reopened.Directory)[1];
        var expected = markerWritten
            ? [.. compacted.Where(r => r.Offset < secondSegment), .. original.Where(r => r.Offset >= secondSegment)]
            : original;
        Assert.NotEqual(original, compacted);
        Assert.Equal(expected, contents);
        reopened.Close();
    }
}
