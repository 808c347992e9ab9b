using BenchmarkDotNet.Attributes;
using Beltline.Protocol;

namespace Beltline.Benchmarks.Protocol;

[MemoryDiagnoser]
public class Crc32COperations
{
    private byte[] _data = [];

    [Params(BenchmarkData.KiB, BenchmarkData.MiB)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _data = new byte[Bytes];
        new Random(42).NextBytes(_data);
    }

    // The CRC check of every produced batch (ProduceRecordsValidator) and of every batch a segment recovery scans.
    [Benchmark]
    public uint Compute() => Crc32C.Compute(_data);
}
