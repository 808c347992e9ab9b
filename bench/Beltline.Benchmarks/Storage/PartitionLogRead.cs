using BenchmarkDotNet.Attributes;
using Beltline.Broker.Storage;
using Beltline.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Benchmarks.Storage;

[MemoryDiagnoser]
public class PartitionLogRead
{
    /// <summary>The log read from: 256 batches of 1 MiB (1 KiB records).</summary>
    private const int Batches = 256;

    /// <summary>KafkaWriter.WriteRaw asks the connection's pipe for at most this much at a time.</summary>
    private const int PipeChunk = 64 * 1024;

    private string _directory = "";
    private PartitionLog? _log;
    private long[] _offsets = [];
    private int _next;
    private readonly byte[] _destination = new byte[BenchmarkData.MiB];

    [Params(true, false)]
    public bool DirectIo { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = BenchmarkData.TempDirectory("partition-log-read");
        _log = PartitionLog.Create(_directory, "bench", 0, new KafkaUuid(1, 2), new LogConfig(), NullLogger.Instance, DirectIo);
        var batch = BenchmarkData.Batch(BenchmarkData.KiB);
        for (var i = 0; i < Batches; i++)
            _log.Append(batch, BenchmarkData.BaseTimestamp);
        _log.Flush();
        var random = new Random(42);
        _offsets = [.. Enumerable.Range(0, 1024).Select(_ => random.NextInt64(_log.LogEndOffset))];
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _log?.Close(deleteFiles: true);
        Directory.Delete(_directory, recursive: true);
    }

    // FetchHandler reading one partition at a random offset (offset index lookup, batch header walk,
    // max.partition.bytes 1 MiB, so about one batch), then the whole slice copied out in one call.
    [Benchmark]
    public int Read()
    {
        var read = _log!.Read(_offsets[_next++ & 1023], BenchmarkData.MiB, minOneBatch: true);
        using var slice = read.Records!;
        slice.CopyTo(0, _destination.AsSpan(0, slice.Length));
        return slice.Length;
    }

    // The same read copied out the way the Fetch response really is: KafkaWriter.WriteRaw fills the connection's
    // pipe 64 KiB at a time, and with direct I/O each piece is a read of its own.
    [Benchmark]
    public int ReadInPipeChunks()
    {
        var read = _log!.Read(_offsets[_next++ & 1023], BenchmarkData.MiB, minOneBatch: true);
        using var slice = read.Records!;
        for (var offset = 0; offset < slice.Length; offset += PipeChunk)
            slice.CopyTo(offset, _destination.AsSpan(offset, Math.Min(PipeChunk, slice.Length - offset)));
        return slice.Length;
    }
}
