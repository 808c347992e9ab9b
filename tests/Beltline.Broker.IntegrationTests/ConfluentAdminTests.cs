using Confluent.Kafka;
using Confluent.Kafka.Admin;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Topic and config administration through Confluent.Kafka's AdminClient.</summary>
public sealed class ConfluentAdminTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Create_topics_applies_partitions_and_configs_and_rejects_what_Kafka_rejects()
    {
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = "orders", NumPartitions = 3, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "3600000" },
        }]);

        var duplicate = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = "orders", NumPartitions = 1 }]));
        var badName = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = "bad name!", NumPartitions = 1 }]));
        var badReplication = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = "replicated", NumPartitions = 1, ReplicationFactor = 3 }]));
        var badConfig = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = "configured", NumPartitions = 1, Configs = new() { ["retention.ms"] = "soon" } }]));
        var metadata = admin.GetMetadata("orders", Patience);

        Assert.Equal(3, metadata.Topics[0].Partitions.Count);
        Assert.All(metadata.Topics[0].Partitions, p => Assert.Equal(fixture.Broker.NodeId, p.Leader));
        Assert.Equal(ErrorCode.TopicAlreadyExists, duplicate.Results[0].Error.Code);
        Assert.Equal(ErrorCode.TopicException, badName.Results[0].Error.Code);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, badReplication.Results[0].Error.Code);
        Assert.Equal(ErrorCode.InvalidConfig, badConfig.Results[0].Error.Code);
    }

    [Fact]
    public async Task Validate_only_creates_nothing()
    {
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "dry-run", NumPartitions = 2 }], new CreateTopicsOptions { ValidateOnly = true });

        var metadata = admin.GetMetadata(Patience);

        Assert.DoesNotContain(metadata.Topics, t => t.Topic == "dry-run");
    }

    [Fact]
    public async Task Describe_configs_reports_values_and_their_sources()
    {
        await CreateTopicAsync(fixture, "described", configs: new() { ["cleanup.policy"] = "compact", ["segment.bytes"] = "1048576" });
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();

        var described = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "described" }]);
        var broker = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Broker, Name = fixture.Broker.NodeId.ToString() }]);
        var entries = described[0].Entries;

        Assert.Equal("compact", entries["cleanup.policy"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, entries["cleanup.policy"].Source);
        Assert.Equal("1048576", entries["segment.bytes"].Value);
        Assert.Equal("604800000", entries["retention.ms"].Value);
        Assert.Equal(ConfigSource.DefaultConfig, entries["retention.ms"].Source);
        Assert.Equal("1", broker[0].Entries["num.partitions"].Value);
        Assert.True(broker[0].Entries["broker.id"].IsReadOnly);
    }

    [Fact]
    public async Task Incremental_alter_configs_sets_appends_and_deletes()
    {
        await CreateTopicAsync(fixture, "altered");
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = "altered" };

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] =
            [
                new() { Name = "retention.ms", Value = "1000", IncrementalOperation = AlterConfigOpType.Set },
                new() { Name = "cleanup.policy", Value = "compact", IncrementalOperation = AlterConfigOpType.Append },
            ],
        });
        var afterSet = (await admin.DescribeConfigsAsync([resource]))[0].Entries;
        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new() { Name = "retention.ms", IncrementalOperation = AlterConfigOpType.Delete }],
        });
        var afterDelete = (await admin.DescribeConfigsAsync([resource]))[0].Entries;
        var invalid = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new() { Name = "retention.ms", Value = "x", IncrementalOperation = AlterConfigOpType.Append }],
        }));

        Assert.Equal("1000", afterSet["retention.ms"].Value);
        Assert.Equal("delete,compact", afterSet["cleanup.policy"].Value);
        Assert.Equal("604800000", afterDelete["retention.ms"].Value);
        Assert.Equal("delete,compact", afterDelete["cleanup.policy"].Value);
        Assert.Equal(ErrorCode.InvalidConfig, invalid.Results[0].Error.Code);
    }

    [Fact]
    public async Task Legacy_alter_configs_replaces_all_overrides()
    {
        await CreateTopicAsync(fixture, "replaced", configs: new() { ["retention.ms"] = "5000" });
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = "replaced" };

#pragma warning disable CS0618 // AlterConfigs is deprecated in the client, still served by Kafka 3.x brokers.
        await admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = [new() { Name = "segment.ms", Value = "60000" }] });
