using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Produce and consume through Confluent.Kafka 2.16 (librdkafka), as a user's application would.</summary>
public sealed class ConfluentProduceConsumeTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Produces_with_each_codec_and_reads_everything_back_in_order(CompressionType codec)
    {
        var topic = $"codec-{codec}".ToLowerInvariant();
        await CreateTopicAsync(fixture, topic);
        using (var producer = new ProducerBuilder<string?, string?>(fixture.ProducerConfig(codec)).Build())
        {
            for (var i = 0; i < 500; i++)
            {
                var headers = new Headers { { "index", Encoding.UTF8.GetBytes(i.ToString()) } };
                producer.Produce(topic, new Message<string?, string?>
                {
                    Key = i % 7 == 0 ? null : $"key-{i}",
                    Value = i % 11 == 0 ? null : new string('v', i % 50) + i,
                    Headers = headers,
                });
            }
            Assert.Equal(0, producer.Flush(Patience));
        }

        var read = ReadPartition(fixture, topic, 0, 0, 500);

        Assert.Equal(500, read.Count);
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(i, read[i].Offset.Value);
            Assert.Equal(i % 7 == 0 ? null : $"key-{i}", read[i].Message.Key);
            Assert.Equal(i % 11 == 0 ? null : new string('v', i % 50) + i, read[i].Message.Value);
            Assert.Equal(i.ToString(), Encoding.UTF8.GetString(read[i].Message.Headers.GetLastBytes("index")));
            Assert.Equal(TimestampType.CreateTime, read[i].Message.Timestamp.Type);
        }
    }

    [Fact]
    public async Task Delivery_reports_carry_offsets_and_partitions()
    {
        await CreateTopicAsync(fixture, "delivery", partitions: 3);
        using var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build();
        var first = await producer.ProduceAsync(new TopicPartition("delivery", 2), new Message<Null, string> { Value = "a" });
        var second = await producer.ProduceAsync(new TopicPartition("delivery", 2), new Message<Null, string> { Value = "b" });
        var other = await producer.ProduceAsync(new TopicPartition("delivery", 0), new Message<Null, string> { Value = "c" });

        Assert.Equal((2, 0L), (first.Partition.Value, first.Offset.Value));
        Assert.Equal((2, 1L), (second.Partition.Value, second.Offset.Value));
        Assert.Equal((0, 0L), (other.Partition.Value, other.Offset.Value));
        Assert.Equal(PersistenceStatus.Persisted, second.Status);
    }

    [Fact]
    public async Task Assign_and_seek_read_from_the_requested_offsets()
    {
        await CreateTopicAsync(fixture, "seek");
        await ProduceValuesAsync("seek", 100);
        using var consumer = new ConsumerBuilder<Ignore, string>(fixture.ConsumerConfig()).Build();
        consumer.Assign(new TopicPartitionOffset("seek", 0, 10));
        var atTen = consumer.Consume(Patience)!;
        consumer.Seek(new TopicPartitionOffset("seek", 0, 73));
        var afterSeek = consumer.Consume(Patience)!;
        var next = consumer.Consume(Patience)!;

        Assert.Equal((10L, "value-10"), (atTen.Offset.Value, atTen.Message.Value));
        Assert.Equal((73L, "value-73"), (afterSeek.Offset.Value, afterSeek.Message.Value));
        Assert.Equal(74L, next.Offset.Value);
    }

    [Fact]
    public async Task Consumer_reaches_partition_end_and_then_sees_new_messages()
    {
        await CreateTopicAsync(fixture, "tail");
        await ProduceValuesAsync("tail", 3);
        var config = fixture.ConsumerConfig();
        config.EnablePartitionEof = true;
        using var consumer = new ConsumerBuilder<Ignore, string>(config).Build();
        consumer.Assign(new TopicPartitionOffset("tail", 0, 0));
        var seen = new List<string>();
        ConsumeResult<Ignore, string>? result;
        while ((result = consumer.Consume(Patience)) is { IsPartitionEOF: false })
            seen.Add(result.Message.Value);
        Assert.NotNull(result);
        Assert.Equal(3L, result!.Offset.Value);

        await ProduceValuesAsync("tail", 2, start: 3);
        var late = consumer.Consume(Patience);

        Assert.Equal(["value-0", "value-1", "value-2"], seen);
        Assert.Equal("value-3", late?.Message.Value);
    }

    [Fact]
    public async Task Offsets_for_times_find_the_first_message_at_or_after_a_timestamp()
    {
        await CreateTopicAsync(fixture, "by-time");
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        using (var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig(CompressionType.Lz4)).Build())
        {
            for (var i = 0; i < 100; i++)
                producer.Produce("by-time", new Message<Null, string> { Value = $"m{i}", Timestamp = new Timestamp(start + i * 1000, TimestampType.CreateTime) });
            Assert.Equal(0, producer.Flush(Patience));
        }
        using var consumer = new ConsumerBuilder<Ignore, string>(fixture.ConsumerConfig()).Build();

        var found = consumer.OffsetsForTimes(
        [
            new TopicPartitionTimestamp("by-time", 0, new Timestamp(start + 25_500, TimestampType.CreateTime)),
        ], Patience);
        var exact = consumer.OffsetsForTimes([new TopicPartitionTimestamp("by-time", 0, new Timestamp(start + 40_000, TimestampType.CreateTime))], Patience);
        var tooLate = consumer.OffsetsForTimes([new TopicPartitionTimestamp("by-time", 0, new Timestamp(start + 500_000, TimestampType.CreateTime))], Patience);
        var tooEarly = consumer.OffsetsForTimes([new TopicPartitionTimestamp("by-time", 0, new Timestamp(start - 500_000, TimestampType.CreateTime))], Patience);
        var marks = consumer.QueryWatermarkOffsets(new TopicPartition("by-time", 0), Patience);

        Assert.Equal(26L, found[0].Offset.Value);
        Assert.Equal(40L, exact[0].Offset.Value);
        Assert.Equal(Offset.End, tooLate[0].Offset);
        Assert.Equal(0L, tooEarly[0].Offset.Value);
        Assert.Equal((0L, 100L), (marks.Low.Value, marks.High.Value));
    }

    [Fact]
    public async Task Delete_records_moves_the_low_watermark()
    {
        await CreateTopicAsync(fixture, "delete-records");
        await ProduceValuesAsync("delete-records", 100);
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();

        var result = await admin.DeleteRecordsAsync([new TopicPartitionOffset("delete-records", 0, 40)]);
        using var consumer = new ConsumerBuilder<Ignore, string>(fixture.ConsumerConfig()).Build();
        var marks = consumer.QueryWatermarkOffsets(new TopicPartition("delete-records", 0), Patience);
        consumer.Assign(new TopicPartitionOffset("delete-records", 0, Offset.Beginning));
        var first = consumer.Consume(Patience);

        Assert.Equal(40L, result[0].Offset.Value);
        Assert.Equal((40L, 100L), (marks.Low.Value, marks.High.Value));
        Assert.Equal("value-40", first?.Message.Value);
    }

    [Fact]
    public async Task Log_append_time_topics_stamp_records_with_the_broker_clock()
    {
        await CreateTopicAsync(fixture, "append-time", configs: new() { ["message.timestamp.type"] = "LogAppendTime" });
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using (var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build())
        {
            var report = await producer.ProduceAsync("append-time", new Message<Null, string> { Value = "x", Timestamp = new Timestamp(1000, TimestampType.CreateTime) });
            Assert.Equal(TimestampType.LogAppendTime, report.Timestamp.Type);
        }

        var read = ReadPartition(fixture, "append-time", 0, 0, 1).Single();

        Assert.Equal(TimestampType.LogAppendTime, read.Message.Timestamp.Type);
        Assert.InRange(read.Message.Timestamp.UnixTimestampMs, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
    }

    [Fact]
    public async Task Batches_over_max_message_bytes_are_rejected_with_message_too_large()
    {
        await CreateTopicAsync(fixture, "small-messages", configs: new() { ["max.message.bytes"] = "2000" });
        using var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build();

        var error = await Assert.ThrowsAsync<ProduceException<Null, string>>(() =>
            producer.ProduceAsync("small-messages", new Message<Null, string> { Value = new string('x', 5000) }));
        var fine = await producer.ProduceAsync("small-messages", new Message<Null, string> { Value = "ok" });

        Assert.Equal(ErrorCode.MsgSizeTooLarge, error.Error.Code);
        Assert.Equal(0L, fine.Offset.Value);
    }

    [Fact]
    public async Task Requests_far_larger_than_a_socket_buffer_arrive_whole()
    {
        // 8 MB in one record: the request frame is many times the socket pipe's default 1 MB buffer.
        await CreateTopicAsync(fixture, "large-records", configs: new() { ["max.message.bytes"] = "16777216" });
        var config = fixture.ProducerConfig();
        config.MessageMaxBytes = 16_777_216;
        var value = new byte[8 * 1024 * 1024];
        new Random(5).NextBytes(value);
        using (var producer = new ProducerBuilder<Null, byte[]>(config).Build())
            await producer.ProduceAsync("large-records", new Message<Null, byte[]> { Value = value });
        var consumerConfig = fixture.ConsumerConfig();
        consumerConfig.FetchMaxBytes = 33_554_432;
        consumerConfig.MaxPartitionFetchBytes = 16_777_216;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(consumerConfig).Build();
        consumer.Assign(new TopicPartitionOffset("large-records", 0, 0));

        var read = consumer.Consume(Patience);

        Assert.Equal(value, read?.Message.Value);
    }

    [Fact]
    public async Task Producing_to_an_unknown_topic_auto_creates_it_with_the_default_partition_count()
    {
        using var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build();
        var report = await producer.ProduceAsync("auto-created", new Message<Null, string> { Value = "hello" });
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var metadata = admin.GetMetadata("auto-created", Patience);

        Assert.Equal(0L, report.Offset.Value);
        Assert.Single(metadata.Topics[0].Partitions);
    }

    private async Task ProduceValuesAsync(string topic, int count, int start = 0)
    {
        using var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build();
        for (var i = start; i < start + count; i++)
            producer.Produce(topic, new Message<Null, string> { Value = $"value-{i}" });
        Assert.Equal(0, producer.Flush(Patience));
        await Task.CompletedTask;
    }
}
