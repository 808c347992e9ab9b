using System.Text;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Protocol.Records;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Fetch semantics at the wire: empty partitions, long polls, byte limits, topic ids.</summary>
public sealed class FetchTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task An_empty_partition_answers_with_empty_non_null_records()
    {
        await CreateTopicAsync(fixture, "fetch-empty");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);

        var response = await connection.SendAsync<FetchResponse>(Fetch("fetch-empty", maxWaitMs: 0), ApiKey.Fetch, 12);
        var partition = response.Topics[0].Partitions[0];

        Assert.Equal(ErrorCode.None, partition.ErrorCode);
        Assert.Equal(0, partition.HighWatermark);
        Assert.NotNull(partition.Records);
        Assert.Equal(0, partition.Records!.Length);
    }

    [Fact]
    public async Task A_long_poll_returns_as_soon_as_records_arrive()
    {
        await CreateTopicAsync(fixture, "fetch-wake");
        await using var poller = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        await using var producer = await RawKafkaConnection.ConnectAsync(fixture.Broker);

        // Waits up to a minute for data; the read below gives up after 30 s, so only a wake-up passes.
        var correlation = await poller.SendRequestAsync(Fetch("fetch-wake", maxWaitMs: 60_000), ApiKey.Fetch, 12);
        await Task.Delay(200);
        await producer.SendAsync<ProduceResponse>(Produce("fetch-wake", Batch(1, 100)), ApiKey.Produce, 9);
        var frame = await poller.ReadFrameAsync().WaitAsync(Patience);
        var reader = new KafkaReader(frame!.Value);
        Assert.Equal(correlation, ResponseHeader.Read(ref reader, flexible: true));
        var response = KafkaCodec.Deserialize<FetchResponse>(frame.Value[reader.Position..], 12);

        Assert.Equal(1, response.Topics[0].Partitions[0].HighWatermark);
        Assert.Single(Batches(response));
    }

    [Fact]
    public async Task Partition_max_bytes_stops_after_the_limit_but_never_before_one_whole_batch()
    {
        await CreateTopicAsync(fixture, "fetch-limit");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        for (var i = 0; i < 3; i++)
            await connection.SendAsync<ProduceResponse>(Produce("fetch-limit", Batch(4, 500)), ApiKey.Produce, 9);
        var batchSize = Batch(4, 500).Length;

        var limited = await connection.SendAsync<FetchResponse>(Fetch("fetch-limit", maxWaitMs: 0, partitionMaxBytes: batchSize + 100), ApiKey.Fetch, 12);
        var tiny = await connection.SendAsync<FetchResponse>(Fetch("fetch-limit", maxWaitMs: 0, partitionMaxBytes: 10), ApiKey.Fetch, 12);
        var fromInside = await connection.SendAsync<FetchResponse>(Fetch("fetch-limit", maxWaitMs: 0, offset: 6), ApiKey.Fetch, 12);

        Assert.Equal(batchSize + 100, limited.Topics[0].Partitions[0].Records!.Length);
        Assert.Single(Batches(limited)); // the second batch is cut, as Kafka cuts it; clients drop the partial tail
        Assert.Equal(batchSize, tiny.Topics[0].Partitions[0].Records!.Length); // KIP-74: the first batch comes whole
        Assert.Equal(4L, Batches(fromInside).First().Header.BaseOffset); // offset 6 lives in the batch at 4
    }

    [Fact]
    public async Task Fetch_by_topic_id_and_unknown_ids()
    {
        await CreateTopicAsync(fixture, "fetch-by-id");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        await connection.SendAsync<ProduceResponse>(Produce("fetch-by-id", Batch(2, 10)), ApiKey.Produce, 9);
        var metadata = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = "fetch-by-id" }] }, ApiKey.Metadata, 12);
        var id = metadata.Topics[0].TopicId;

        FetchRequest ById(KafkaUuid topicId) => new()
        {
            Topics = [new FetchTopic { TopicId = topicId, Partitions = [new FetchPartition { Partition = 0, PartitionMaxBytes = 1 << 20 }] }],
        };
        var known = await connection.SendAsync<FetchResponse>(ById(id), ApiKey.Fetch, 13);
        var unknown = await connection.SendAsync<FetchResponse>(ById(KafkaUuid.NewRandom()), ApiKey.Fetch, 16);

        Assert.Equal(id, known.Topics[0].TopicId);
        Assert.Equal(2, known.Topics[0].Partitions[0].HighWatermark);
        Assert.Equal(ErrorCode.UnknownTopicId, unknown.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task A_topic_with_its_own_compression_type_stores_batches_in_that_codec()
    {
        using (var admin = new Confluent.Kafka.AdminClientBuilder(fixture.AdminConfig()).Build())
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification
            {
                Name = "recompressed", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["compression.type"] = "lz4" },
            }]);
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var batch = Batch(records: 20, valueBytes: 200);
        await connection.SendAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 10_000,
            Topics = [new ProduceTopicData { Name = "recompressed", Partitions = [new ProducePartitionData { Index = 0, Records = batch }] }],
        }, ApiKey.Produce, 9);

        var stored = Batches(await connection.SendAsync<FetchResponse>(Fetch("recompressed", maxWaitMs: 0), ApiKey.Fetch, 12));

        var single = Assert.Single(stored);
        Assert.Equal(CompressionType.Lz4, single.Header.Compression);
        Assert.True(single.IsCrcValid);
        Assert.Equal(RecordBatch.Read(batch).ReadRecords().Select(r => r.Value!.Value.ToArray()), single.ReadRecords().Select(r => r.Value!.Value.ToArray()));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), single.ReadRecords().Select(r => r.Offset));
    }

    private static FetchRequest Fetch(string topic, int maxWaitMs, int partitionMaxBytes = 1 << 20, long offset = 0) => new()
    {
        MaxWaitMs = maxWaitMs,
        MinBytes = 1,
        Topics = [new FetchTopic { Topic = topic, Partitions = [new FetchPartition { Partition = 0, FetchOffset = offset, PartitionMaxBytes = partitionMaxBytes }] }],
    };

    private static byte[] Batch(int records, int valueBytes)
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < records; i++)
            builder.Add(null, Encoding.UTF8.GetBytes(new string('v', valueBytes)), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return builder.Build();
    }

    private static ProduceRequest Produce(string topic, byte[] batch) => new()
    {
        Acks = -1,
        Topics = [new ProduceTopicData { Name = topic, Partitions = [new ProducePartitionData { Index = 0, Records = batch }] }],
    };

    private static List<RecordBatch> Batches(FetchResponse response) =>
        [.. RecordBatch.ReadAll(((MemoryPayload)response.Topics[0].Partitions[0].Records!).Bytes)];
}
