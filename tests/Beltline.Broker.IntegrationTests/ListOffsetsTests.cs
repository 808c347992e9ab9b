using System.Text;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Protocol.Records;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>ListOffsets v7+ specials at the wire (max timestamp, KIP-734) alongside earliest/latest.</summary>
public sealed class ListOffsetsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Max_timestamp_finds_the_record_with_the_largest_timestamp_even_inside_a_compressed_batch()
    {
        await CreateTopicAsync(fixture, "max-timestamp");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var first = new RecordBatchBuilder().Add(null, Encoding.UTF8.GetBytes("a"), 5_000).Add(null, Encoding.UTF8.GetBytes("b"), 9_000).Build();
        var second = new RecordBatchBuilder { Compression = CompressionType.Lz4 }
            .Add(null, Encoding.UTF8.GetBytes("c"), 7_000).Add(null, Encoding.UTF8.GetBytes("d"), 12_000).Add(null, Encoding.UTF8.GetBytes("e"), 8_000).Build();
        foreach (var batch in new[] { first, second })
            await connection.SendAsync<ProduceResponse>(new ProduceRequest
            {
                Acks = -1,
                Topics = [new ProduceTopicData { Name = "max-timestamp", Partitions = [new ProducePartitionData { Index = 0, Records = batch }] }],
            }, ApiKey.Produce, 9);

        ListOffsetsRequest Query(long timestamp) => new()
        {
            Topics = [new ListOffsetsTopic { Name = "max-timestamp", Partitions = [new ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp }] }],
        };
        var max = (await connection.SendAsync<ListOffsetsResponse>(Query(ListOffsetsRequest.MaxTimestamp), ApiKey.ListOffsets, 7)).Topics[0].Partitions[0];
        var earliest = (await connection.SendAsync<ListOffsetsResponse>(Query(ListOffsetsRequest.EarliestTimestamp), ApiKey.ListOffsets, 8)).Topics[0].Partitions[0];
        var latest = (await connection.SendAsync<ListOffsetsResponse>(Query(ListOffsetsRequest.LatestTimestamp), ApiKey.ListOffsets, 8)).Topics[0].Partitions[0];
        var byTime = (await connection.SendAsync<ListOffsetsResponse>(Query(7_500), ApiKey.ListOffsets, 8)).Topics[0].Partitions[0];

        Assert.Equal((3L, 12_000L), (max.Offset, max.Timestamp));
        Assert.Equal(0, earliest.Offset);
        Assert.Equal(5, latest.Offset);
        // The first record at or after 7,500 in offset order is "b" (9,000) at offset 1.
        Assert.Equal((1L, 9_000L), (byTime.Offset, byTime.Timestamp));
    }

    [Fact]
    public async Task A_stored_batch_that_does_not_decompress_answers_corrupt_message_for_its_partition_only()
    {
        await CreateTopicAsync(fixture, "bad-lz4", partitions: 2);
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var good = new RecordBatchBuilder().Add(null, Encoding.UTF8.GetBytes("fine"), 5_000).Build();
        // Compressed batches are checked to header and CRC depth on produce; garbage inside passes, with a valid CRC.
        var bad = new RecordBatchBuilder { Compression = CompressionType.Lz4 }.Add(null, Encoding.UTF8.GetBytes(new string('x', 200)), 5_000).Build();
        new Random(3).NextBytes(bad.AsSpan(RecordBatchHeader.HeaderSize));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bad.AsSpan(RecordBatchHeader.CrcPosition), RecordBatchHeader.ComputeCrc(bad));
        await connection.SendAsync<ProduceResponse>(new ProduceRequest
        {
            Acks = -1,
            Topics = [new ProduceTopicData { Name = "bad-lz4", Partitions = [new() { Index = 0, Records = bad }, new() { Index = 1, Records = good }] }],
        }, ApiKey.Produce, 9);

        var response = await connection.SendAsync<ListOffsetsResponse>(new ListOffsetsRequest
        {
            Topics = [new ListOffsetsTopic { Name = "bad-lz4", Partitions = [new() { PartitionIndex = 0, Timestamp = 1_000 }, new() { PartitionIndex = 1, Timestamp = 1_000 }] }],
        }, ApiKey.ListOffsets, 8);

        Assert.Equal(ErrorCode.CorruptMessage, response.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((ErrorCode.None, 0L), (response.Topics[0].Partitions[1].ErrorCode, response.Topics[0].Partitions[1].Offset));
    }
}
