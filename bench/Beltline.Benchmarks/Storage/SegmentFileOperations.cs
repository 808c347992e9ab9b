using BenchmarkDotNet.Attributes;
using Beltline.Broker.Storage;

namespace Beltline.Benchmarks.Storage;

/// <remarks>
/// Each iteration appends to a file emptied in <see cref="IterationSetup"/>: cutting a file back costs tens of
/// milliseconds per GiB, which must not be spread over the appends, and the file never grows past 512 MiB.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(512)]
public class SegmentFileOperations
{
    /// <summary>1 KiB appends per invocation of <see cref="Append1KiB"/>: 512 x 64 = 32 MiB per iteration.</summary>
    private const int SmallAppendsPerInvoke = 64;

    private string _directory = "";
    private SegmentFile? _file;
    private readonly byte[] _kib = new byte[BenchmarkData.KiB];
    private readonly byte[] _mib = new byte[BenchmarkData.MiB];

    [Params(true, false)]
    public bool DirectIo { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = BenchmarkData.TempDirectory("segment-file");
        _file = SegmentFile.Open(Path.Combine(_directory, "00000000000000000000.log"), DirectIo);
        if (_file.Direct != DirectIo)
            throw new InvalidOperationException($"Direct I/O {(DirectIo ? "unavailable" : "forced")} in {_directory}.");
        var random = new Random(42);
        random.NextBytes(_kib);
        random.NextBytes(_mib);
    }

    [IterationSetup]
    public void IterationSetup() => _file!.SetLength(0);

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _file?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    // LogSegment.Append's file write for a small produce (one 1 KiB batch): a pwrite into the page cache, or with
    // O_DIRECT the partial tail block plus the new bytes written again as whole 4 KiB blocks.
    [Benchmark(OperationsPerInvoke = SmallAppendsPerInvoke)]
    public long Append1KiB()
    {
        for (var i = 0; i < SmallAppendsPerInvoke; i++)
            _file!.Append(_kib);
        return _file!.Length;
    }

    // The same for a full 1 MiB batch: with O_DIRECT, staged behind the tail block in an aligned buffer first.
    [Benchmark]
    public long Append1MiB()
    {
        _file!.Append(_mib);
        return _file.Length;
    }
}
