using System.Text;
using System.Text.Json;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using static Beltline.Broker.IntegrationTests.ClientHelpers;
using BatchCompression = Beltline.Protocol.Records.CompressionType;
using KafkaTimestampType = Confluent.Kafka.TimestampType;
using WireError = Beltline.Protocol.ErrorCode;
using FetchPartition = Beltline.Protocol.Messages.FetchPartition;
using FetchRequest = Beltline.Protocol.Messages.FetchRequest;
using FetchResponse = Beltline.Protocol.Messages.FetchResponse;
using FetchTopic = Beltline.Protocol.Messages.FetchTopic;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// KafkaJS 2.2 (pure JavaScript, its own protocol code: Metadata v6, Produce v7, ListOffsets v3, CreateTopics v3,
/// DescribeConfigs v2, AlterConfigs v1, DeleteRecords v1, …) drives the broker through tests/clients/kafkajs/run.js;
/// what it reports is checked against what Confluent.Kafka and raw Fetch requests see.
/// </summary>
public sealed class KafkaJsTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly long Base = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;

    // ---- admin ----

    [Fact]
    public async Task Admin_creates_topics_with_config_entries_lists_them_and_reports_their_metadata()
    {
        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "create-topics", new
        {
            Topics = new object[]
            {
                new
                {
                    Topic = "js-created", NumPartitions = 3,
                    ConfigEntries = new[] { Entry("retention.ms", "3600000"), Entry("cleanup.policy", "compact"), Entry("max.message.bytes", "2000000") },
                },
                new { Topic = "js-created-plain", NumPartitions = 1 },
            },
        })).Ok();

        Assert.True(result.GetProperty("created").GetBoolean());
        Assert.Contains("js-created", Strings(result.GetProperty("listed")));
        Assert.Contains("js-created-plain", Strings(result.GetProperty("listed")));
        var reported = result.GetProperty("metadata").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "js-created");
        Assert.Equal([0, 1, 2], reported.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("partition").GetInt32()));
        Assert.All(reported.GetProperty("partitions").EnumerateArray(), p =>
        {
            Assert.Equal(0, p.GetProperty("errorCode").GetInt32());
            Assert.Equal(fixture.Broker.NodeId, p.GetProperty("leader").GetInt32());
            Assert.Equal([fixture.Broker.NodeId], p.GetProperty("replicas").EnumerateArray().Select(r => r.GetInt32()));
            Assert.Equal([fixture.Broker.NodeId], p.GetProperty("isr").EnumerateArray().Select(r => r.GetInt32()));
        });

        // What the broker now holds, seen by another client.
        var (partitions, configs) = await DescribeTopicAsync(fixture, "js-created");
        Assert.Equal(3, partitions);
        Assert.Equal(1, (await DescribeTopicAsync(fixture, "js-created-plain")).Partitions);
        Assert.Equal("3600000", configs["retention.ms"].Value);
        Assert.Equal("compact", configs["cleanup.policy"].Value);
        Assert.Equal("2000000", configs["max.message.bytes"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, configs["retention.ms"].Source);
        Assert.Equal(ConfigSource.DefaultConfig, configs["segment.bytes"].Source);
    }

    [Fact]
    public async Task Create_topics_reports_existing_topics_rejects_bad_configs_and_validate_only_creates_nothing()
    {
        await CreateTopicAsync(fixture, "js-exists");

        var again = (await KafkaJs.RunAsync(fixture.BootstrapServers, "create-topics", new { Topics = new[] { new { Topic = "js-exists", NumPartitions = 1 } } })).Ok();
        var badConfig = (await KafkaJs.RunAsync(fixture.BootstrapServers, "create-topics", new
        {
            Topics = new[] { new { Topic = "js-bad-config", NumPartitions = 1, ConfigEntries = new[] { Entry("retention.ms", "soon") } } },
        })).Failed();
        var dryRun = (await KafkaJs.RunAsync(fixture.BootstrapServers, "create-topics", new
        {
            ValidateOnly = true, Topics = new[] { new { Topic = "js-dry-run", NumPartitions = 2 } },
        })).Ok();

        Assert.False(again.GetProperty("created").GetBoolean()); // KafkaJS: false when every topic already exists
        Assert.Contains("INVALID_CONFIG", ErrorTypes(badConfig));
        Assert.DoesNotContain("js-dry-run", Strings(dryRun.GetProperty("listed")));
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var topics = admin.GetMetadata(Patience).Topics.Select(t => t.Topic).ToList();
        Assert.DoesNotContain("js-bad-config", topics);
        Assert.DoesNotContain("js-dry-run", topics);
    }

    [Fact]
    public async Task Fetch_topic_metadata_matches_the_metadata_Confluent_sees()
    {
        await CreateTopicAsync(fixture, "js-metadata-a", partitions: 4);
        await CreateTopicAsync(fixture, "js-metadata-b", partitions: 2);

        var named = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch-topic-metadata", new { Topics = new[] { "js-metadata-a", "js-metadata-b" } })).Ok();
        var all = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch-topic-metadata")).Ok();

        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var expected = admin.GetMetadata(Patience).Topics.ToDictionary(t => t.Topic, t => t.Partitions.Select(p => (p.PartitionId, p.Leader)).OrderBy(p => p.PartitionId).ToList());
        var reported = named.GetProperty("topics").EnumerateArray().ToDictionary(
            t => t.GetProperty("name").GetString()!,
            t => t.GetProperty("partitions").EnumerateArray().Select(p => (p.GetProperty("partition").GetInt32(), p.GetProperty("leader").GetInt32())).ToList());
        Assert.Equal(["js-metadata-a", "js-metadata-b"], reported.Keys.Order());
        Assert.Equal(expected["js-metadata-a"], reported["js-metadata-a"]);
        Assert.Equal(expected["js-metadata-b"], reported["js-metadata-b"]);
        Assert.Equal(expected.Keys.Order(), all.GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order());
    }

    [Fact]
    public async Task Fetch_topic_offsets_and_offsets_by_timestamp_match_the_log()
    {
        const string topic = "js-offsets";
        await CreateTopicAsync(fixture, topic, partitions: 3);
        using (var producer = new ProducerBuilder<string?, string?>(fixture.ProducerConfig()).Build())
        {
            // partition 0: timestamps Base, Base+1000, …, Base+4000; partition 1: Base+10000, Base+10001; partition 2: empty.
            for (var i = 0; i < 5; i++)
                await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<string?, string?> { Value = $"p0-{i}", Timestamp = new Timestamp(Base + i * 1000, KafkaTimestampType.CreateTime) });
            for (var i = 0; i < 2; i++)
                await producer.ProduceAsync(new TopicPartition(topic, 1), new Message<string?, string?> { Value = $"p1-{i}", Timestamp = new Timestamp(Base + 10_000 + i, KafkaTimestampType.CreateTime) });
        }

        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "offsets", new
        {
            Topic = topic,
            Timestamps = new[] { Base - 1, Base + 1500, Base + 10_001, Base + 3_600_000 },
        })).Ok();

        // {partition: (offset, high, low)}; KafkaJS gives offsets as strings.
        var offsets = result.GetProperty("offsets").EnumerateArray().ToDictionary(
            p => p.GetProperty("partition").GetInt32(),
            p => (Long(p, "offset"), Long(p, "high"), Long(p, "low")));
        Assert.Equal((5L, 5L, 0L), offsets[0]);
        Assert.Equal((2L, 2L, 0L), offsets[1]);
        Assert.Equal((0L, 0L, 0L), offsets[2]);
        var byTimestamp = result.GetProperty("byTimestamp").EnumerateArray().ToDictionary(
            t => t.GetProperty("timestamp").GetInt64(),
            t => t.GetProperty("offsets").EnumerateArray().Select(p => (p.GetProperty("partition").GetInt32(), Long(p, "offset"))).ToList());
        // The first offset whose timestamp is >= the one asked; KafkaJS substitutes the high watermark for "none" (-1).
        Assert.Equal([(0, 0L), (1, 0L), (2, 0L)], byTimestamp[Base - 1]);
        Assert.Equal([(0, 2L), (1, 0L), (2, 0L)], byTimestamp[Base + 1500]);
        Assert.Equal([(0, 5L), (1, 1L), (2, 0L)], byTimestamp[Base + 10_001]);
        Assert.Equal([(0, 5L), (1, 2L), (2, 0L)], byTimestamp[Base + 3_600_000]);

        // The same questions through librdkafka.
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(fixture.ConsumerConfig()).Build();
        Assert.Equal(5, consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), Patience).High.Value);
        var librdkafka = consumer.OffsetsForTimes([new TopicPartitionTimestamp(topic, 0, new Timestamp(Base + 1500, KafkaTimestampType.CreateTime))], Patience);
        Assert.Equal(2, librdkafka[0].Offset.Value);
    }

    [Fact]
    public async Task Delete_topic_records_moves_the_log_start_offset()
    {
        const string topic = "js-delete-records";
        await CreateTopicAsync(fixture, topic, partitions: 2);
        await ProduceValuesAsync(topic, 0, 10);
        await ProduceValuesAsync(topic, 1, 6);

        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "delete-records", new
        {
            Topic = topic,
            Partitions = new[] { new { Partition = 0, Offset = 4L }, new { Partition = 1, Offset = -1L } }, // -1: up to the high watermark
        })).Ok();

        var offsets = result.GetProperty("offsets").EnumerateArray().ToDictionary(p => p.GetProperty("partition").GetInt32(), p => (Long(p, "low"), Long(p, "high")));
        Assert.Equal((4L, 10L), offsets[0]);
        Assert.Equal((6L, 6L), offsets[1]);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(fixture.ConsumerConfig()).Build();
        Assert.Equal(4, consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), Patience).Low.Value);
        Assert.Equal(6, consumer.QueryWatermarkOffsets(new TopicPartition(topic, 1), Patience).Low.Value);
        var remaining = ReadPartition(fixture, topic, 0, Offset.Beginning.Value, 6);
        Assert.Equal([4L, 5, 6, 7, 8, 9], remaining.Select(r => r.Offset.Value));
        Assert.Equal("value-4", remaining[0].Message.Value);
    }

    [Fact]
    public async Task Describe_configs_agrees_with_Confluent_on_values_sources_and_synonyms()
    {
        await CreateTopicAsync(fixture, "js-described", configs: new() { ["cleanup.policy"] = "compact", ["segment.bytes"] = "1048576" });

        var topic = Resource((await KafkaJs.RunAsync(fixture.BootstrapServers, "describe-configs", new { Type = "topic", Name = "js-described", IncludeSynonyms = true })).Ok());
        var some = Resource((await KafkaJs.RunAsync(fixture.BootstrapServers, "describe-configs", new
        {
            Type = "topic", Name = "js-described", ConfigNames = new[] { "cleanup.policy", "retention.ms" },
        })).Ok());
        var broker = Resource((await KafkaJs.RunAsync(fixture.BootstrapServers, "describe-configs", new { Type = "broker", Name = fixture.Broker.NodeId.ToString() })).Ok());

        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var expected = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "js-described" }]))[0].Entries;
        var expectedBroker = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Broker, Name = fixture.Broker.NodeId.ToString() }]))[0].Entries;

        Assert.Equal(0, topic.GetProperty("errorCode").GetInt32());
        var entries = Entries(topic);
        Assert.Equal(expected.Keys.Order(), entries.Keys.Order());
        foreach (var (name, entry) in entries)
        {
            var want = expected[name];
            Assert.Equal((name, want.Value, want.IsReadOnly, want.IsSensitive, (int)want.Source),
                (name, entry.GetProperty("configValue").GetString(), entry.GetProperty("readOnly").GetBoolean(), entry.GetProperty("isSensitive").GetBoolean(), entry.GetProperty("configSource").GetInt32()));
            Assert.Equal(want.Synonyms.Select(s => (s.Name, (string?)s.Value, (int)s.Source)),
                entry.GetProperty("configSynonyms").EnumerateArray().Select(s => (s.GetProperty("configName").GetString()!, s.GetProperty("configValue").GetString(), s.GetProperty("configSource").GetInt32())));
        }
        Assert.Equal("compact", entries["cleanup.policy"].GetProperty("configValue").GetString());
        Assert.Equal("1048576", entries["segment.bytes"].GetProperty("configValue").GetString());
        Assert.Equal(["cleanup.policy", "retention.ms"], Entries(some).Keys.Order());
        var brokerEntries = Entries(broker);
        Assert.Equal(expectedBroker.Keys.Order(), brokerEntries.Keys.Order());
        Assert.All(brokerEntries, e => Assert.Equal(expectedBroker[e.Key].Value, e.Value.GetProperty("configValue").GetString()));
    }

    [Fact]
    public async Task Alter_configs_replaces_every_dynamic_config_of_the_topic()
    {
        await CreateTopicAsync(fixture, "js-altered", configs: new() { ["cleanup.policy"] = "compact", ["retention.ms"] = "1000" });

        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "alter-configs", new
        {
            Topic = "js-altered", ConfigEntries = new[] { Entry("retention.ms", "7200000"), Entry("segment.ms", "600000") },
        })).Ok();
        var dryRun = (await KafkaJs.RunAsync(fixture.BootstrapServers, "alter-configs", new
        {
            Topic = "js-altered", ValidateOnly = true, ConfigEntries = new[] { Entry("retention.ms", "1") },
        })).Ok();
        var invalid = (await KafkaJs.RunAsync(fixture.BootstrapServers, "alter-configs", new
        {
            Topic = "js-altered", ConfigEntries = new[] { Entry("retention.ms", "forever") },
        })).Failed();

        Assert.All(result.GetProperty("resources").EnumerateArray().Concat(dryRun.GetProperty("resources").EnumerateArray()),
            r => Assert.Equal(0, r.GetProperty("errorCode").GetInt32()));
        Assert.Contains("INVALID_CONFIG", ErrorTypes(invalid));
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var entries = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "js-altered" }]))[0].Entries;
        Assert.Equal("7200000", entries["retention.ms"].Value);
        Assert.Equal("600000", entries["segment.ms"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, entries["segment.ms"].Source);
        Assert.Equal("delete", entries["cleanup.policy"].Value); // not in the request: back to the default
        Assert.Equal(ConfigSource.DefaultConfig, entries["cleanup.policy"].Source);
    }

    [Fact]
    public async Task Create_partitions_grows_the_topic_and_the_new_partitions_take_records()
    {
        await CreateTopicAsync(fixture, "js-grown", partitions: 2);

        var grown = (await KafkaJs.RunAsync(fixture.BootstrapServers, "create-partitions", new { Topic = "js-grown", Count = 5 })).Ok();
        var shrink = (await KafkaJs.RunAsync(fixture.BootstrapServers, "create-partitions", new { Topic = "js-grown", Count = 3 })).Failed();
        var dryRun = (await KafkaJs.RunAsync(fixture.BootstrapServers, "create-partitions", new { Topic = "js-grown", Count = 8, ValidateOnly = true })).Ok();
        var sent = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new
        {
            Topic = "js-grown", Messages = new[] { new Msg("k", "in the new partition", Base, Partition: 4).Json },
        })).Ok();

        Assert.Equal([0, 1, 2, 3, 4], grown.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("partition").GetInt32()));
        Assert.All(grown.GetProperty("partitions").EnumerateArray(), p => Assert.Equal(fixture.Broker.NodeId, p.GetProperty("leader").GetInt32()));
        Assert.Contains("INVALID_PARTITIONS", ErrorTypes(shrink));
        Assert.Equal(5, dryRun.GetProperty("partitions").GetArrayLength());
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        Assert.Equal(5, admin.GetMetadata("js-grown", Patience).Topics[0].Partitions.Count);
        Assert.Equal(4, sent.GetProperty("metadata")[0].GetProperty("partition").GetInt32());
        Assert.Equal("in the new partition", Assert.Single(ReadPartition(fixture, "js-grown", 4, 0, 1)).Message.Value);
    }

    [Fact]
    public async Task Delete_topics_removes_them()
    {
        await CreateTopicAsync(fixture, "js-doomed-a");
        await CreateTopicAsync(fixture, "js-doomed-b", partitions: 2);
        await CreateTopicAsync(fixture, "js-kept");

        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "delete-topics", new { Topics = new[] { "js-doomed-a", "js-doomed-b" } })).Ok();
        var unknown = (await KafkaJs.RunAsync(fixture.BootstrapServers, "delete-topics", new { Topics = new[] { "js-never-existed" } })).Failed();

        var listed = Strings(result.GetProperty("listed"));
        Assert.DoesNotContain("js-doomed-a", listed);
        Assert.DoesNotContain("js-doomed-b", listed);
        Assert.Contains("js-kept", listed);
        Assert.Contains("UNKNOWN_TOPIC_OR_PARTITION", ErrorTypes(unknown));
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var topics = admin.GetMetadata(Patience).Topics.Select(t => t.Topic).ToList();
        Assert.DoesNotContain("js-doomed-a", topics);
        Assert.DoesNotContain("js-doomed-b", topics);
        Assert.Contains("js-kept", topics);
    }

    [Fact]
    public async Task Describe_cluster_reports_this_broker_as_the_controller()
    {
        var cluster = (await KafkaJs.RunAsync(fixture.BootstrapServers, "describe-cluster")).Ok();

        var broker = Assert.Single(cluster.GetProperty("brokers").EnumerateArray());
        Assert.Equal(fixture.Broker.NodeId, broker.GetProperty("nodeId").GetInt32());
        Assert.Equal($"{broker.GetProperty("host").GetString()}:{broker.GetProperty("port").GetInt32()}", fixture.BootstrapServers);
        Assert.Equal(fixture.Broker.Port, broker.GetProperty("port").GetInt32());
        Assert.Equal(fixture.Broker.NodeId, cluster.GetProperty("controller").GetInt32());
        Assert.Equal(fixture.Broker.ClusterId, cluster.GetProperty("clusterId").GetString());
    }

    // ---- producer ----

    [Theory]
    [InlineData("none", -1)]
    [InlineData("none", 1)]
    [InlineData("gzip", -1)]
    [InlineData("gzip", 1)]
    public async Task Send_stores_keys_values_headers_and_timestamps_as_given(string compression, int acks)
    {
        var topic = $"js-send-{compression}-{(acks == -1 ? "all" : "one")}";
        await CreateTopicAsync(fixture, topic, partitions: 2);
        List<Msg> toZero =
        [
            new("k0", "v0", Base, 0, ("trace", "abc"), ("multi", "1"), ("multi", "2")),
            new("ключ", "välue ✓ 🚂", Base + 10, 0, ("ü", "ß"), ("empty", "")),
            new(null, "no key", Base + 20, 0),
            new("tombstone", null, Base + 30, 0),
            new("empty", "", Base + 40, 0),
            .. Enumerable.Range(0, 100).Select(i => new Msg($"key-{i}", new string('x', i) + i, Base + 100 + i, 0, ("index", i.ToString()))),
        ];
        List<Msg> toOne = [new("p1-a", "first", Base + 5, 1), new("p1-b", "second", Base + 1_000_000, 1, ("h", "v"))];

        var first = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new { Topic = topic, Acks = acks, Compression = compression, Messages = toZero.Concat(toOne).Select(m => m.Json) })).Ok();
        var second = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new { Topic = topic, Acks = acks, Compression = compression, Messages = toOne.Select(m => m.Json) })).Ok();

        // The offsets KafkaJS was told: a fresh partition starts at 0, the next send right after the first.
        Assert.Equal([(0, 0L), (1, 0L)], BaseOffsets(first));
        Assert.Equal([(1, 2L)], BaseOffsets(second));
        Assert.All(first.GetProperty("metadata").EnumerateArray(), m => Assert.Equal(0, m.GetProperty("errorCode").GetInt32()));
        Assert.All(first.GetProperty("metadata").EnumerateArray(), m => Assert.Equal(-1L, Long(m, "logAppendTime")));

        // What the broker stored, read back by librdkafka.
        AssertStored(toZero, ReadPartition(fixture, topic, 0, 0, toZero.Count));
        AssertStored([.. toOne, .. toOne], ReadPartition(fixture, topic, 1, 0, 4));

        // One batch per partition per send, with KafkaJS's codec kept as produced.
        var codec = compression == "gzip" ? BatchCompression.Gzip : BatchCompression.None;
        var batches = await StoredBatchesAsync(topic, 0);
        Assert.Equal([(codec, toZero.Count, 0L)], batches.Select(b => (b.Compression, b.RecordCount, b.BaseOffset)));
        Assert.Equal([(codec, 2, 0L), (codec, 2, 2L)], (await StoredBatchesAsync(topic, 1)).Select(b => (b.Compression, b.RecordCount, b.BaseOffset)));
    }

    [Theory]
    [InlineData("none", -1)]
    [InlineData("gzip", 1)]
    public async Task Send_batch_to_several_topics_and_partitions_stores_every_message(string compression, int acks)
    {
        var orders = $"js-batch-orders-{compression}";
        var clicks = $"js-batch-clicks-{compression}";
        await CreateTopicAsync(fixture, orders, partitions: 3);
        await CreateTopicAsync(fixture, clicks, partitions: 2);
        var toOrders = Enumerable.Range(0, 30).Select(i => new Msg($"order-{i}", $"{{\"id\":{i}}}", Base + i, i % 3, ("source", "kafkajs"))).ToList();
        var toClicks = Enumerable.Range(0, 10).Select(i => new Msg(null, $"click {i}", Base + 1000 + i, i % 2)).ToList();
        object Batch() => new
        {
            Acks = acks,
            Compression = compression,
            TopicMessages = new[]
            {
                new { Topic = orders, Messages = toOrders.Select(m => m.Json) },
                new { Topic = clicks, Messages = toClicks.Select(m => m.Json) },
            },
        };

        var first = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send-batch", Batch())).Ok();
        var second = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send-batch", Batch())).Ok();

        Assert.Equal([(clicks, 0, 0L), (clicks, 1, 0L), (orders, 0, 0L), (orders, 1, 0L), (orders, 2, 0L)], TopicBaseOffsets(first));
        Assert.Equal([(clicks, 0, 5L), (clicks, 1, 5L), (orders, 0, 10L), (orders, 1, 10L), (orders, 2, 10L)], TopicBaseOffsets(second));
        for (var p = 0; p < 3; p++)
        {
            var expected = toOrders.Where(m => m.Partition == p).ToList();
            AssertStored([.. expected, .. expected], ReadPartition(fixture, orders, p, 0, 20));
        }
        for (var p = 0; p < 2; p++)
        {
            var expected = toClicks.Where(m => m.Partition == p).ToList();
            AssertStored([.. expected, .. expected], ReadPartition(fixture, clicks, p, 0, 10));
        }
        var codec = compression == "gzip" ? BatchCompression.Gzip : BatchCompression.None;
        Assert.All(await StoredBatchesAsync(orders, 2), b => Assert.Equal(codec, b.Compression));
    }

    [Fact]
    public async Task Send_with_keys_but_no_partition_spreads_by_key_and_the_reported_partitions_hold_the_records()
    {
        const string topic = "js-keyed";
        await CreateTopicAsync(fixture, topic, partitions: 4);
        var messages = Enumerable.Range(0, 40).Select(i => new Msg($"customer-{i % 8}", $"event {i}", Base + i)).ToList();

        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new { Topic = topic, Messages = messages.Select(m => m.Json) })).Ok();

        var reported = BaseOffsets(result).Select(p => p.Partition).ToList();
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(fixture.ConsumerConfig()).Build();
        var counts = Enumerable.Range(0, 4).Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), Patience).High.Value).ToList();
        Assert.Equal(40, counts.Sum());
        Assert.Equal(reported.Order(), Enumerable.Range(0, 4).Where(p => counts[p] > 0));
        // Every key lives in exactly one partition.
        var byPartition = Enumerable.Range(0, 4).Select(p => ReadPartition(fixture, topic, p, 0, (int)counts[p])).ToList();
        Assert.All(byPartition.SelectMany((records, p) => records.Select(r => (r.Message.Key, Partition: p))).GroupBy(r => r.Key),
            g => Assert.Single(g.Select(r => r.Partition).Distinct()));
        Assert.Equal(messages.Select(m => m.Value).Order(), byPartition.SelectMany(r => r).Select(r => r.Message.Value).Order());
    }

    [Fact]
    public async Task Metadata_creates_a_missing_topic_only_when_the_request_allows_it()
    {
        // KafkaJS's producer asks Metadata v6 with allow_auto_topic_creation = true (when told), its admin with false.
        var admin = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch-topic-metadata", new { Topics = new[] { "js-not-auto-created" } })).Failed();
        var refused = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new
        {
            Topic = "js-not-auto-created-either", Messages = new[] { new Msg("k", "v", Base).Json },
        })).Failed();
        var sent = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new
        {
            Topic = "js-auto-created", AllowAutoTopicCreation = true, Messages = new[] { new Msg("k", "v", Base).Json },
        })).Ok();

        Assert.Contains("UNKNOWN_TOPIC_OR_PARTITION", ErrorTypes(admin));
        Assert.Contains("UNKNOWN_TOPIC_OR_PARTITION", ErrorTypes(refused));
        Assert.Equal([(0, 0L)], BaseOffsets(sent));
        using var confluent = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var topics = confluent.GetMetadata(Patience).Topics;
        Assert.Single(topics.Single(t => t.Topic == "js-auto-created").Partitions); // num.partitions = 1
        Assert.DoesNotContain(topics, t => t.Topic.StartsWith("js-not-auto-created", StringComparison.Ordinal));
        AssertStored([new Msg("k", "v", Base)], ReadPartition(fixture, "js-auto-created", 0, 0, 1));
    }

    [Fact]
    public async Task Send_with_acks_zero_gets_no_offsets_but_the_records_arrive()
    {
        const string topic = "js-acks-zero";
        await CreateTopicAsync(fixture, topic);
        var messages = Enumerable.Range(0, 5).Select(i => new Msg($"k{i}", $"fire and forget {i}", Base + i, 0)).ToList();

        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new { Topic = topic, Acks = 0, Messages = messages.Select(m => m.Json) })).Ok();

        Assert.Equal(0, result.GetProperty("metadata").GetArrayLength());
        AssertStored(messages, ReadPartition(fixture, topic, 0, 0, 5));
    }

    [Fact]
    public async Task Send_to_a_log_append_time_topic_reports_the_broker_time_that_consumers_see()
    {
        const string topic = "js-log-append-time";
        (await KafkaJs.RunAsync(fixture.BootstrapServers, "create-topics", new
        {
            Topics = new[] { new { Topic = topic, NumPartitions = 1, ConfigEntries = new[] { Entry("message.timestamp.type", "LogAppendTime") } } },
        })).Ok();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new
        {
            Topic = topic, Acks = -1, Compression = "gzip", Messages = new[] { new Msg("a", "1", Base, 0).Json, new Msg("b", "2", Base + 1, 0).Json },
        })).Ok();

        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var logAppendTime = Long(result.GetProperty("metadata")[0], "logAppendTime");
        Assert.InRange(logAppendTime, before, after);
        var stored = ReadPartition(fixture, topic, 0, 0, 2);
        Assert.Equal(2, stored.Count);
        Assert.All(stored, r => Assert.Equal((KafkaTimestampType.LogAppendTime, logAppendTime), (r.Message.Timestamp.Type, r.Message.Timestamp.UnixTimestampMs)));
        var fetched = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch", new { Topic = topic, Partitions = new[] { new { Partition = 0, FetchOffset = 0 } } })).Ok();
        Assert.All(Messages(Single(fetched, 0)), m =>
        {
            Assert.Equal(logAppendTime, Long(m, "timestamp"));
            Assert.Equal(1, m.GetProperty("batch").GetProperty("timestampType").GetInt32()); // LogAppendTime
        });
    }

    [Fact]
    public async Task A_large_gzip_batch_is_stored_whole()
    {
        const string topic = "js-large-gzip";
        await CreateTopicAsync(fixture, topic);
        var messages = Enumerable.Range(0, 5000).Select(i => new Msg($"key-{i}", $"{i}:" + new string((char)('a' + i % 26), 200), Base + i, 0)).ToList();

        var result = (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new { Topic = topic, Compression = "gzip", Messages = messages.Select(m => m.Json) })).Ok();

        Assert.Equal([(0, 0L)], BaseOffsets(result));
        var stored = ReadPartition(fixture, topic, 0, 0, messages.Count);
        Assert.Equal(messages.Count, stored.Count);
        Assert.Equal(messages.Select(m => (m.Key, m.Value, m.Timestamp)), stored.Select(r => (r.Message.Key, r.Message.Value, r.Message.Timestamp.UnixTimestampMs)));
    }

    // ---- fetch (KafkaJS's Fetch v11 and record decoder, reached through its internals: see run.js) ----

    [Theory]
    [InlineData(Confluent.Kafka.CompressionType.None)]
    [InlineData(Confluent.Kafka.CompressionType.Gzip)]
    public async Task Fetch_decodes_every_record_librdkafka_produced(Confluent.Kafka.CompressionType codec)
    {
        var topic = $"js-fetch-{codec}".ToLowerInvariant();
        await CreateTopicAsync(fixture, topic, partitions: 2);
        var messages = Enumerable.Range(0, 300).Select(i => new Msg(
            i % 10 == 0 ? null : $"key-{i}", i % 13 == 0 ? null : $"value {i} " + new string('z', i % 40), Base + i, 0,
            [.. i % 3 == 0 ? [("index", i.ToString())] : Array.Empty<(string, string)>(), .. i % 7 == 0 ? [("ü", "ß"), ("ü", "✓")] : Array.Empty<(string, string)>()])).ToList();
        using (var producer = new ProducerBuilder<string?, string?>(fixture.ProducerConfig(codec)).Build())
        {
            foreach (var chunk in messages.Chunk(100)) // three flushes: several batches
            {
                foreach (var m in chunk)
                {
                    var headers = new Headers();
                    foreach (var (name, value) in m.Headers)
                        headers.Add(name, Encoding.UTF8.GetBytes(value));
                    producer.Produce(new TopicPartition(topic, 0), new Message<string?, string?>
                    {
                        Key = m.Key, Value = m.Value, Headers = headers, Timestamp = new Timestamp(m.Timestamp, KafkaTimestampType.CreateTime),
                    });
                }
                Assert.Equal(0, producer.Flush(Patience));
            }
        }

        var all = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch", new
        {
            Topic = topic, Partitions = new[] { new { Partition = 0, FetchOffset = 0L, MaxBytes = 4 << 20 }, new { Partition = 1, FetchOffset = 0L, MaxBytes = 4 << 20 } },
        })).Ok();
        var fromMiddle = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch", new { Topic = topic, Partitions = new[] { new { Partition = 0, FetchOffset = 150L } } })).Ok();
        var tiny = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch", new { Topic = topic, Partitions = new[] { new { Partition = 0, FetchOffset = 0L, MaxBytes = 1 } } })).Ok();
        var atEnd = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch", new { Topic = topic, Partitions = new[] { new { Partition = 0, FetchOffset = 300L } } })).Ok();
        var pastEnd = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch", new { Topic = topic, Partitions = new[] { new { Partition = 0, FetchOffset = 301L } } })).Failed();

        var partition0 = Single(all, 0);
        Assert.Equal(0, partition0.GetProperty("errorCode").GetInt32());
        Assert.Equal((300L, 300L, 0L), (Long(partition0, "highWatermark"), Long(partition0, "lastStableOffset"), Long(partition0, "logStartOffset")));
        AssertFetched(messages, 0, Messages(partition0));
        Assert.Empty(Messages(Single(all, 1)));
        Assert.Equal(0L, Long(Single(all, 1), "highWatermark"));
        // A fetch from inside a batch gets the whole batch; from the fetch offset on it is the log.
        var middle = Messages(Single(fromMiddle, 0));
        Assert.True(Long(middle[0], "offset") <= 150, $"first fetched offset {Long(middle[0], "offset")} is past 150");
        AssertFetched(messages[150..], 150, [.. middle.Where(m => Long(m, "offset") >= 150)]);
        // Over the partition's byte limit: still the first whole batch, so the consumer makes progress (KIP-74).
        var first = Messages(Single(tiny, 0));
        Assert.NotEmpty(first);
        AssertFetched(messages[..first.Count], 0, first);
        Assert.Empty(Messages(Single(atEnd, 0)));
        Assert.Contains("OFFSET_OUT_OF_RANGE", ErrorTypes(pastEnd));
    }

    [Fact]
    public async Task What_KafkaJS_sends_KafkaJS_fetches_back_through_the_broker()
    {
        const string topic = "js-round-trip";
        await CreateTopicAsync(fixture, topic);
        var messages = Enumerable.Range(0, 50).Select(i => new Msg($"k{i}", $"v{i}", Base + i * 7, 0, ("n", i.ToString()), ("multi", "a"), ("multi", "b"))).ToList();
        (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new { Topic = topic, Compression = "gzip", Messages = messages[..20].Select(m => m.Json) })).Ok();
        (await KafkaJs.RunAsync(fixture.BootstrapServers, "send", new { Topic = topic, Compression = "none", Messages = messages[20..].Select(m => m.Json) })).Ok();

        var fetched = (await KafkaJs.RunAsync(fixture.BootstrapServers, "fetch", new { Topic = topic, Partitions = new[] { new { Partition = 0, FetchOffset = 0L } } })).Ok();

        AssertFetched(messages, 0, Messages(Single(fetched, 0)));
    }

    // ---- SASL ----

    [Fact]
    public async Task Sasl_plain_is_refused_with_unsupported_sasl_mechanism_while_no_mechanism_is_enabled()
    {
        var error = (await KafkaJs.RunAsync(fixture.BootstrapServers, "connect-sasl", new
        {
            Sasl = new { Mechanism = "plain", Username = "alice", Password = "secret" },
        })).Failed();

        Assert.Contains("UNSUPPORTED_SASL_MECHANISM", ErrorTypes(error));
    }

    // ---- helpers ----

    /// <summary>A message as the test sends it; <see cref="Json"/> is the shape run.js expects (a repeated header name becomes an array).</summary>
    private sealed record Msg(string? Key, string? Value, long Timestamp, int? Partition = null, params (string Name, string Value)[] Headers)
    {
        public object Json => new
        {
            Key,
            Value,
            Timestamp,
            Partition,
            Headers = Headers.GroupBy(h => h.Name).ToDictionary(g => g.Key, g => g.Count() == 1 ? (object)g.Single().Value : g.Select(h => h.Value).ToArray()),
        };
    }

    private static object Entry(string name, string value) => new { Name = name, Value = value };

    private static long Long(JsonElement element, string property) => long.Parse(element.GetProperty(property).GetString()!);

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>The Kafka error types in what KafkaJS threw: its own, its per-topic errors' and its cause's.</summary>
    private static List<string> ErrorTypes(JsonElement error) =>
        [.. new[] { error, error.TryGetProperty("cause", out var cause) ? cause : default }
            .Concat(error.TryGetProperty("errors", out var errors) ? errors.EnumerateArray() : [])
            .Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
            .Select(e => e.GetProperty("type").GetString()!)];

    private static JsonElement Resource(JsonElement described) => Assert.Single(described.GetProperty("resources").EnumerateArray());

    private static Dictionary<string, JsonElement> Entries(JsonElement resource) =>
        resource.GetProperty("configEntries").EnumerateArray().ToDictionary(e => e.GetProperty("configName").GetString()!);

    /// <summary>(partition, baseOffset) of a send's RecordMetadata, by partition.</summary>
    private static List<(int Partition, long BaseOffset)> BaseOffsets(JsonElement result) =>
        [.. result.GetProperty("metadata").EnumerateArray().Select(m => (m.GetProperty("partition").GetInt32(), Long(m, "baseOffset"))).Order()];

    private static List<(string Topic, int Partition, long BaseOffset)> TopicBaseOffsets(JsonElement result) =>
        [.. result.GetProperty("metadata").EnumerateArray().Select(m => (m.GetProperty("topicName").GetString()!, m.GetProperty("partition").GetInt32(), Long(m, "baseOffset"))).Order()];

    private static JsonElement Single(JsonElement fetched, int partition) =>
        Assert.Single(fetched.GetProperty("partitions").EnumerateArray(), p => p.GetProperty("partition").GetInt32() == partition);

    private static List<JsonElement> Messages(JsonElement partition) => [.. partition.GetProperty("messages").EnumerateArray()];

    /// <summary>KafkaJS's decoded messages are exactly <paramref name="expected"/>, at offsets from <paramref name="firstOffset"/> on.</summary>
    private static void AssertFetched(List<Msg> expected, long firstOffset, List<JsonElement> fetched)
    {
        Assert.Equal(expected.Count, fetched.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (want, got) = (expected[i], fetched[i]);
            Assert.Equal((firstOffset + i, want.Key, want.Value, want.Timestamp),
                (Long(got, "offset"), got.GetProperty("key").GetString(), got.GetProperty("value").GetString(), Long(got, "timestamp")));
            // KafkaJS folds a repeated header name into an array.
            var headers = got.GetProperty("headers").EnumerateObject().SelectMany(h => h.Value.ValueKind == JsonValueKind.Array
                ? h.Value.EnumerateArray().Select(v => (h.Name, v.GetString()!))
                : [(h.Name, h.Value.GetString()!)]);
            Assert.Equal(want.Headers, headers);
        }
    }

    private static void AssertStored(List<Msg> expected, List<ConsumeResult<string?, string?>> stored)
    {
        Assert.Equal(expected.Count, stored.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (want, got) = (expected[i], stored[i].Message);
            Assert.Equal(i, stored[i].Offset.Value);
            Assert.Equal((want.Key, want.Value), (got.Key, got.Value));
            Assert.Equal((KafkaTimestampType.CreateTime, want.Timestamp), (got.Timestamp.Type, got.Timestamp.UnixTimestampMs));
            Assert.Equal(want.Headers, got.Headers.Select(h => (h.Key, Encoding.UTF8.GetString(h.GetValueBytes()))));
        }
    }

    private async Task ProduceValuesAsync(string topic, int partition, int count)
    {
        using var producer = new ProducerBuilder<string?, string?>(fixture.ProducerConfig()).Build();
        for (var i = 0; i < count; i++)
            await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string?, string?> { Value = $"value-{i}" });
    }

    /// <summary>The batch headers of a partition as stored, by a raw Fetch v12 from offset 0.</summary>
    private async Task<List<RecordBatchHeader>> StoredBatchesAsync(string topic, int partition)
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var request = new FetchRequest
        {
            MaxWaitMs = 0,
            MaxBytes = 64 << 20,
            Topics = [new FetchTopic { Topic = topic, Partitions = [new FetchPartition { Partition = partition, FetchOffset = 0, PartitionMaxBytes = 64 << 20 }] }],
        };
        var response = await connection.SendAsync<FetchResponse>(request, ApiKey.Fetch, 12);
        var fetched = response.Topics[0].Partitions[0];
        Assert.Equal(WireError.None, fetched.ErrorCode);
        var records = Assert.IsType<MemoryPayload>(fetched.Records);
        return [.. RecordBatch.ReadAll(records.Bytes).Select(b => b.Header)];
    }
}
