using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// kafka-python 2.0.2 (Debian's python3-kafka, its own protocol code) drives the broker through
/// tests/clients/python/run.py. It opens with ApiVersions v0 and Metadata v0, guesses the broker's version from the
/// API keys it is shown and picks its request versions from that guess; what it reports is checked against
/// Confluent.Kafka.
/// </summary>
public sealed class KafkaPythonTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly long Base = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Its_version_probe_takes_the_broker_for_one_with_record_batches_and_zstd()
    {
        var version = (await KafkaPython.RunAsync(fixture.BootstrapServers, "versions")).Ok()
            .GetProperty("brokerVersion").EnumerateArray().Select(v => v.GetInt32()).ToArray();

        // From (2, 1) on kafka-python sends Produce v7 and Fetch v10 and allows zstd; (0, 11) brought record batches.
        Assert.True(version[0] > 2 || (version[0] == 2 && version[1] >= 1), $"kafka-python took the broker for {string.Join('.', version)}");
    }

    [Fact]
    public async Task Creates_a_topic_with_configs_that_Confluent_admin_reads_back()
    {
        var configs = new Dictionary<string, string> { ["retention.ms"] = "3600000", ["max.message.bytes"] = "2000000" };
        var result = (await KafkaPython.RunAsync(fixture.BootstrapServers, "create-topics", new
        {
            Topics = new[] { new { Name = "py-created", Partitions = 3, Configs = configs } },
        })).Ok();

        Assert.Equal(0, result.GetProperty("errors")[0].GetProperty("error").GetInt32());
        Assert.Contains("py-created", result.GetProperty("listed").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("3600000", result.GetProperty("configs").GetProperty("py-created").GetProperty("retention.ms").GetString());

        var (partitions, described) = await DescribeTopicAsync(fixture, "py-created");
        Assert.Equal(3, partitions);
        Assert.Equal("3600000", described["retention.ms"].Value);
        Assert.Equal("2000000", described["max.message.bytes"].Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("gzip")]
    [InlineData("lz4")]
    [InlineData("snappy")]
    [InlineData("zstd")]
    public async Task Produces_keys_values_headers_and_timestamps_that_Confluent_reads_back(string? compression)
    {
        var topic = $"py-produce-{compression ?? "none"}";
        await CreateTopicAsync(fixture, topic);
        var messages = Enumerable.Range(0, 20).Select(i => NumberedMessages.Produced(i, Base)).Select(m => new
        {
            Key = m.Key is null ? null : B64(m.Key),
            Value = B64(m.Value),
            Partition = 0,
            m.Timestamp,
            Headers = m.Trace is null ? [] : new[] { new[] { "trace", B64(m.Trace) } },
        }).ToArray();

        var sent = (await KafkaPython.RunAsync(fixture.BootstrapServers, "produce", new { Topic = topic, Compression = compression, Messages = messages }))
            .Ok().GetProperty("sent").EnumerateArray().ToList();

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), sent.Select(s => s.GetProperty("offset").GetInt64()));
        NumberedMessages.AssertReadBack(ReadPartition(fixture, topic, 0, 0, messages.Length), messages.Length, Base);
    }

    [Fact]
    public async Task Consumes_from_an_offset_what_Confluent_produced_and_finds_offsets_by_time()
    {
        const string topic = "py-consume";
        await CreateTopicAsync(fixture, topic);
        NumberedMessages.ProduceWithConfluent(fixture, topic, Confluent.Kafka.CompressionType.Lz4, Base);

        var records = (await KafkaPython.RunAsync(fixture.BootstrapServers, "consume", new { Topic = topic, Offset = 10, Count = 20 }))
            .Ok().GetProperty("records").EnumerateArray().ToList();
        var offsets = (await KafkaPython.RunAsync(fixture.BootstrapServers, "offsets", new { Topic = topic, Timestamp = Base + 15_500 })).Ok();

        Assert.Equal(Enumerable.Range(10, 20).Select(i => (long)i), records.Select(r => r.GetProperty("offset").GetInt64()));
        foreach (var record in records)
        {
            NumberedMessages.AssertConsumed(record.GetProperty("offset").GetInt64(), ClientScenario.Base64Text(record.GetProperty("key")), ClientScenario.Base64Text(record.GetProperty("value")),
                record.GetProperty("timestamp").GetInt64(), record.GetProperty("headers").EnumerateArray().Select(h => (h[0].GetString(), ClientScenario.Base64Text(h[1]))), Base);
        }
        Assert.Equal(0, offsets.GetProperty("beginning").GetInt64());
        Assert.Equal(30, offsets.GetProperty("end").GetInt64());
        Assert.Equal(16, offsets.GetProperty("forTime").GetProperty("offset").GetInt64());
        Assert.Equal(Base + 16_000, offsets.GetProperty("forTime").GetProperty("timestamp").GetInt64());
    }
}
