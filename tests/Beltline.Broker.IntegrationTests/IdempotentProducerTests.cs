using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Protocol.Records;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;
using ErrorCode = Beltline.Protocol.ErrorCode;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Idempotent producers: librdkafka's across a broker restart, and the sequence rules on the wire.</summary>
public sealed class IdempotentProducerTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task An_idempotent_producer_writes_every_message_once_and_in_order_across_a_broker_restart()
    {
        const string topic = "idempotent-restart";
        const int messages = 4000;
        await CreateTopicAsync(fixture, topic, partitions: 2);
        var config = fixture.ProducerConfig();
        config.EnableIdempotence = true;
        config.MessageTimeoutMs = 60_000;
        config.LingerMs = 2;
        var failures = 0;
        using (var producer = new ProducerBuilder<Null, string>(config).Build())
        {
            for (var i = 0; i < messages; i++)
            {
                producer.Produce(new TopicPartition(topic, i % 2), new Message<Null, string> { Value = $"m{i}" },
                    report => { if (report.Error.IsError) Interlocked.Increment(ref failures); });
                if (i == messages / 2)
                    await fixture.RestartAsync();
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(90)));
        }

        Assert.Equal(0, failures);
        for (var partition = 0; partition < 2; partition++)
        {
            var values = ReadPartition(fixture, topic, partition, 0, messages / 2).Select(r => r.Message.Value).ToList();
            Assert.Equal(Enumerable.Range(0, messages / 2).Select(i => $"m{(i * 2) + partition}"), values);
            using var consumer = new ConsumerBuilder<Ignore, string>(fixture.ConsumerConfig()).Build();
            Assert.Equal(messages / 2, consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), Patience).High.Value);
        }
    }

    private static ProduceRequest Produce(string topic, long producerId, short epoch, int sequence, int count = 2)
    {
        var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = sequence };
        for (var i = 0; i < count; i++)
            builder.Add(null, System.Text.Encoding.UTF8.GetBytes($"s{sequence + i}"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 10_000,
            Topics = [new ProduceTopicData { Name = topic, Partitions = [new ProducePartitionData { Index = 0, Records = builder.Build() }] }],
        };
    }

    private static async Task<ProducePartitionResponse> SendAsync(RawKafkaConnection connection, ProduceRequest request) =>
        (await connection.SendAsync<ProduceResponse>(request, ApiKey.Produce, 9)).Topics[0].Partitions[0];

    [Fact]
    public async Task Retries_get_the_original_offsets_and_gaps_and_old_epochs_are_refused_also_after_a_restart()
    {
        const string topic = "idempotent-wire";
        await CreateTopicAsync(fixture, topic);
        long producerId;
        ProducePartitionResponse first;
        await using (var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker))
        {
            var init = await connection.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60_000 }, ApiKey.InitProducerId, 4);
            Assert.Equal(ErrorCode.None, init.ErrorCode);
            Assert.Equal(0, init.ProducerEpoch);
            producerId = init.ProducerId;
            first = await SendAsync(connection, Produce(topic, producerId, 0, 0));
            await SendAsync(connection, Produce(topic, producerId, 0, 2));
            var retry = await SendAsync(connection, Produce(topic, producerId, 0, 0));
            Assert.Equal((ErrorCode.None, first.BaseOffset), (retry.ErrorCode, retry.BaseOffset));
        }

        await fixture.RestartAsync();

        await using var after = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var retryAfterRestart = await SendAsync(after, Produce(topic, producerId, 0, 2));
        var gap = await SendAsync(after, Produce(topic, producerId, 0, 9));
        var next = await SendAsync(after, Produce(topic, producerId, 0, 4));
        var bumped = await SendAsync(after, Produce(topic, producerId, 1, 0));
        var stale = await SendAsync(after, Produce(topic, producerId, 0, 6));
        var newId = await after.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60_000 }, ApiKey.InitProducerId, 4);
        var transactional = await after.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = "txn", TransactionTimeoutMs = 60_000 }, ApiKey.InitProducerId, 4);

        Assert.Equal((ErrorCode.None, 2L), (retryAfterRestart.ErrorCode, retryAfterRestart.BaseOffset));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.ErrorCode);
        Assert.Equal((ErrorCode.None, 4L), (next.ErrorCode, next.BaseOffset));
        Assert.Equal((ErrorCode.None, 6L), (bumped.ErrorCode, bumped.BaseOffset));
        Assert.Equal(ErrorCode.InvalidProducerEpoch, stale.ErrorCode);
        Assert.True(newId.ProducerId > producerId, "producer ids are never handed out twice, across restarts too");
        Assert.Equal(ErrorCode.TransactionalIdAuthorizationFailed, transactional.ErrorCode);
        Assert.Equal(8, ReadPartition(fixture, topic, 0, 0, 8).Count);
    }
}
