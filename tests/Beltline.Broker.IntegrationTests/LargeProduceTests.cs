using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Protocol.Records;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// Produce frames large enough to be read past the connection's pipe, straight into a buffer placed for direct
/// I/O (64 KiB and up): whatever the version, the pipelining, the way the bytes trickle in or the client going
/// away, what is fetched back is exactly what was produced.
/// </summary>
public sealed class LargeProduceTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public async Task Large_batches_sent_back_to_back_read_back_exactly(short version)
    {
        var topic = $"large-pipelined-v{version}";
        await CreateTopicAsync(fixture, topic);
        var random = new Random(version);
        var batches = Enumerable.Range(0, 12).Select(_ => RandomBatch(random, random.Next(70_000, 600_000))).ToList();
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);

        // All requests first, then all answers: later frames arrive while earlier ones are still being handled.
        var correlations = new List<int>();
        foreach (var batch in batches)
            correlations.Add(await connection.SendRequestAsync(Produce(topic, (0, batch.Bytes)), ApiKey.Produce, version));
        var expectedOffset = 0L;
        foreach (var (correlation, batch) in correlations.Zip(batches))
        {
            var partition = (await ReadResponseAsync<ProduceResponse>(connection, correlation, version)).Topics[0].Partitions[0];
            Assert.Equal(ErrorCode.None, partition.ErrorCode);
            Assert.Equal(expectedOffset, partition.BaseOffset);
            expectedOffset += batch.Values.Count;
        }

        await AssertLogHoldsAsync(connection, topic, 0, batches);
    }

    [Fact]
    public async Task Every_partition_of_a_large_multi_partition_request_is_stored_exactly()
    {
        const string topic = "large-partitions";
        await CreateTopicAsync(fixture, topic, partitions: 3);
        var random = new Random(3);
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var stored = new List<ProducedBatch>[3];
        for (var p = 0; p < stored.Length; p++)
            stored[p] = [];

        for (var round = 0; round < 3; round++)
        {
            // Frames of ~0.9-2.1 MB: received into pooled arrays, or past 1 MiB into native huge-page buffers.
            var batches = Enumerable.Range(0, 3).Select(_ => RandomBatch(random, random.Next(300_000, 700_000))).ToArray();
            var response = await connection.SendAsync<ProduceResponse>(
                Produce(topic, [.. batches.Select((b, p) => (p, b.Bytes))]), ApiKey.Produce, 9);
            Assert.All(response.Topics[0].Partitions, p => Assert.Equal(ErrorCode.None, p.ErrorCode));
            for (var p = 0; p < batches.Length; p++)
                stored[p].Add(batches[p]);
        }

        for (var p = 0; p < stored.Length; p++)
            await AssertLogHoldsAsync(connection, topic, p, stored[p]);
    }

    [Fact]
    public async Task A_large_frame_that_trickles_in_is_received_whole()
    {
        const string topic = "large-trickle";
        await CreateTopicAsync(fixture, topic);
        var batch = RandomBatch(new Random(7), 400_000);
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);

        var frame = Frame(Produce(topic, (0, batch.Bytes)), version: 9, correlationId: 1);
        for (var sent = 0; sent < frame.Length; sent += 9_000)
        {
            await connection.SendRawAsync(frame.AsMemory(sent, Math.Min(9_000, frame.Length - sent)));
            await Task.Delay(sent % 90_000 == 0 ? 5 : 0);
        }
        var response = await ReadResponseAsync<ProduceResponse>(connection, 1, 9);

        Assert.Equal(ErrorCode.None, response.Topics[0].Partitions[0].ErrorCode);
        await AssertLogHoldsAsync(connection, topic, 0, [batch]);
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_frame_stores_nothing_and_others_are_served()
    {
        const string topic = "large-abandoned";
        await CreateTopicAsync(fixture, topic);
        var frame = Frame(Produce(topic, (0, RandomBatch(new Random(11), 500_000).Bytes)), version: 9, correlationId: 1);
        await using (var leaving = await RawKafkaConnection.ConnectAsync(fixture.Broker))
            await leaving.SendRawAsync(frame.AsMemory(0, 200_000));

        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var batch = RandomBatch(new Random(12), 100_000);
        var response = await connection.SendAsync<ProduceResponse>(Produce(topic, (0, batch.Bytes)), ApiKey.Produce, 9);

        Assert.Equal(0L, response.Topics[0].Partitions[0].BaseOffset);
        await AssertLogHoldsAsync(connection, topic, 0, [batch]);
    }

    /// <summary>A batch's bytes and the values of its records.</summary>
    private sealed record ProducedBatch(byte[] Bytes, List<byte[]> Values);

    /// <summary>Records of random sizes and contents, filling about <paramref name="bytes"/>.</summary>
    private static ProducedBatch RandomBatch(Random random, int bytes)
    {
        var builder = new RecordBatchBuilder();
        var values = new List<byte[]>();
        for (var total = 0; total < bytes;)
        {
            var value = new byte[random.Next(50, 5_000)];
            random.NextBytes(value);
            builder.Add(null, value, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            values.Add(value);
            total += value.Length;
        }
        return new ProducedBatch(builder.Build(), values);
    }

    private static ProduceRequest Produce(string topic, params (int Partition, byte[] Batch)[] batches) => new()
    {
        Acks = -1,
        TimeoutMs = 10_000,
        Topics = [new ProduceTopicData { Name = topic, Partitions = [.. batches.Select(b => new ProducePartitionData { Index = b.Partition, Records = b.Batch })] }],
    };

    private static byte[] Frame(IKafkaMessage request, short version, int correlationId) =>
        RawKafkaConnection.EncodeFrame(request, ApiKey.Produce, version, correlationId);

    private static async Task<T> ReadResponseAsync<T>(RawKafkaConnection connection, int correlationId, short version) where T : IKafkaMessage<T>
    {
        var body = await connection.ReadFrameAsync().WaitAsync(Patience) ?? throw new IOException("The broker closed the connection.");
        var reader = new KafkaReader(body);
        Assert.Equal(correlationId, ResponseHeader.Read(ref reader, ApiSpec.UsesFlexibleResponseHeader(ApiKey.Produce, version)));
        return KafkaCodec.Deserialize<T>(body[reader.Position..], version);
    }

    /// <summary>Fetches the whole partition: the batches in order, each with valid CRC, consecutive offsets and the produced values.</summary>
    private static async Task AssertLogHoldsAsync(RawKafkaConnection connection, string topic, int partition, IReadOnlyList<ProducedBatch> expected)
    {
        var fetched = new List<RecordBatch>();
        var offset = 0L;
        while (fetched.Count < expected.Count)
        {
            var response = await connection.SendAsync<FetchResponse>(new FetchRequest
            {
                MaxWaitMs = 0,
                MinBytes = 1,
                MaxBytes = 16 << 20,
                Topics = [new FetchTopic { Topic = topic, Partitions = [new FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = 16 << 20 }] }],
            }, ApiKey.Fetch, 12);
            var data = response.Topics[0].Partitions[0];
            Assert.Equal(ErrorCode.None, data.ErrorCode);
            var batches = RecordBatch.ReadAll(((MemoryPayload)data.Records!).Bytes).ToList();
            Assert.NotEmpty(batches);
            fetched.AddRange(batches);
            offset = batches[^1].Header.LastOffset + 1;
        }

        Assert.Equal(expected.Count, fetched.Count);
        var next = 0L;
        foreach (var (batch, produced) in fetched.Zip(expected))
        {
            Assert.True(batch.IsCrcValid);
            Assert.Equal(next, batch.Header.BaseOffset);
            Assert.Equal(produced.Bytes.Length, batch.Bytes.Length);
            var values = batch.ReadRecords().Select(r => r.Value!.Value.ToArray()).ToList();
            Assert.Equal(produced.Values.Count, values.Count);
            Assert.All(values.Zip(produced.Values), pair => Assert.Equal(pair.Second, pair.First));
            next = batch.Header.LastOffset + 1;
        }
    }
}
