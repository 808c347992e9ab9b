using System.CommandLine;
using Beltline.Cli.Commands.Kafka;
using Confluent.Kafka;

namespace Beltline.Cli.Tests;

/// <summary>The Kafka tools' argument parsing, which needs no broker: config assignments, topic selections, offsets, acks, times, percentiles.</summary>
public sealed class KafkaToolArgumentTests
{
    [Fact]
    public void Config_assignments_split_at_commas_outside_brackets()
    {
        var parts = ConfigAssignments.Split("cleanup.policy=[compact,delete],retention.ms=1000").ToList();

        Assert.Equal(["cleanup.policy=[compact,delete]", "retention.ms=1000"], parts);
        Assert.Equal(("cleanup.policy", "compact,delete"), ConfigAssignments.ParseOne(parts[0], "--add-config"));
        Assert.Equal(("retention.ms", "1000"), ConfigAssignments.ParseOne(parts[1], "--add-config"));
        Assert.Equal(("k", "a=b"), ConfigAssignments.ParseOne("k=a=b", "--config"));
        Assert.Throws<UsageException>(() => ConfigAssignments.ParseOne("=1", "--config"));
        Assert.Throws<UsageException>(() => ConfigAssignments.ParseOne("retention.ms", "--config"));
    }

    [Fact]
    public void Topic_selections_name_every_partition_or_some()
    {
        Assert.Equal(("clicks", null), GroupsCommand.ParseTopicSelection("clicks"));
        var (topic, partitions) = GroupsCommand.ParseTopicSelection("clicks:2,0,2");
        Assert.Equal("clicks", topic);
        Assert.Equal([0, 2], partitions);
        Assert.Throws<UsageException>(() => GroupsCommand.ParseTopicSelection("clicks:one"));
        Assert.Throws<UsageException>(() => GroupsCommand.ParseTopicSelection(":1"));
    }

    [Fact]
    public void Start_offsets_are_numbers_beginning_or_end()
    {
        Assert.Null(ConsumeCommand.ParseOffset(null));
        Assert.Equal(Offset.Beginning, ConsumeCommand.ParseOffset("beginning"));
        Assert.Equal(Offset.End, ConsumeCommand.ParseOffset("END"));
        Assert.Equal(new Offset(42), ConsumeCommand.ParseOffset("42"));
        Assert.Throws<UsageException>(() => ConsumeCommand.ParseOffset("-3"));
        Assert.Throws<UsageException>(() => ConsumeCommand.ParseOffset("middle"));
    }

    [Fact]
    public void Acks_are_0_1_or_all()
    {
        Assert.Equal(Acks.None, ProduceCommand.ParseAcks("0"));
        Assert.Equal(Acks.Leader, ProduceCommand.ParseAcks("1"));
        Assert.Equal(Acks.All, ProduceCommand.ParseAcks("all"));
        Assert.Equal(Acks.All, ProduceCommand.ParseAcks("-1"));
        Assert.Throws<UsageException>(() => ProduceCommand.ParseAcks("2"));
    }

    [Fact]
    public void Datetimes_without_a_zone_are_utc()
    {
        Assert.Equal(new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero), GroupsCommand.ParseDatetime("2026-01-31T12:00:00"));
        Assert.Equal(new DateTimeOffset(2026, 1, 31, 10, 0, 0, TimeSpan.Zero), GroupsCommand.ParseDatetime("2026-01-31T12:00:00+02:00"));
        Assert.Throws<UsageException>(() => GroupsCommand.ParseDatetime("yesterday"));
    }

    [Fact]
    public void Latency_percentiles_use_the_nearest_rank()
    {
        var summary = PerfCommand.LatencySummary.Of(Enumerable.Range(1, 100).Select(i => (double)i));

        Assert.Equal(50.5, summary.Avg);
        Assert.Equal(50, summary.P50);
        Assert.Equal(99, summary.P99);
        Assert.Equal(100, summary.Max);
        Assert.Equal(new PerfCommand.LatencySummary(0, 0, 0, 0), PerfCommand.LatencySummary.Of([]));
    }

    [Fact]
    public void Bad_arguments_of_the_tools_exit_with_2_without_a_broker()
    {
        var error = new StringWriter();
        var exit = Program.CreateRoot().Parse(["consume", "t", "--max-messages", "lots"]).Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = error });

        Assert.Equal(2, exit);
        Assert.Contains("lots", error.ToString());
        Assert.Contains("beltline consume --help", error.ToString());
    }
}
