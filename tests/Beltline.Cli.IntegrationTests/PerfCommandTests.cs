namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline perf produce|consume` against the in-process broker.</summary>
public sealed class PerfCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Perf_produce_sends_the_records_and_reports_rates_and_latency()
    {
        var topic = Cli.Unique("perf");
        await Cli.CreateTopicAsync(broker, topic);

        var json = await Cli.RunAsync(broker, "perf", "produce", "--topic", topic, "--num-records", "500", "--record-size", "100", "--acks", "1", "-o", "json");
        var table = await Cli.RunAsync(broker, "perf", "produce", "--topic", topic, "--num-records", "20", "--record-size", "10", "--throughput", "1000", "--acks", "all");

        Assert.True(json.ExitCode == 0, json.ToString());
        var stats = json.Json();
        Assert.Equal(500, stats.GetProperty("records").GetInt64());
        Assert.Equal(0, stats.GetProperty("failed").GetInt64());
        Assert.Equal(50_000, stats.GetProperty("bytes").GetInt64());
        Assert.True(stats.GetProperty("recordsPerSecond").GetDouble() > 0);
        Assert.True(stats.GetProperty("megabytesPerSecond").GetDouble() > 0);
        var latency = stats.GetProperty("latencyMs");
        Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p99").GetDouble());
        Assert.True(latency.GetProperty("p99").GetDouble() <= latency.GetProperty("max").GetDouble());
        Assert.True(latency.GetProperty("max").GetDouble() > 0);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Msg/s", table.Output);
        Assert.Contains("p99 ms", table.Output);
        // Redirected output gets no animation: only the results table.
        Assert.DoesNotContain("%", table.Output);
        Assert.Equal(520, Cli.EndOffset(broker, topic, 0));
        var record = Assert.Single(Cli.ReadPartition(broker, topic, 0, 1));
        Assert.Equal(100, record.Message.Value!.Length);
    }

    [Fact]
    public async Task Perf_consume_reads_the_records_and_reports_rates_and_latency()
    {
        var topic = Cli.Unique("perfread");
        var group = Cli.Unique("perfgroup");
        await Cli.CreateTopicAsync(broker, topic, partitions: 2);
        await Cli.ProduceAsync(broker, topic, 0, Enumerable.Range(0, 30).Select(i => $"value-{i:00}").ToArray());
        await Cli.ProduceAsync(broker, topic, 1, Enumerable.Range(0, 20).Select(i => $"value-{i:00}").ToArray());

        var json = await Cli.RunAsync(broker, "perf", "consume", "--topic", topic, "--messages", "50", "-o", "json");
        var grouped = await Cli.RunAsync(broker, "perf", "consume", "--topic", topic, "--messages", "50", "--group", group);

        Assert.True(json.ExitCode == 0, json.ToString());
        var stats = json.Json();
        Assert.Equal(50, stats.GetProperty("records").GetInt64());
        Assert.Equal(50 * 8, stats.GetProperty("bytes").GetInt64());
        Assert.True(stats.GetProperty("latencyMs").GetProperty("max").GetDouble() >= stats.GetProperty("latencyMs").GetProperty("avg").GetDouble());
        Assert.True(grouped.ExitCode == 0, grouped.ToString());
        Assert.Contains("Latency avg ms", grouped.Output);
        Assert.Equal(new Dictionary<int, long> { [0] = 30, [1] = 20 }, await Cli.CommittedAsync(broker, group));
    }

    [Fact]
    public async Task Perf_consume_fails_when_the_records_run_out_before_the_count()
    {
        var topic = Cli.Unique("perfshort");
        await Cli.CreateTopicAsync(broker, topic);
        await Cli.ProduceAsync(broker, topic, 0, "only", "three", "records");

        var run = await Cli.RunAsync(broker, "perf", "consume", "--topic", topic, "--messages", "10", "--timeout", "1500", "-o", "json");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(3, run.Json().GetProperty("records").GetInt64());
        Assert.Contains("Consumed only 3 of 10 records", run.Error);
    }

    [Fact]
    public async Task Perf_refuses_unknown_topics_and_bad_arguments()
    {
        var topic = Cli.Unique("perfghost");

        var produceUnknown = await Cli.RunAsync(broker, "perf", "produce", "--topic", topic, "--num-records", "5", "--record-size", "10");
        var consumeUnknown = await Cli.RunAsync(broker, "perf", "consume", "--topic", topic, "--messages", "5");
        var missingSize = await Cli.RunAsync(broker, "perf", "produce", "--topic", topic, "--num-records", "5");
        var zeroRate = await Cli.RunAsync(broker, "perf", "produce", "--topic", topic, "--num-records", "5", "--record-size", "10", "--throughput", "0");
        var badAcks = await Cli.RunAsync(broker, "perf", "produce", "--topic", topic, "--num-records", "5", "--record-size", "10", "--acks", "some");
        var noMessages = await Cli.RunAsync(broker, "perf", "consume", "--topic", topic);
        var noSubcommand = await Cli.RunAsync("perf");

        Assert.Equal(1, produceUnknown.ExitCode);
        Assert.Contains($"Topic '{topic}' does not exist.", produceUnknown.Error);
        Assert.Equal(1, consumeUnknown.ExitCode);
        Assert.Contains($"Topic '{topic}' does not exist.", consumeUnknown.Error);
        Assert.False(await Cli.TopicExistsAsync(broker, topic));
        Assert.Equal(2, missingSize.ExitCode);
        Assert.Contains("--record-size", missingSize.Error);
        Assert.Equal(2, zeroRate.ExitCode);
        Assert.Contains("--throughput must be a positive rate or -1", zeroRate.Error);
        Assert.Equal(2, badAcks.ExitCode);
        Assert.Equal(2, noMessages.ExitCode);
        Assert.Contains("--messages", noMessages.Error);
        Assert.Equal(2, noSubcommand.ExitCode);
        Assert.Contains("Choose a subcommand: produce or consume.", noSubcommand.Error);
    }
}
