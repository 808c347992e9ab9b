using BenchmarkDotNet.Attributes;
using Beltline.Broker.Storage;
using Beltline.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Benchmarks.Storage;

/// <remarks>
/// Each iteration appends <see cref="AppendsPerIteration"/> batches to a log created empty in
/// <see cref="IterationSetup"/>. Dropping a log costs far more than appending to it (deleting 512 MiB of segment
/// took 0.1-0.4 s here, the most with the pages still in the page cache), so it must stay outside the measured
/// calls; 512 MiB also stays below the 1 GiB segment, so no roll (and its background fsync) is measured either.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(AppendsPerIteration)]
public class PartitionLogAppend
{
    private const int AppendsPerIteration = 512;
    private const long Now = BenchmarkData.BaseTimestamp;

    private static readonly KafkaUuid TopicId = new(1, 2);
    private static readonly LogConfig Config = new();

    private string _directory = "";
    private PartitionLog? _log;
    private byte[] _batch = [];

    [Params(true, false)]
    public bool DirectIo { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = BenchmarkData.TempDirectory("partition-log-append");
        _batch = BenchmarkData.Batch(BenchmarkData.KiB);
    }

    [IterationSetup]
    public void IterationSetup()
    {
        _log?.Close(deleteFiles: true);
        _log = PartitionLog.Create(_directory, "bench", 0, TopicId, Config, NullLogger.Instance, DirectIo);
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _log?.Close(deleteFiles: true);
        Directory.Delete(_directory, recursive: true);
    }

    // ProduceHandler appending one validated 1 MiB batch of 1 KiB records: offsets and leader epoch stamped in
    // place, the segment file write, offset/time index upkeep. The same buffer is appended every time: Append
    // overwrites baseOffset and partitionLeaderEpoch, which the CRC does not cover, so each call writes a correct
    // batch and no copy is measured.
    [Benchmark]
    public long Append() => _log!.Append(_batch, Now).LastOffset;
}
