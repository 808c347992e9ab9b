using System.Text.Json;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>kcat's metadata (-L), produce (-P), consume (-C -e) and offset query (-Q) against the broker.</summary>
public sealed class KcatTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Metadata_lists_this_broker_and_the_topics()
    {
        await CreateTopicAsync(fixture, "kcat-listed", partitions: 4);

        var result = await Kcat.RunAsync(fixture.BootstrapServers, "-L -J");
        using var json = JsonDocument.Parse(result.Output);
        var broker = json.RootElement.GetProperty("brokers").EnumerateArray().Single();
        var topic = json.RootElement.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("topic").GetString() == "kcat-listed");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(fixture.Broker.NodeId, broker.GetProperty("id").GetInt32());
        Assert.Equal(fixture.BootstrapServers, broker.GetProperty("name").GetString());
        Assert.Equal(4, topic.GetProperty("partitions").GetArrayLength());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    public async Task Produce_then_consume_to_the_end_returns_every_message(string codec)
    {
        var topic = $"kcat-{codec}";
        var lines = Enumerable.Range(0, 200).Select(i => $"key{i}:value {i}").ToList();

        var produced = await Kcat.RunAsync(fixture.BootstrapServers, $"-P -t {topic} -K: -z {codec}", string.Join('\n', lines) + "\n");
        var consumed = await Kcat.RunAsync(fixture.BootstrapServers, $"-C -t {topic} -e -o beginning -f \"%k|%s|%o\\n\"");

        Assert.True(produced.ExitCode == 0, produced.Error);
        Assert.True(consumed.ExitCode == 0, consumed.Error);
        var expected = Enumerable.Range(0, 200).Select(i => $"key{i}|value {i}|{i}");
        Assert.Equal(expected, consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Headers_and_relative_offsets_work()
    {
        await Kcat.RunAsync(fixture.BootstrapServers, "-P -t kcat-headers -H trace=abc -H source=test", "one\ntwo\nthree\n");

        var lastTwo = await Kcat.RunAsync(fixture.BootstrapServers, "-C -t kcat-headers -e -o -2 -f \"%s;%h\\n\"");

        Assert.Equal(["two;trace=abc,source=test", "three;trace=abc,source=test"], lastTwo.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Query_offsets_by_timestamp()
    {
        await CreateTopicAsync(fixture, "kcat-query");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1;
        await Kcat.RunAsync(fixture.BootstrapServers, "-P -t kcat-query", "a\nb\nc\n");

        var atStart = await Kcat.RunAsync(fixture.BootstrapServers, $"-Q -t kcat-query:0:{before}");
        var future = await Kcat.RunAsync(fixture.BootstrapServers, $"-Q -t kcat-query:0:{before + 3_600_000}");

        Assert.Contains("kcat-query [0] offset 0", atStart.Output);
        Assert.Contains("kcat-query [0] offset -1", future.Output);
    }
}
