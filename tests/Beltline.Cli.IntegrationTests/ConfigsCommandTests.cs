using Confluent.Kafka.Admin;

namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline configs describe|alter` against the in-process broker.</summary>
public sealed class ConfigsCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private async Task<Dictionary<string, ConfigEntryResult>> TopicConfigsAsync(string topic)
    {
        using var admin = Cli.Admin(broker);
        return (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]))[0].Entries;
    }

    [Fact]
    public async Task Describe_shows_only_the_configs_set_on_the_topic_unless_all()
    {
        var topic = Cli.Unique("configured");
        await Cli.CreateTopicAsync(broker, topic, configs: new() { ["retention.ms"] = "60000" });

        var table = await Cli.RunAsync(broker, "configs", "describe", "--topic", topic);
        var json = await Cli.RunAsync(broker, "configs", "describe", "--topic", topic, "-o", "json");
        var all = await Cli.RunAsync(broker, "configs", "describe", "--topic", topic, "--all", "-o", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains($"Dynamic configs for topic {topic}:", table.Output);
        Assert.Matches(@"retention\.ms\s*│\s*60000\s*│\s*DYNAMIC_TOPIC_CONFIG", table.Output);
        var configs = json.Json().GetProperty("configs").EnumerateArray().ToList();
        var retention = Assert.Single(configs);
        Assert.Equal("retention.ms", retention.GetProperty("name").GetString());
        Assert.Equal("60000", retention.GetProperty("value").GetString());
        var allConfigs = all.Json().GetProperty("configs").EnumerateArray().ToList();
        Assert.Contains(allConfigs, c => c.GetProperty("name").GetString() == "segment.bytes" && c.GetProperty("isDefault").GetBoolean());
    }

    [Fact]
    public async Task Describe_a_broker_lists_its_configs()
    {
        var run = await Cli.RunAsync(broker, "configs", "describe", "--broker", broker.Broker.NodeId.ToString(), "--all", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("broker", run.Json().GetProperty("resource").GetProperty("type").GetString());
        Assert.NotEmpty(run.Json().GetProperty("configs").EnumerateArray());
    }

    [Fact]
    public async Task Alter_a_broker_sets_and_removes_a_dynamic_broker_config()
    {
        var node = broker.Broker.NodeId.ToString();

        var set = await Cli.RunAsync(broker, "configs", "alter", "--broker", node, "--add-config", "background.threads=12");
        var described = await Cli.RunAsync(broker, "configs", "describe", "--broker", node);
        var removed = await Cli.RunAsync(broker, "configs", "alter", "--broker", node, "--delete-config", "background.threads");
        var after = await Cli.RunAsync(broker, "configs", "describe", "--broker", node, "-o", "json");

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Contains($"Completed updating config for broker {node}.", set.Output);
        Assert.Matches(@"background\.threads\s*│\s*12\s*│\s*DYNAMIC_BROKER_CONFIG", described.Output);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.DoesNotContain(after.Json().GetProperty("configs").EnumerateArray(), c => c.GetProperty("name").GetString() == "background.threads");
    }

    [Fact]
    public async Task Alter_sets_and_deletes_configs_incrementally()
    {
        var topic = Cli.Unique("altered");
        await Cli.CreateTopicAsync(broker, topic, configs: new() { ["retention.ms"] = "60000", ["segment.ms"] = "3600000" });

        var run = await Cli.RunAsync(broker, "configs", "alter", "--topic", topic, "--add-config", "cleanup.policy=[compact,delete],max.message.bytes=2048", "--delete-config", "retention.ms");
        var configs = await TopicConfigsAsync(topic);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Completed updating config for topic {topic}.", run.Output);
        Assert.Equal("compact,delete", configs["cleanup.policy"].Value);
        Assert.Equal("2048", configs["max.message.bytes"].Value);
        Assert.True(configs["retention.ms"].IsDefault);
        Assert.Equal("3600000", configs["segment.ms"].Value);
    }

    [Fact]
    public async Task Alter_reports_json_and_the_brokers_refusal()
    {
        var topic = Cli.Unique("refused");
        await Cli.CreateTopicAsync(broker, topic);

        var json = await Cli.RunAsync(broker, "configs", "alter", "--topic", topic, "--add-config", "retention.ms=1000", "-o", "json");
        var refused = await Cli.RunAsync(broker, "configs", "alter", "--topic", topic, "--add-config", "retention.ms=soon");

        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal("1000", json.Json().GetProperty("set").GetProperty("retention.ms").GetString());
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"Configs of topic {topic} were not changed", refused.Error);
        Assert.Equal("1000", (await TopicConfigsAsync(topic))["retention.ms"].Value);
    }

    [Fact]
    public async Task Unknown_topics_and_brokers_fail_with_1()
    {
        var topic = Cli.Unique("ghost");

        var describe = await Cli.RunAsync(broker, "configs", "describe", "--topic", topic);
        var alter = await Cli.RunAsync(broker, "configs", "alter", "--topic", topic, "--add-config", "retention.ms=1000");
        var unknownBroker = await Cli.RunAsync(broker, "configs", "describe", "--broker", "4242");

        Assert.Equal(1, describe.ExitCode);
        Assert.Contains($"Topic '{topic}' does not exist.", describe.Error);
        Assert.Equal(1, alter.ExitCode);
        Assert.Contains($"Topic '{topic}' does not exist.", alter.Error);
        Assert.Equal(1, unknownBroker.ExitCode);
        Assert.Contains("Broker 4242 is not in the cluster", unknownBroker.Error);
        Assert.False(await Cli.TopicExistsAsync(broker, topic));
    }

    [Fact]
    public async Task Bad_arguments_exit_with_2()
    {
        var topic = Cli.Unique("args");
        await Cli.CreateTopicAsync(broker, topic);

        var noEntity = await Cli.RunAsync(broker, "configs", "describe");
        var bothEntities = await Cli.RunAsync(broker, "configs", "describe", "--topic", topic, "--broker", "1");
        var nothingToChange = await Cli.RunAsync(broker, "configs", "alter", "--topic", topic);
        var malformed = await Cli.RunAsync(broker, "configs", "alter", "--topic", topic, "--add-config", "retention.ms");
        var twice = await Cli.RunAsync(broker, "configs", "alter", "--topic", topic, "--add-config", "retention.ms=1", "--delete-config", "retention.ms");

        Assert.Equal(2, noEntity.ExitCode);
        Assert.Contains("exactly one of --topic NAME and --broker ID", noEntity.Error);
        Assert.Equal(2, bothEntities.ExitCode);
        Assert.Equal(2, nothingToChange.ExitCode);
        Assert.Contains("--add-config", nothingToChange.Error);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("must look like name=value", malformed.Error);
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("retention.ms is given more than once", twice.Error);
        Assert.True((await TopicConfigsAsync(topic))["retention.ms"].IsDefault);
    }
}
