using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;
using static Beltline.Broker.IntegrationTests.GroupHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// kcat's balanced consumer (-G: Debian's librdkafka KafkaConsumer, committing what it consumed when it closes)
/// against the broker's group coordinator; what it reads and commits is checked against the log and Confluent's admin.
/// </summary>
public sealed class KcatGroupTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Balanced_consumers_of_one_group_read_every_message_once_across_runs_and_a_run_after_the_end_reads_nothing()
    {
        const string topic = "kcat-group", group = "kcat-group";
        await CreateTopicAsync(fixture, topic, partitions: 3);
        ProduceNumbered(fixture, topic, 3, from: 0, perPartition: 20);

        // -c: exit after 25 of the 60 messages, each partition read from its beginning (the group has no offsets).
        var first = Read(await Kcat.RunAsync(fixture.BootstrapServers, $"-G {group} {topic} -c 25 {Options}"));

        Assert.Equal(25, first.Count);
        var read = new long[3];
        foreach (var p in Enumerable.Range(0, 3))
        {
            var offsets = first.Where(r => r.Partition == p).Select(r => r.Offset).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(o => (long)o), offsets);
            read[p] = offsets.Count;
        }
        Assert.Equal(read.Select(r => r == 0 ? Offset.Unset.Value : r), await CommittedAsync(fixture, group, topic, 3));

        // More messages; -e: exit at the end of every partition. The second run reads exactly the rest.
        ProduceNumbered(fixture, topic, 3, from: 20, perPartition: 5);
        var second = Read(await Kcat.RunAsync(fixture.BootstrapServers, $"-G {group} {topic} -e {Options}"));

        foreach (var p in Enumerable.Range(0, 3))
            Assert.Equal(Enumerable.Range((int)read[p], 25 - (int)read[p]).Select(o => (long)o), second.Where(r => r.Partition == p).Select(r => r.Offset));
        Assert.Equal(new long[] { 25, 25, 25 }, await CommittedAsync(fixture, group, topic, 3));

        // Nothing new: a third run reads nothing at all.
        Assert.Empty(Read(await Kcat.RunAsync(fixture.BootstrapServers, $"-G {group} {topic} -e {Options}")));
        Assert.Equal((ConsumerGroupState.Empty, 0), await DescribeGroupAsync(fixture, group));
    }

    /// <summary>Start where the group has no offset at the beginning; print partition, offset and value.</summary>
    private const string Options = "-X auto.offset.reset=earliest -f \"%p %o %s\\n\"";

    /// <summary>The messages kcat printed; fails unless it exited 0 and each message is the one at its offset.</summary>
    private static List<(int Partition, long Offset)> Read(Kcat.Result result)
    {
        Assert.True(result.ExitCode == 0, $"kcat exited {result.ExitCode}: {result.Error}");
        var read = new List<(int Partition, long Offset)>();
        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var (partition, offset) = (int.Parse(fields[0]), long.Parse(fields[1]));
            Assert.Equal($"p{partition}-{offset}", fields[2]);
            read.Add((partition, offset));
        }
        return read;
    }
}
