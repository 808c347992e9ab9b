using System.Buffers.Binary;
using System.Text;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Protocol.Records;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;
using ErrorCode = Beltline.Protocol.ErrorCode;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// Bad input gets the right Kafka error, or only the offending connection is closed; the broker keeps serving
/// everyone else.
/// </summary>
public sealed class BadInputTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task Oversized_frame_closes_that_connection_only()
    {
        await using var healthy = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        await using var bad = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, 200 * 1024 * 1024);

        await bad.SendRawAsync(size);
        await bad.SendRawAsync(new byte[1024]);

        Assert.True(await bad.IsClosedByBrokerAsync());
        await AssertServesAsync(healthy);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(3)]
    public async Task Negative_sizes_and_frames_too_short_for_a_header_close_the_connection(int size)
    {
        await using var bad = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, size);

        await bad.SendRawAsync(prefix);
        await bad.SendRawAsync(new byte[Math.Max(size, 0)]);

        Assert.True(await bad.IsClosedByBrokerAsync());
        await AssertServesAsync();
    }

    [Fact]
    public async Task Unknown_api_keys_and_unsupported_versions_close_the_connection()
    {
        await using var unknownKey = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        await unknownKey.SendFrameAsync(HeaderOnly((ApiKey)9999, 0));
        await using var tooNew = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        await tooNew.SendRequestAsync(new MetadataRequest(), ApiKey.Metadata, 12);
        await tooNew.ReadFrameAsync();
        await tooNew.SendFrameAsync(HeaderOnly(ApiKey.Metadata, 13));

        Assert.True(await unknownKey.IsClosedByBrokerAsync());
        Assert.True(await tooNew.IsClosedByBrokerAsync());
        await AssertServesAsync();
    }

    [Fact]
    public async Task ApiVersions_with_an_unknown_version_answers_in_v0_with_the_supported_ranges()
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        await connection.SendFrameAsync(HeaderOnly(ApiKey.ApiVersions, 42));

        var body = await connection.ReadFrameAsync();
        var response = KafkaCodec.Deserialize<ApiVersionsResponse>(body!.Value[4..], 0);

        Assert.Equal(ErrorCode.UnsupportedVersion, response.ErrorCode);
        Assert.Contains(response.ApiKeys, r => r.ApiKey == ApiKey.ApiVersions && r.MaxVersion == 3);
        await AssertServesAsync(connection);
    }

    [Fact]
    public async Task Truncated_and_garbled_bodies_close_the_connection()
    {
        var full = Request(new MetadataRequest { Topics = [new MetadataRequestTopic { Name = "some-topic" }] }, ApiKey.Metadata, 12);
        await using var truncated = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        await truncated.SendFrameAsync(full.AsMemory(0, full.Length - 5));
        await using var garbled = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var hugeArray = Request(new MetadataRequest(), ApiKey.Metadata, 1);
        BinaryPrimitives.WriteInt32BigEndian(hugeArray.AsSpan(hugeArray.Length - 4), int.MaxValue); // topic count far past the body
        await garbled.SendFrameAsync(hugeArray);

        Assert.True(await truncated.IsClosedByBrokerAsync());
        Assert.True(await garbled.IsClosedByBrokerAsync());
        await AssertServesAsync();
    }

    [Fact]
    public async Task Random_garbage_never_takes_the_broker_down()
    {
        var random = new Random(1234);
        for (var i = 0; i < 200; i++)
        {
            await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
            var body = new byte[random.Next(0, 300)];
            random.NextBytes(body);
            if (i % 2 == 0 && body.Length >= 4)
            {
                // A valid header for a real API, followed by noise: exercises every codec's bounds checks.
                BinaryPrimitives.WriteInt16BigEndian(body, (short)random.Next(0, 61));
                BinaryPrimitives.WriteInt16BigEndian(body.AsSpan(2), (short)random.Next(0, 13));
            }
            await connection.SendFrameAsync(body);
        }

        await AssertServesAsync();
    }

    [Fact]
    public async Task A_batch_with_a_bad_crc_is_answered_with_corrupt_message_and_the_connection_lives_on()
    {
        await CreateTopicAsync(fixture, "crc-check");
        var batch = Batch("crc-check record");
        batch[^1] ^= 0x55;
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);

        var response = await connection.SendAsync<ProduceResponse>(Produce("crc-check", 0, batch), ApiKey.Produce, 9);
        var good = await connection.SendAsync<ProduceResponse>(Produce("crc-check", 0, Batch("fine")), ApiKey.Produce, 9);

        Assert.Equal(ErrorCode.CorruptMessage, response.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(ErrorCode.None, good.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(0L, good.Topics[0].Partitions[0].BaseOffset);
    }

    [Fact]
    public async Task Produce_errors_name_the_problem_per_partition()
    {
        await CreateTopicAsync(fixture, "produce-errors");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var oldFormat = Batch("x");
        oldFormat[16] = 1; // magic 1 (message format v1)
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 1000,
            Topics =
            [
                new ProduceTopicData { Name = "produce-errors", Partitions = [new() { Index = 7, Records = Batch("no such partition") }, new() { Index = 0, Records = oldFormat }] },
                new ProduceTopicData { Name = "no-such-topic", Partitions = [new() { Index = 0, Records = Batch("y") }] },
            ],
        };

        var response = await connection.SendAsync<ProduceResponse>(request, ApiKey.Produce, 9);
        var badAcks = await connection.SendAsync<ProduceResponse>(new ProduceRequest { Acks = 2, Topics = Produce("produce-errors", 0, Batch("z")).Topics }, ApiKey.Produce, 9);
        var oldVersion = await connection.SendAsync<ProduceResponse>(Produce("produce-errors", 0, Batch("z")), ApiKey.Produce, 2);

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, response.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(ErrorCode.InvalidRecord, response.Topics[0].Partitions[1].ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, response.Topics[1].Partitions[0].ErrorCode);
        Assert.Equal(ErrorCode.InvalidRequiredAcks, badAcks.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(ErrorCode.UnsupportedVersion, oldVersion.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task A_header_max_timestamp_that_the_records_do_not_carry_is_replaced_by_the_real_one()
    {
        await CreateTopicAsync(fixture, "lying-header");
        var batch = new RecordBatchBuilder().Add(null, Encoding.UTF8.GetBytes("a"), Now - 2000).Add(null, Encoding.UTF8.GetBytes("b"), Now - 1000).Build();
        RecordBatchHeader.SetMaxTimestamp(batch, Protocol.Records.TimestampType.CreateTime, Now + 86_400_000); // a day ahead, CRC kept valid
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);

        var produced = await connection.SendAsync<ProduceResponse>(Produce("lying-header", 0, batch), ApiKey.Produce, 9);
        var fetched = await connection.SendAsync<FetchResponse>(new FetchRequest
        {
            MaxWaitMs = 100,
            Topics = [new FetchTopic { Topic = "lying-header", Partitions = [new FetchPartition { Partition = 0, PartitionMaxBytes = 1 << 20 }] }],
        }, ApiKey.Fetch, 12);
        var stored = RecordBatch.ReadAll(((MemoryPayload)fetched.Topics[0].Partitions[0].Records!).Bytes).Single();

        Assert.Equal(ErrorCode.None, produced.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(Now - 1000, stored.Header.MaxTimestamp);
        Assert.True(stored.IsCrcValid);
    }

    [Fact]
    public async Task Old_fetch_versions_are_answered_with_unsupported_version()
    {
        await CreateTopicAsync(fixture, "old-fetch");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var request = new FetchRequest
        {
            MaxWaitMs = 100,
            Topics = [new FetchTopic { Topic = "old-fetch", Partitions = [new FetchPartition { Partition = 0, PartitionMaxBytes = 1024 }] }],
        };

        var response = await connection.SendAsync<FetchResponse>(request, ApiKey.Fetch, 3);

        Assert.Equal(ErrorCode.UnsupportedVersion, response.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task Invalid_topic_names_get_invalid_topic_exception_from_metadata()
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var request = new MetadataRequest { Topics = [new MetadataRequestTopic { Name = "bad/name" }, new MetadataRequestTopic { Name = new string('a', 250) }] };

        var response = await connection.SendAsync<MetadataResponse>(request, ApiKey.Metadata, 12);

        Assert.All(response.Topics, t => Assert.Equal(ErrorCode.InvalidTopicException, t.ErrorCode));
    }

    [Fact]
    public async Task Acks_zero_gets_no_response_and_a_failed_acks_zero_produce_closes_the_connection()
    {
        await CreateTopicAsync(fixture, "acks-zero");
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var fireAndForget = Produce("acks-zero", 0, Batch("quiet"));
        fireAndForget.Acks = 0;

        await connection.SendRequestAsync(fireAndForget, ApiKey.Produce, 9);
        var metadata = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = "acks-zero" }] }, ApiKey.Metadata, 12);
        var failing = Produce("acks-zero", 5, Batch("lost"));
        failing.Acks = 0;
        await connection.SendRequestAsync(failing, ApiKey.Produce, 9);

        Assert.Equal("acks-zero", metadata.Topics[0].Name);
        Assert.True(await connection.IsClosedByBrokerAsync());
        Assert.Single(ReadPartition(fixture, "acks-zero", 0, 0, 1));
    }

    /// <summary>The broker answers a fresh connection, and a real client can still produce.</summary>
    private async Task AssertServesAsync(RawKafkaConnection? connection = null)
    {
        await using var fresh = connection is null ? await RawKafkaConnection.ConnectAsync(fixture.Broker) : null;
        var versions = await (connection ?? fresh!).SendAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "raw", ClientSoftwareVersion = "1" }, ApiKey.ApiVersions, 3);
        Assert.Equal(ErrorCode.None, versions.ErrorCode);
        using var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build();
        var report = await producer.ProduceAsync("still-serving", new Message<Null, string> { Value = "ok" });
        Assert.Equal(PersistenceStatus.Persisted, report.Status);
    }

    private static byte[] Batch(string value) =>
        new RecordBatchBuilder().Add(null, Encoding.UTF8.GetBytes(value), Now).Build();

    private static ProduceRequest Produce(string topic, int partition, byte[] batch) => new()
    {
        Acks = -1,
        TimeoutMs = 5000,
        Topics = [new ProduceTopicData { Name = topic, Partitions = [new ProducePartitionData { Index = partition, Records = batch }] }],
    };

    private static byte[] Request(IKafkaMessage request, ApiKey key, short version) => RawKafkaConnection.Encode(request, key, version);

    private static byte[] HeaderOnly(ApiKey key, short version)
    {
        var bytes = new byte[10];
        BinaryPrimitives.WriteInt16BigEndian(bytes, (short)key);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(2), version);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 77);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(8), -1);
        return bytes;
    }
}
