using BenchmarkDotNet.Attributes;
using Beltline.Protocol.Records;

namespace Beltline.Benchmarks.Protocol;

[MemoryDiagnoser]
public class ProduceValidation
{
    public enum BatchShape
    {
        /// <summary>1 MiB uncompressed batch of 1 KiB records (1,013 records).</summary>
        Records1KiB,

        /// <summary>1 MiB uncompressed batch of 100 B records (9,446 records).</summary>
        Records100B,

        /// <summary>The 1 KiB-record batch compressed with lz4: header and CRC only, records are not walked.</summary>
        Lz4Records1KiB,
    }

    private byte[] _batch = [];

    [Params(BatchShape.Records1KiB, BatchShape.Records100B, BatchShape.Lz4Records1KiB)]
    public BatchShape Shape { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _batch = Shape switch
        {
            BatchShape.Records1KiB => BenchmarkData.Batch(BenchmarkData.KiB),
            BatchShape.Records100B => BenchmarkData.Batch(100),
            _ => BenchmarkData.Batch(BenchmarkData.KiB, CompressionType.Lz4),
        };
        var result = ProduceRecordsValidator.Validate(_batch);
        if (!result.IsValid)
            throw new InvalidOperationException($"Benchmark batch does not validate: {result.ErrorMessage}");
        Console.WriteLine($"// {Shape}: {_batch.Length:N0} bytes, {result.RecordCount:N0} records");
    }

    // ProduceHandler's check of one partition's records before the append: CRC, header rules, and for
    // uncompressed batches a walk over every record's framing.
    [Benchmark]
    public ProduceValidationResult Validate() => ProduceRecordsValidator.Validate(_batch);
}
