using System.Buffers;
using BenchmarkDotNet.Attributes;
using Beltline.Protocol;
using Beltline.Protocol.Messages;

namespace Beltline.Benchmarks.Protocol;

[MemoryDiagnoser]
public class ResponseWriting
{
    private const short FetchVersion = 16;
    private const short MetadataVersion = 12;

    private readonly ArrayBufferWriter<byte> _output = new(8 * BenchmarkData.MiB);
    private FetchResponse _fetch = new();
    private MetadataResponse _metadata = new();

    [GlobalSetup]
    public void GlobalSetup()
    {
        var records = new MemoryPayload(BenchmarkData.Batch(BenchmarkData.KiB));
        _fetch = new FetchResponse
        {
            Topics =
            [
                new FetchTopicResponse
                {
                    Topic = "bench",
                    TopicId = new KafkaUuid(0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321),
                    Partitions = [.. Enumerable.Range(0, 4).Select(p => new FetchPartitionResponse
                    {
                        PartitionIndex = p,
                        HighWatermark = 1_000_000,
                        LastStableOffset = 1_000_000,
                        LogStartOffset = 0,
                        Records = records,
                    })],
                },
            ],
        };

        _metadata = new MetadataResponse
        {
            Brokers = [new MetadataBroker { NodeId = 1, Host = "broker-1.example.internal", Port = 9092 }],
            ClusterId = "beltline-bench-cluster",
            ControllerId = 1,
            Topics = [.. Enumerable.Range(0, 100).Select(t => new MetadataTopic
            {
                Name = $"orders.events.topic-{t:D3}",
                TopicId = new KafkaUuid(t + 1, ~t),
                Partitions = [.. Enumerable.Range(0, 10).Select(p => new MetadataPartition
                {
                    PartitionIndex = p,
                    LeaderId = 1,
                    LeaderEpoch = 0,
                    ReplicaNodes = [1],
                    IsrNodes = [1],
                })],
            })],
        };
    }

    // KafkaConnection writing a Fetch v16 response of 4 partitions x 1 MiB of records held in memory;
    // the records are copied into the output as the pipe's buffers allow (here one contiguous buffer).
    [Benchmark]
    public int WriteFetchResponse()
    {
        _output.ResetWrittenCount();
        var writer = new KafkaWriter(_output);
        _fetch.Write(ref writer, FetchVersion);
        writer.Commit();
        return _output.WrittenCount;
    }

    // KafkaConnection writing a Metadata v12 response for 100 topics x 10 partitions (a client's full refresh).
    [Benchmark]
    public int WriteMetadataResponse()
    {
        _output.ResetWrittenCount();
        var writer = new KafkaWriter(_output);
        _metadata.Write(ref writer, MetadataVersion);
        writer.Commit();
        return _output.WrittenCount;
    }
}
