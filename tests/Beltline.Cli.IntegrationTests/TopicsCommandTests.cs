using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline topics list|create|describe|delete|alter` against the in-process broker.</summary>
public sealed class TopicsCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Create_makes_the_topic_with_its_partitions_and_configs()
    {
        var topic = Cli.Unique("created");

        var run = await Cli.RunAsync(broker, "topics", "create", topic, "--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=3600000", "--config", "cleanup.policy=compact");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Created topic {topic}.", run.Output);
        using var admin = Cli.Admin(broker);
        Assert.Equal(3, admin.GetMetadata(Cli.Patience).Topics.Single(t => t.Topic == topic).Partitions.Count);
        var configs = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]))[0].Entries;
        Assert.Equal("3600000", configs["retention.ms"].Value);
        Assert.Equal("compact", configs["cleanup.policy"].Value);
    }

    [Fact]
    public async Task Creating_an_existing_topic_fails_unless_if_not_exists()
    {
        var topic = Cli.Unique("existing");
        await Cli.CreateTopicAsync(broker, topic);

        var again = await Cli.RunAsync(broker, "topics", "create", topic);
        var tolerated = await Cli.RunAsync(broker, "topics", "create", topic, "--if-not-exists", "--output", "json");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"Topic '{topic}' already exists.", again.Error);
        Assert.True(tolerated.ExitCode == 0, tolerated.ToString());
        Assert.False(tolerated.Json().GetProperty("created").GetBoolean());
    }

    [Fact]
    public async Task Create_passes_the_brokers_refusal_of_a_bad_config_on()
    {
        var topic = Cli.Unique("badconfig");

        var run = await Cli.RunAsync(broker, "topics", "create", topic, "--config", "retention.ms=soon");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Topic '{topic}' was not created", run.Error);
        Assert.Contains("retention.ms", run.Error);
        Assert.False(await Cli.TopicExistsAsync(broker, topic));
    }

    [Fact]
    public async Task List_shows_topics_and_hides_internal_ones_unless_asked()
    {
        var topic = Cli.Unique("listed");
        await Cli.CreateTopicAsync(broker, topic, partitions: 2);
        // A committed offset makes sure __consumer_offsets exists.
        await Cli.CommitAsync(broker, Cli.Unique("lister"), new TopicPartitionOffset(topic, 0, 0));

        var table = await Cli.RunAsync(broker, "topics", "list");
        var json = await Cli.RunAsync(broker, "topics", "list", "--output", "json");
        var withInternal = await Cli.RunAsync(broker, "topics", "list", "--include-internal", "--output", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(topic, table.Output);
        Assert.DoesNotContain("__consumer_offsets", table.Output);
        var listed = json.Json().EnumerateArray().ToList();
        var mine = listed.Single(t => t.GetProperty("name").GetString() == topic);
        Assert.Equal(2, mine.GetProperty("partitions").GetInt32());
        Assert.DoesNotContain(listed, t => t.GetProperty("name").GetString() == "__consumer_offsets");
        Assert.Contains(withInternal.Json().EnumerateArray(), t => t.GetProperty("name").GetString() == "__consumer_offsets" && t.GetProperty("internal").GetBoolean());
    }

    [Fact]
    public async Task Describe_shows_partitions_and_the_configs_set_on_the_topic()
    {
        var topic = Cli.Unique("described");
        await Cli.CreateTopicAsync(broker, topic, partitions: 2, configs: new() { ["retention.ms"] = "120000" });

        var table = await Cli.RunAsync(broker, "topics", "describe", topic);
        var json = await Cli.RunAsync(broker, "topics", "describe", topic, "-o", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains($"Topic: {topic}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: retention.ms=120000", table.Output);
        Assert.Contains("Leader", table.Output);
        var described = Assert.Single(json.Json().EnumerateArray());
        Assert.Equal(topic, described.GetProperty("name").GetString());
        Assert.Equal("120000", described.GetProperty("configs").GetProperty("retention.ms").GetString());
        var partitions = described.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal([0, 1], partitions.Select(p => p.GetProperty("partition").GetInt32()));
        Assert.All(partitions, p => Assert.Equal(broker.Broker.NodeId, p.GetProperty("leader").GetInt32()));
    }

    [Fact]
    public async Task Describing_an_unknown_topic_fails_and_does_not_create_it()
    {
        var topic = Cli.Unique("unknown");

        var run = await Cli.RunAsync(broker, "topics", "describe", topic);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Topic '{topic}' does not exist.", run.Error);
        Assert.False(await Cli.TopicExistsAsync(broker, topic));
    }

    [Fact]
    public async Task Delete_removes_the_topic_and_an_unknown_one_is_an_error_unless_if_exists()
    {
        var topic = Cli.Unique("deleted");
        var missing = Cli.Unique("missing");
        await Cli.CreateTopicAsync(broker, topic);

        var unknown = await Cli.RunAsync(broker, "topics", "delete", missing);
        var deleted = await Cli.RunAsync(broker, "topics", "delete", topic, missing, "--if-exists", "--output", "json");

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains($"Topic '{missing}' does not exist.", unknown.Error);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal([topic], deleted.Json().GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([missing], deleted.Json().GetProperty("notFound").EnumerateArray().Select(e => e.GetString()));
        Assert.False(await Cli.TopicExistsAsync(broker, topic));
    }

    [Fact]
    public async Task Alter_adds_partitions_and_refuses_to_shrink()
    {
        var topic = Cli.Unique("altered");
        await Cli.CreateTopicAsync(broker, topic, partitions: 2);

        var grown = await Cli.RunAsync(broker, "topics", "alter", topic, "--partitions", "5", "-o", "json");
        var shrink = await Cli.RunAsync(broker, "topics", "alter", topic, "--partitions", "3");
        var unknown = await Cli.RunAsync(broker, "topics", "alter", Cli.Unique("nothere"), "--partitions", "3");

        Assert.True(grown.ExitCode == 0, grown.ToString());
        Assert.Equal(2, grown.Json().GetProperty("previousPartitions").GetInt32());
        using var admin = Cli.Admin(broker);
        Assert.Equal(5, admin.GetMetadata(Cli.Patience).Topics.Single(t => t.Topic == topic).Partitions.Count);
        Assert.Equal(1, shrink.ExitCode);
        Assert.Contains("has 5 partitions", shrink.Error);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("does not exist", unknown.Error);
    }

    [Fact]
    public async Task Bad_arguments_exit_with_2_before_anything_changes()
    {
        var topic = Cli.Unique("badargs");

        var zeroPartitions = await Cli.RunAsync(broker, "topics", "create", topic, "--partitions", "0");
        var notNumber = await Cli.RunAsync(broker, "topics", "create", topic, "--partitions", "many");
        var malformedConfig = await Cli.RunAsync(broker, "topics", "create", topic, "--config", "retention.ms");
        var alterWithoutPartitions = await Cli.RunAsync(broker, "topics", "alter", topic);
        var unknownOption = await Cli.RunAsync(broker, "topics", "list", "--colour");
        var badOutput = await Cli.RunAsync(broker, "topics", "list", "--output", "xml");
        var noSubcommand = await Cli.RunAsync("topics");

        Assert.Equal(2, zeroPartitions.ExitCode);
        Assert.Contains("--partitions must be at least 1", zeroPartitions.Error);
        Assert.Equal(2, notNumber.ExitCode);
        Assert.Contains("many", notNumber.Error);
        Assert.Equal(2, malformedConfig.ExitCode);
        Assert.Contains("must look like name=value", malformedConfig.Error);
        Assert.Equal(2, alterWithoutPartitions.ExitCode);
        Assert.Contains("--partitions", alterWithoutPartitions.Error);
        Assert.Equal(2, unknownOption.ExitCode);
        Assert.Contains("--colour", unknownOption.Error);
        Assert.Equal(2, badOutput.ExitCode);
        Assert.Contains("xml", badOutput.Error);
        Assert.Equal(2, noSubcommand.ExitCode);
        Assert.Contains("Choose a subcommand", noSubcommand.Error);
        Assert.False(await Cli.TopicExistsAsync(broker, topic));
    }
}
