using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
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

    private static string? Text(JsonElement base64) =>
        base64.ValueKind == JsonValueKind.Null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(base64.GetString()!));

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

        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        Assert.Equal(3, admin.GetMetadata("py-created", Patience).Topics[0].Partitions.Count);
        var described = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "py-created" }]))[0].Entries;
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
        var messages = Enumerable.Range(0, 20).Select(i => new
        {
            Key = i % 3 == 0 ? null : B64($"key-{i}"),
            Value = B64($"value-{i} {new string('x', i * 50)}"),
            Partition = 0,
            Timestamp = Base + i,
            Headers = i % 2 == 0 ? new[] { new[] { "trace", B64($"t{i}") } } : [],
        }).ToArray();

        var sent = (await KafkaPython.RunAsync(fixture.BootstrapServers, "produce", new { Topic = topic, Compression = compression, Messages = messages }))
            .Ok().GetProperty("sent").EnumerateArray().ToList();
        var read = ReadPartition(fixture, topic, 0, 0, messages.Length);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), sent.Select(s => s.GetProperty("offset").GetInt64()));
        Assert.Equal(messages.Length, read.Count);
        for (var i = 0; i < read.Count; i++)
        {
            var message = read[i].Message;
            Assert.Equal(i, read[i].Offset.Value);
            Assert.Equal(i % 3 == 0 ? null : $"key-{i}", message.Key);
            Assert.Equal($"value-{i} {new string('x', i * 50)}", message.Value);
            Assert.Equal(Base + i, message.Timestamp.UnixTimestampMs);
            if (i % 2 == 0)
                Assert.Equal($"t{i}", Encoding.UTF8.GetString(message.Headers.GetLastBytes("trace")));
            else
                Assert.Empty(message.Headers);
        }
    }

    [Fact]
    public async Task Consumes_from_an_offset_what_Confluent_produced_and_finds_offsets_by_time()
    {
        const string topic = "py-consume";
        await CreateTopicAsync(fixture, topic);
        using (var producer = new ProducerBuilder<string?, string>(fixture.ProducerConfig(Confluent.Kafka.CompressionType.Lz4)).Build())
        {
            for (var i = 0; i < 30; i++)
            {
                var headers = new Headers();
                if (i % 5 == 0)
                    headers.Add("n", Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                producer.Produce(topic, new Message<string?, string>
                {
                    Key = i % 2 == 0 ? $"k{i}" : null,
                    Value = $"v{i}",
                    Timestamp = new Timestamp(Base + (i * 1_000), Confluent.Kafka.TimestampType.CreateTime),
                    Headers = headers,
                });
            }
            producer.Flush(Patience);
        }

        var records = (await KafkaPython.RunAsync(fixture.BootstrapServers, "consume", new { Topic = topic, Offset = 10, Count = 20 }))
            .Ok().GetProperty("records").EnumerateArray().ToList();
        var offsets = (await KafkaPython.RunAsync(fixture.BootstrapServers, "offsets", new { Topic = topic, Timestamp = Base + 15_500 })).Ok();

        Assert.Equal(Enumerable.Range(10, 20).Select(i => (long)i), records.Select(r => r.GetProperty("offset").GetInt64()));
        foreach (var record in records)
        {
            var i = record.GetProperty("offset").GetInt32();
            Assert.Equal($"v{i}", Text(record.GetProperty("value")));
            Assert.Equal(i % 2 == 0 ? $"k{i}" : null, Text(record.GetProperty("key")));
            Assert.Equal(Base + (i * 1_000), record.GetProperty("timestamp").GetInt64());
            var headers = record.GetProperty("headers").EnumerateArray().Select(h => (h[0].GetString(), Text(h[1]))).ToList();
            Assert.Equal(i % 5 == 0 ? [("n", i.ToString(System.Globalization.CultureInfo.InvariantCulture))] : [], headers);
        }
        Assert.Equal(0, offsets.GetProperty("beginning").GetInt64());
        Assert.Equal(30, offsets.GetProperty("end").GetInt64());
        Assert.Equal(16, offsets.GetProperty("forTime").GetProperty("offset").GetInt64());
        Assert.Equal(Base + 16_000, offsets.GetProperty("forTime").GetProperty("timestamp").GetInt64());
    }
}
