using System.Buffers;
using BenchmarkDotNet.Attributes;
using Beltline.Protocol;
using Beltline.Protocol.Messages;

namespace Beltline.Benchmarks.Protocol;

[MemoryDiagnoser]
public class RequestParsing
{
    /// <summary>What a current librdkafka (Confluent.Kafka 2.16) sends: Produce v10, flexible header v2.</summary>
    private const short ProduceVersion = 10;

    private byte[] _produceBody = [];

    [GlobalSetup]
    public void GlobalSetup()
    {
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 30_000,
            Topics = [new ProduceTopicData { Name = "bench", Partitions = [new ProducePartitionData { Index = 0, Records = BenchmarkData.Batch(BenchmarkData.KiB) }] }],
        };
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        new RequestHeader(ApiKey.Produce, ProduceVersion, 42, "rdkafka").Write(ref writer);
        request.Write(ref writer, ProduceVersion);
        writer.Commit();
        _produceBody = buffer.WrittenSpan.ToArray();
    }

    // KafkaConnection reading a frame's request header, then RequestHandler decoding the Produce body
    // (one topic, one partition, a 1 MiB batch that stays a slice of the frame).
    [Benchmark]
    public ProduceRequest ReadProduceRequest()
    {
        var reader = new KafkaReader(_produceBody);
        var header = RequestHeader.Read(ref reader);
        return ProduceRequest.Read(ref reader, header.ApiVersion);
    }
}
