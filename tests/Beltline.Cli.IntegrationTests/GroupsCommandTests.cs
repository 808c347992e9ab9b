using Confluent.Kafka;

namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline groups list|describe|reset-offsets|delete` against the in-process broker.</summary>
public sealed class GroupsCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    /// <summary>A topic with records in it and a group, without members, that committed some offsets.</summary>
    private async Task<(string Topic, string Group)> GroupWithOffsetsAsync(int partitions, long[] records, long[] committed)
    {
        var topic = Cli.Unique("lagging");
        var group = Cli.Unique("group");
        await Cli.CreateTopicAsync(broker, topic, partitions);
        for (var p = 0; p < partitions; p++)
            await Cli.ProduceAsync(broker, topic, p, Enumerable.Range(0, (int)records[p]).Select(i => $"r{i}").ToArray());
        await Cli.CommitAsync(broker, group, committed.Select((offset, p) => new TopicPartitionOffset(topic, p, offset)).ToArray());
        return (topic, group);
    }

    /// <summary>A consumer that has joined <paramref name="group"/> and holds its assignment until disposed.</summary>
    private IConsumer<Ignore, Ignore> ActiveMember(string topic, string group)
    {
        var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = group, ClientId = "active-member", EnableAutoCommit = false }).Build();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow + Cli.Patience;
        while (consumer.Assignment.Count == 0 && DateTime.UtcNow < deadline)
            consumer.Consume(TimeSpan.FromMilliseconds(100));
        Assert.NotEmpty(consumer.Assignment);
        return consumer;
    }

    [Fact]
    public async Task List_shows_groups_and_their_state()
    {
        var (_, group) = await GroupWithOffsetsAsync(1, [3], [1]);

        var table = await Cli.RunAsync(broker, "groups", "list");
        var json = await Cli.RunAsync(broker, "groups", "list", "--output", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(group, table.Output);
        var listed = json.Json().EnumerateArray().Single(g => g.GetProperty("group").GetString() == group);
        Assert.Equal("Empty", listed.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Describe_shows_the_lag_of_every_partition()
    {
        var (topic, group) = await GroupWithOffsetsAsync(2, [5, 3], [2, 3]);

        var table = await Cli.RunAsync(broker, "groups", "describe", group);
        var json = await Cli.RunAsync(broker, "groups", "describe", group, "-o", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains($"Group: {group}\tState: Empty", table.Output);
        Assert.Contains("has no active members", table.Output);
        Assert.Matches($@"{topic}\s*│\s*0\s*│\s*2\s*│\s*5\s*│\s*3\s*│", table.Output);
        Assert.Matches($@"{topic}\s*│\s*1\s*│\s*3\s*│\s*3\s*│\s*0\s*│", table.Output);
        var described = Assert.Single(json.Json().EnumerateArray());
        Assert.Equal(3, described.GetProperty("totalLag").GetInt64());
        var partitions = described.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal([3L, 0L], partitions.Select(p => p.GetProperty("lag").GetInt64()));
        Assert.Equal([5L, 3L], partitions.Select(p => p.GetProperty("logEndOffset").GetInt64()));
    }

    [Fact]
    public async Task Describe_names_the_member_that_owns_each_partition()
    {
        var (topic, group) = await GroupWithOffsetsAsync(1, [4], [1]);
        using var member = ActiveMember(topic, group);

        var json = await Cli.RunAsync(broker, "groups", "describe", group, "-o", "json");

        Assert.True(json.ExitCode == 0, json.ToString());
        var described = Assert.Single(json.Json().EnumerateArray());
        Assert.Equal("Stable", described.GetProperty("state").GetString());
        var partition = Assert.Single(described.GetProperty("partitions").EnumerateArray());
        Assert.Equal("active-member", partition.GetProperty("clientId").GetString());
        Assert.Equal(member.MemberId, partition.GetProperty("consumerId").GetString());
        Assert.Equal(3, partition.GetProperty("lag").GetInt64());
        member.Close();
    }

    [Fact]
    public async Task Describing_an_unknown_group_fails()
    {
        var group = Cli.Unique("nobody");

        var run = await Cli.RunAsync(broker, "groups", "describe", group);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Consumer group '{group}' does not exist.", run.Error);
    }

    [Fact]
    public async Task Reset_offsets_only_shows_the_plan_without_execute()
    {
        var (topic, group) = await GroupWithOffsetsAsync(2, [5, 5], [3, 4]);

        var plan = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic, "--to-earliest");
        var json = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic, "--to-latest", "-o", "json");

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("Dry run: nothing changed. Add --execute", plan.Output);
        Assert.Matches($@"{group}\s*│\s*{topic}\s*│\s*0\s*│\s*3\s*│\s*0\s*│", plan.Output);
        Assert.False(json.Json().GetProperty("executed").GetBoolean());
        Assert.Equal([5L, 5L], json.Json().GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("newOffset").GetInt64()));
        Assert.Equal(new Dictionary<int, long> { [0] = 3, [1] = 4 }, await Cli.CommittedAsync(broker, group));
    }

    [Fact]
    public async Task Reset_offsets_with_execute_applies_each_scenario()
    {
        var (topic, group) = await GroupWithOffsetsAsync(2, [6, 6], [3, 3]);

        var earliest = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", $"{topic}:0", "--to-earliest", "--execute");
        var afterEarliest = await Cli.CommittedAsync(broker, group);
        var latest = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic, "--to-latest", "--execute");
        var afterLatest = await Cli.CommittedAsync(broker, group);
        var shifted = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--all-topics", "--shift-by", "-2", "--execute", "-o", "json");
        var afterShift = await Cli.CommittedAsync(broker, group);
        var clamped = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic, "--to-offset", "100", "--execute");
        var afterClamp = await Cli.CommittedAsync(broker, group);

        Assert.True(earliest.ExitCode == 0, earliest.ToString());
        Assert.Contains($"Reset the committed offsets of group {group}.", earliest.Output);
        Assert.Equal(new Dictionary<int, long> { [0] = 0, [1] = 3 }, afterEarliest);
        Assert.True(latest.ExitCode == 0, latest.ToString());
        Assert.Equal(new Dictionary<int, long> { [0] = 6, [1] = 6 }, afterLatest);
        Assert.True(shifted.ExitCode == 0, shifted.ToString());
        Assert.True(shifted.Json().GetProperty("executed").GetBoolean());
        Assert.Equal(new Dictionary<int, long> { [0] = 4, [1] = 4 }, afterShift);
        Assert.True(clamped.ExitCode == 0, clamped.ToString());
        Assert.Equal(new Dictionary<int, long> { [0] = 6, [1] = 6 }, afterClamp);
    }

    [Fact]
    public async Task Reset_offsets_to_a_datetime_finds_the_first_record_at_or_after_it()
    {
        var topic = Cli.Unique("timed");
        var group = Cli.Unique("timers");
        await Cli.CreateTopicAsync(broker, topic);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            foreach (var hour in new[] { 8, 10, 12 })
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = $"{hour}h", Timestamp = new Timestamp(new DateTime(2026, 1, 31, hour, 0, 0, DateTimeKind.Utc)) });
        }
        await Cli.CommitAsync(broker, group, new TopicPartitionOffset(topic, 0, 3));

        var run = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic, "--to-datetime", "2026-01-31T09:30:00Z", "--execute");
        var later = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic, "--to-datetime", "2027-01-01T00:00:00", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, (await Cli.CommittedAsync(broker, group))[0]);
        Assert.Equal(3, later.Json().GetProperty("partitions")[0].GetProperty("newOffset").GetInt64());
    }

    [Fact]
    public async Task Reset_offsets_refuses_a_group_with_active_members()
    {
        var (topic, group) = await GroupWithOffsetsAsync(1, [4], [2]);
        using var member = ActiveMember(topic, group);

        var run = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic, "--to-earliest", "--execute");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Assignments can only be reset if the group '{group}' is inactive, but the current state is Stable", run.Error);
        member.Close();
        Assert.Equal(2, (await Cli.CommittedAsync(broker, group))[0]);
    }

    [Fact]
    public async Task Reset_offsets_checks_its_arguments_and_the_topic()
    {
        var (topic, group) = await GroupWithOffsetsAsync(1, [4], [2]);

        var noScenario = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic);
        var twoScenarios = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic, "--to-earliest", "--to-latest");
        var noTopic = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--to-earliest");
        var badTime = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", topic, "--to-datetime", "yesterday");
        var badSelection = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", $"{topic}:x", "--to-earliest");
        var unknownTopic = await Cli.RunAsync(broker, "groups", "reset-offsets", group, "--topic", Cli.Unique("ghost"), "--to-earliest", "--execute");

        Assert.Equal(2, noScenario.ExitCode);
        Assert.Contains("Give exactly one of --to-earliest", noScenario.Error);
        Assert.Equal(2, twoScenarios.ExitCode);
        Assert.Contains("--to-earliest, --to-latest", twoScenarios.Error);
        Assert.Equal(2, noTopic.ExitCode);
        Assert.Contains("--all-topics", noTopic.Error);
        Assert.Equal(2, badTime.ExitCode);
        Assert.Contains("'yesterday' is not an ISO 8601 time", badTime.Error);
        Assert.Equal(2, badSelection.ExitCode);
        Assert.Equal(1, unknownTopic.ExitCode);
        Assert.Contains("does not exist", unknownTopic.Error);
        Assert.Equal(2, (await Cli.CommittedAsync(broker, group))[0]);
    }

    [Fact]
    public async Task Delete_removes_an_empty_group_and_reports_unknown_and_active_ones()
    {
        var (_, group) = await GroupWithOffsetsAsync(1, [2], [1]);
        var (activeTopic, activeGroup) = await GroupWithOffsetsAsync(1, [2], [1]);
        var unknown = Cli.Unique("never");
        using var member = ActiveMember(activeTopic, activeGroup);

        var deleted = await Cli.RunAsync(broker, "groups", "delete", group, "-o", "json");
        var missing = await Cli.RunAsync(broker, "groups", "delete", unknown);
        var active = await Cli.RunAsync(broker, "groups", "delete", activeGroup);

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal([group], deleted.Json().GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(await Cli.CommittedAsync(broker, group));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"Consumer group '{unknown}' does not exist.", missing.Error);
        Assert.Equal(1, active.ExitCode);
        Assert.Contains($"Consumer group '{activeGroup}' is not empty", active.Error);
        member.Close();
    }
}
