namespace Beltline.Cli.IntegrationTests;

/// <summary>Every Kafka tool's handling of an unreachable broker and of --command-config files.</summary>
public sealed class ClientConfigAndReachabilityTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    public static TheoryData<string[]> EveryCommand => new()
    {
        new[] { "topics", "list" },
        new[] { "topics", "create", "t" },
        new[] { "topics", "describe", "t" },
        new[] { "topics", "delete", "t" },
        new[] { "topics", "alter", "t", "--partitions", "2" },
        new[] { "produce", "t", "--file", Cli.TempFile("x\n") },
        new[] { "consume", "t", "--timeout", "1000" },
        new[] { "groups", "list" },
        new[] { "groups", "describe", "g" },
        new[] { "groups", "reset-offsets", "g", "--all-topics", "--to-earliest" },
        new[] { "groups", "delete", "g" },
        new[] { "configs", "describe", "--topic", "t" },
        new[] { "configs", "alter", "--topic", "t", "--add-config", "retention.ms=1" },
        new[] { "perf", "produce", "--topic", "t", "--num-records", "1", "--record-size", "1" },
        new[] { "perf", "consume", "--topic", "t", "--messages", "1" },
    };

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task An_unreachable_broker_fails_with_1_naming_the_bootstrap_servers(string[] command)
    {
        var bootstrap = Cli.UnreachableBootstrap();

        var run = await Cli.RunAsync([.. command, "--bootstrap", bootstrap, "--request-timeout", "1500"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Cannot reach Kafka at {bootstrap} within 1.5 s", run.Error);
    }

    [Theory]
    [MemberData(nameof(EveryCommand))]
    public async Task A_missing_command_config_file_exits_with_2(string[] command)
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.properties");

        var run = await Cli.RunAsync([.. command, "--command-config", missing]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"Client config file '{missing}' does not exist.", run.Error);
    }

    [Fact]
    public async Task The_command_config_file_supplies_bootstrap_servers_and_client_properties()
    {
        var topic = Cli.Unique("viaconfig");
        await Cli.CreateTopicAsync(broker, topic);
        var config = Cli.TempFile($"# like kafka's --command-config\nbootstrap.servers={broker.BootstrapServers}\nclient.id=from-file\n");

        var run = await Cli.RunAsync("topics", "list", "--command-config", config, "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(run.Json().EnumerateArray(), t => t.GetProperty("name").GetString() == topic);
    }

    [Fact]
    public async Task A_command_config_librdkafka_rejects_or_cannot_parse_exits_with_2()
    {
        var unknownProperty = Cli.TempFile($"bootstrap.servers={broker.BootstrapServers}\nno.such.property=1\n");
        var malformed = Cli.TempFile("bootstrap.servers\n");

        var rejected = await Cli.RunAsync("topics", "list", "--command-config", unknownProperty);
        var unparsable = await Cli.RunAsync("topics", "list", "--command-config", malformed);

        Assert.Equal(2, rejected.ExitCode);
        Assert.Contains("no.such.property", rejected.Error);
        Assert.Equal(2, unparsable.ExitCode);
        Assert.Contains("expected name=value", unparsable.Error);
    }

    [Fact]
    public async Task The_bootstrap_flag_wins_over_the_file()
    {
        var config = Cli.TempFile($"bootstrap.servers={Cli.UnreachableBootstrap()}\n");

        var run = await Cli.RunAsync(broker, "groups", "list", "--command-config", config);

        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task A_non_positive_request_timeout_is_a_bad_argument()
    {
        var run = await Cli.RunAsync(broker, "topics", "list", "--request-timeout", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--request-timeout must be a positive number", run.Error);
    }
}
