using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// sarama 1.22 (Debian's golang-github-shopify-sarama-dev, driven through tests/clients/go) never asks which
/// versions the broker supports: configured for Kafka 0.11 to 2.2 it sends Produce v3, Fetch v4, Metadata v1 or
/// v5 and ListOffsets v1, as many Go services still do. What it reports is checked against Confluent.Kafka.
/// </summary>
public sealed class SaramaTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly long Base = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("0.11.0.0", "")]
    [InlineData("1.0.0", "gzip")]
    [InlineData("1.0.0", "snappy")]
    [InlineData("2.1.0", "lz4")]
    [InlineData("2.1.0", "")]
    public async Task Produces_keys_values_headers_and_timestamps_that_Confluent_reads_back(string version, string compression)
    {
        var topic = $"go-produce-{version}-{(compression.Length == 0 ? "none" : compression)}";
        await CreateTopicAsync(fixture, topic);
        var messages = Enumerable.Range(0, 15).Select(i => NumberedMessages.Produced(i, Base)).Select(m => new
        {
            Key = m.Key is null ? null : Utf8(m.Key),
            Value = Utf8(m.Value),
            m.Timestamp,
            Headers = m.Trace is null ? [] : new[] { new { Key = "trace", Value = Utf8(m.Trace) } },
        }).ToArray();

        var offsets = (await Sarama.RunAsync(fixture.BootstrapServers, "produce", new { Version = version, Compression = compression, Topic = topic, Messages = messages }))
            .Ok().GetProperty("offsets").EnumerateArray().Select(o => o.GetInt64()).ToList();

        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), offsets);
        NumberedMessages.AssertReadBack(ReadPartition(fixture, topic, 0, 0, messages.Length), messages.Length, Base);
    }

    [Fact]
    public async Task Zstd_in_produce_v3_is_refused_as_Kafka_refuses_it_and_nothing_is_stored()
    {
        const string topic = "go-zstd";
        await CreateTopicAsync(fixture, topic);

        // KIP-110: zstd needs Produce v7, which sarama 1.22 never sends; Kafka answers UNSUPPORTED_COMPRESSION_TYPE.
        var error = (await Sarama.RunAsync(fixture.BootstrapServers, "produce", new
        {
            Version = "2.1.0",
            Compression = "zstd",
            Topic = topic,
            Messages = new[] { new { Value = Utf8("zstd"), Timestamp = Base } },
        })).Failed();

        Assert.Contains("Failed to deliver", error.GetString());
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(fixture.ConsumerConfig()).Build();
        Assert.Equal(0, consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), Patience).High.Value);
    }

    [Fact]
    public async Task Creates_a_topic_with_configs_that_Confluent_admin_reads_back()
    {
        var result = (await Sarama.RunAsync(fixture.BootstrapServers, "create-topic", new
        {
            Version = "1.0.0",
            Topic = "go-created",
            Partitions = 2,
            Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000" },
        })).Ok();

        Assert.Equal(2, result.GetProperty("partitions").GetInt32());
        Assert.Equal("3600000", result.GetProperty("configs").GetProperty("retention.ms").GetString());
        var (partitions, described) = await DescribeTopicAsync(fixture, "go-created");
        Assert.Equal(2, partitions);
        Assert.Equal("3600000", described["retention.ms"].Value);
    }

    [Fact]
    public async Task Consumes_from_an_offset_with_fetch_v4_what_Confluent_produced_and_finds_offsets_by_time()
    {
        const string topic = "go-consume";
        await CreateTopicAsync(fixture, topic);
        NumberedMessages.ProduceWithConfluent(fixture, topic, Confluent.Kafka.CompressionType.Gzip, Base);

        var records = (await Sarama.RunAsync(fixture.BootstrapServers, "consume", new { Version = "0.11.0.0", Topic = topic, Offset = 10, Count = 20 }))
            .Ok().GetProperty("records").EnumerateArray().ToList();
        var offsets = (await Sarama.RunAsync(fixture.BootstrapServers, "offsets", new { Version = "1.0.0", Topic = topic, Timestamp = Base + 15_500 })).Ok();

        Assert.Equal(Enumerable.Range(10, 20).Select(i => (long)i), records.Select(r => r.GetProperty("offset").GetInt64()));
        foreach (var record in records)
        {
            NumberedMessages.AssertConsumed(record.GetProperty("offset").GetInt64(), ClientScenario.Base64Text(record.GetProperty("key")), ClientScenario.Base64Text(record.GetProperty("value")),
                record.GetProperty("timestamp").GetInt64(), record.GetProperty("headers").EnumerateArray().Select(h => (h.GetProperty("key").GetString(), ClientScenario.Base64Text(h.GetProperty("value")))), Base);
        }
        Assert.Equal(0, offsets.GetProperty("oldest").GetInt64());
        Assert.Equal(30, offsets.GetProperty("newest").GetInt64());
        Assert.Equal(16, offsets.GetProperty("forTime").GetInt64());
    }
}
