using System.Text;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Protocol.Records;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// The fixed old versions that clients which never ask (sarama) or ask in v0 (kafka-python) send: the broker
/// must answer each in that version's format.
/// </summary>
public sealed class OldClientVersionsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task ApiVersions_v0_then_Metadata_v0_lists_every_topic_for_an_empty_array()
    {
        await CreateTopicAsync(fixture, "old-listed", partitions: 2);
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);

        var versions = await connection.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), ApiKey.ApiVersions, 0);
        var all = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, ApiKey.Metadata, 0);
        var none = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, ApiKey.Metadata, 1);

        Assert.Contains(versions.ApiKeys, r => r.ApiKey == ApiKey.Metadata && r.MinVersion == 0 && r.MaxVersion == 12);
        Assert.Contains(versions.ApiKeys, r => r.ApiKey == ApiKey.Produce && r.MinVersion == 0);
        Assert.Equal(2, all.Topics.Single(t => t.Name == "old-listed").Partitions.Count);
        Assert.Equal(fixture.Broker.Port, Assert.Single(all.Brokers).Port);
        Assert.Empty(none.Topics);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public async Task Metadata_v1_and_v5_with_a_null_array_list_every_topic_with_controller_and_offline_replicas(short version)
    {
        await CreateTopicAsync(fixture, $"old-meta-{version}");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);

        var response = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, ApiKey.Metadata, version);
        var topic = response.Topics.Single(t => t.Name == $"old-meta-{version}");

        Assert.Equal(fixture.Broker.NodeId, response.ControllerId);
        Assert.Equal([fixture.Broker.NodeId], topic.Partitions[0].IsrNodes);
        Assert.Empty(topic.Partitions[0].OfflineReplicas);
    }

    [Fact]
    public async Task Produce_v3_and_Fetch_v4_as_sarama_sends_them_round_trip_records()
    {
        await CreateTopicAsync(fixture, "old-produce");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var batch = new RecordBatchBuilder().Add(Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("sarama"), now).Add(null, Encoding.UTF8.GetBytes("again"), now).Build();

        var produced = await connection.SendAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 5000,
            Topics = [new ProduceTopicData { Name = "old-produce", Partitions = [new ProducePartitionData { Index = 0, Records = batch }] }],
        }, ApiKey.Produce, 3);
        var fetched = await connection.SendAsync<FetchResponse>(new FetchRequest
        {
            MaxWaitMs = 100,
            MinBytes = 1,
            Topics = [new FetchTopic { Topic = "old-produce", Partitions = [new FetchPartition { Partition = 0, FetchOffset = 1, PartitionMaxBytes = 1 << 20 }] }],
        }, ApiKey.Fetch, 4);
        var partition = fetched.Topics[0].Partitions[0];
        var records = RecordBatch.ReadAll(((MemoryPayload)partition.Records!).Bytes).SelectMany(b => b.ReadRecords()).ToList();

        Assert.Equal(ErrorCode.None, produced.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(0, produced.Topics[0].Partitions[0].BaseOffset);
        Assert.Equal(ErrorCode.None, partition.ErrorCode);
        Assert.Equal(2, partition.HighWatermark);
        // Fetching from offset 1 returns the whole batch that holds it, as Kafka does.
        Assert.Equal(["sarama", "again"], records.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
        Assert.Equal([0L, 1L], records.Select(r => r.Offset));
    }

    [Fact]
    public async Task ListOffsets_v0_answers_with_old_style_offsets_and_v1_with_offset_and_timestamp()
    {
        await CreateTopicAsync(fixture, "old-offsets");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var batch = new RecordBatchBuilder().Add(null, Encoding.UTF8.GetBytes("one"), 1_000).Add(null, Encoding.UTF8.GetBytes("two"), 2_000).Build();
        await connection.SendAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = 1,
            Topics = [new ProduceTopicData { Name = "old-offsets", Partitions = [new ProducePartitionData { Index = 0, Records = batch }] }],
        }, ApiKey.Produce, 3);

        ListOffsetsRequest Query(long timestamp) => new()
        {
            Topics = [new ListOffsetsTopic { Name = "old-offsets", Partitions = [new ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp }] }],
        };
        var latestV0 = await connection.SendAsync<ListOffsetsResponse>(Query(ListOffsetsRequest.LatestTimestamp), ApiKey.ListOffsets, 0);
        var earliestV0 = await connection.SendAsync<ListOffsetsResponse>(Query(ListOffsetsRequest.EarliestTimestamp), ApiKey.ListOffsets, 0);
        var byTimeV1 = await connection.SendAsync<ListOffsetsResponse>(Query(1_500), ApiKey.ListOffsets, 1);

        Assert.Equal([2L], latestV0.Topics[0].Partitions[0].OldStyleOffsets);
        Assert.Equal([0L], earliestV0.Topics[0].Partitions[0].OldStyleOffsets);
        Assert.Equal((1L, 2_000L), (byTimeV1.Topics[0].Partitions[0].Offset, byTimeV1.Topics[0].Partitions[0].Timestamp));
    }
}