#pragma warning restore CS0618
        var entries = (await admin.DescribeConfigsAsync([resource]))[0].Entries;

        Assert.Equal("60000", entries["segment.ms"].Value);
        Assert.Equal("604800000", entries["retention.ms"].Value);
    }

    [Fact]
    public async Task Create_partitions_grows_a_topic_that_then_takes_writes_on_the_new_partitions()
    {
        await CreateTopicAsync(fixture, "growing");
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "growing", IncreaseTo = 4 }]);
        var shrink = await Assert.ThrowsAsync<CreatePartitionsException>(() =>
            admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "growing", IncreaseTo = 2 }]));
        using var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build();
        var report = await producer.ProduceAsync(new TopicPartition("growing", 3), new Message<Null, string> { Value = "on the new partition" });

        Assert.Equal(4, admin.GetMetadata("growing", Patience).Topics[0].Partitions.Count);
        Assert.Equal(ErrorCode.InvalidPartitions, shrink.Results[0].Error.Code);
        Assert.Equal(3, report.Partition.Value);
    }

    [Fact]
    public async Task Deleted_topics_disappear_and_a_new_topic_of_the_same_name_starts_empty()
    {
        await CreateTopicAsync(fixture, "recycled");
        using (var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build())
            await producer.ProduceAsync("recycled", new Message<Null, string> { Value = "old" });
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();

        await admin.DeleteTopicsAsync(["recycled"]);
        var afterDelete = admin.GetMetadata(Patience).Topics.Select(t => t.Topic).ToList();
        var missing = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync(["recycled"]));
        await CreateTopicAsync(fixture, "recycled");
        using var consumer = new ConsumerBuilder<Ignore, string>(fixture.ConsumerConfig()).Build();
        var marks = consumer.QueryWatermarkOffsets(new TopicPartition("recycled", 0), Patience);

        Assert.DoesNotContain("recycled", afterDelete);
        Assert.Equal(ErrorCode.UnknownTopicOrPart, missing.Results[0].Error.Code);
        Assert.Equal((0L, 0L), (marks.Low.Value, marks.High.Value));
    }

    [Fact]
    public async Task Describe_cluster_names_this_node_as_broker_and_controller()
    {
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();

        var cluster = await admin.DescribeClusterAsync();

        Assert.Equal(fixture.Broker.ClusterId, cluster.ClusterId);
        Assert.Equal(fixture.Broker.NodeId, cluster.Controller.Id);
        Assert.Equal(fixture.Broker.Port, Assert.Single(cluster.Nodes).Port);
    }

    [Fact]
    public async Task Describe_topics_reports_partitions_and_topic_ids()
    {
        await CreateTopicAsync(fixture, "described-topic", partitions: 2);
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();

        var result = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(["described-topic"]));
        var topic = Assert.Single(result.TopicDescriptions);

        Assert.Equal(2, topic.Partitions.Count);
        Assert.True(topic.TopicId.MostSignificantBits != 0 || topic.TopicId.LeastSignificantBits != 0);
        Assert.False(topic.Error.IsError);
    }

    [Fact]
    public async Task Per_broker_dynamic_configs_Kafka_allows_are_stored_and_described_and_missing_topics_come_first()
    {
        using var admin = new AdminClientBuilder(fixture.AdminConfig()).Build();
        var broker = new ConfigResource { Type = ResourceType.Broker, Name = fixture.Broker.NodeId.ToString() };

#pragma warning disable CS0618 // AlterConfigs is deprecated in favour of IncrementalAlterConfigs; librdkafka's tests use both.
        await admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [broker] = [new ConfigEntry { Name = "sasl.kerberos.min.time.before.relogin", Value = "58000" }],
        });
        var missing = await Assert.ThrowsAsync<AlterConfigsException>(() => admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Topic, Name = "no-such-topic" }] = [new ConfigEntry { Name = "compression.type", Value = "brotli" }],
        }));
#pragma warning restore CS0618
        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [broker] = [new ConfigEntry { Name = "num.io.threads", Value = "4", IncrementalOperation = AlterConfigOpType.Set }],
        });
        var described = (await admin.DescribeConfigsAsync([broker]))[0].Entries;

        Assert.Equal(ErrorCode.UnknownTopicOrPart, missing.Results[0].Error.Code);
        Assert.Equal("4", described["num.io.threads"].Value);
        Assert.Equal(ConfigSource.DynamicBrokerConfig, described["num.io.threads"].Source);
    }
}
