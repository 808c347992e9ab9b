using System.Text;
using Confluent.Kafka;

namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline produce` and `beltline consume` against the in-process broker.</summary>
public sealed class ProduceConsumeCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Produce_sends_each_line_with_its_key_and_headers()
    {
        var topic = Cli.Unique("produced");
        await Cli.CreateTopicAsync(broker, topic);
        var file = Cli.TempFile("k1|first\nk2|second value|with bar\n");

        var run = await Cli.RunAsync(broker, "produce", topic, "--file", file, "--key-separator", "|", "--header", "source:test", "--header", "trace:a:b", "--compression", "gzip");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Produced 2 of 2 records to {topic}.", run.Error);
        var records = Cli.ReadPartition(broker, topic, 0, 2);
        Assert.Equal(["k1", "k2"], records.Select(r => r.Message.Key));
        Assert.Equal(["first", "second value|with bar"], records.Select(r => r.Message.Value));
        var headers = records[0].Message.Headers;
        Assert.Equal("test", Encoding.UTF8.GetString(headers.GetLastBytes("source")));
        Assert.Equal("a:b", Encoding.UTF8.GetString(headers.GetLastBytes("trace")));
    }

    [Fact]
    public async Task Produce_to_a_partition_with_acks_reports_json_and_a_line_without_separator_fails()
    {
        var topic = Cli.Unique("partitioned");
        await Cli.CreateTopicAsync(broker, topic, partitions: 2);
        var file = Cli.TempFile("a=1\nno separator\nb=2\n");

        var run = await Cli.RunAsync(broker, "produce", topic, "--file", file, "--key-separator", "=", "--partition", "1", "--acks", "1", "--output", "json");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Line 2 has no key separator '='", run.Error);
        var summary = run.Json();
        Assert.Equal(3, summary.GetProperty("lines").GetInt32());
        Assert.Equal(2, summary.GetProperty("delivered").GetInt32());
        Assert.Equal(1, summary.GetProperty("failed").GetInt32());
        Assert.Equal(["1", "2"], Cli.ReadPartition(broker, topic, 1, 2).Select(r => r.Message.Value));
    }

    [Fact]
    public async Task Produce_reports_failed_deliveries_with_exit_1()
    {
        // A compacted topic refuses records without a key.
        var topic = Cli.Unique("compacted");
        await Cli.CreateTopicAsync(broker, topic, configs: new() { ["cleanup.policy"] = "compact" });
        var file = Cli.TempFile("no key here\n");

        var run = await Cli.RunAsync(broker, "produce", topic, "--file", file);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Produced 0 of 1 records to {topic}; 1 failed.", run.Error);
        Assert.Contains("Delivery failed", run.Error);
    }

    [Fact]
    public async Task Produce_and_consume_refuse_unknown_topics_and_partitions()
    {
        var topic = Cli.Unique("absent");
        var existing = Cli.Unique("present");
        await Cli.CreateTopicAsync(broker, existing);
        var file = Cli.TempFile("x\n");

        var produce = await Cli.RunAsync(broker, "produce", topic, "--file", file);
        var consume = await Cli.RunAsync(broker, "consume", topic, "--timeout", "100");
        var producePartition = await Cli.RunAsync(broker, "produce", existing, "--file", file, "--partition", "4");
        var consumePartition = await Cli.RunAsync(broker, "consume", existing, "--partition", "4", "--timeout", "100");

        Assert.Equal(1, produce.ExitCode);
        Assert.Contains($"Topic '{topic}' does not exist.", produce.Error);
        Assert.Equal(1, consume.ExitCode);
        Assert.Contains($"Topic '{topic}' does not exist.", consume.Error);
        Assert.False(await Cli.TopicExistsAsync(broker, topic));
        Assert.Equal(1, producePartition.ExitCode);
        Assert.Contains("has no partition 4", producePartition.Error);
        Assert.Equal(1, consumePartition.ExitCode);
        Assert.Contains("has no partition 4", consumePartition.Error);
    }

    [Fact]
    public async Task Consume_from_beginning_shows_timestamp_partition_offset_headers_key_and_value()
    {
        var topic = Cli.Unique("shown");
        await Cli.CreateTopicAsync(broker, topic);
        using (var producer = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync(topic, new Message<string?, string>
            {
                Key = "user-7", Value = "clicked", Headers = [new Header("page", "home"u8.ToArray())],
                Timestamp = new Timestamp(new DateTime(2026, 1, 31, 12, 0, 0, DateTimeKind.Utc)),
            });
            await producer.ProduceAsync(topic, new Message<string?, string> { Value = "no key" });
        }

        var run = await Cli.RunAsync(broker, "consume", topic, "--from-beginning", "--max-messages", "2", "--timeout", "20000");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("CreateTime:2026-01-31T12:00:00.000Z\tPartition:0\tOffset:0\tpage:home\tuser-7\tclicked", lines[0]);
        Assert.EndsWith("\tPartition:0\tOffset:1\tNO_HEADERS\tnull\tno key", lines[1]);
        Assert.Contains("Processed a total of 2 messages", run.Error);
    }

    [Fact]
    public async Task Consume_json_prints_one_document_per_record()
    {
        var topic = Cli.Unique("jsonlines");
        await Cli.CreateTopicAsync(broker, topic, partitions: 2);
        await Cli.ProduceAsync(broker, topic, 1, "a", "b", "c");

        var run = await Cli.RunAsync(broker, "consume", topic, "--partition", "1", "--offset", "1", "--max-messages", "2", "--timeout", "20000", "--output", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var records = run.JsonLines();
        Assert.Equal(["b", "c"], records.Select(r => r.GetProperty("value").GetString()));
        Assert.Equal([1L, 2L], records.Select(r => r.GetProperty("offset").GetInt64()));
        Assert.All(records, r => Assert.Equal(1, r.GetProperty("partition").GetInt32()));
        Assert.All(records, r => Assert.Equal(System.Text.Json.JsonValueKind.Null, r.GetProperty("key").ValueKind));
        Assert.All(records, r => Assert.Equal("CreateTime", r.GetProperty("timestampType").GetString()));
    }

    [Fact]
    public async Task Consume_a_partition_at_beginning_or_end_without_a_group()
    {
        var topic = Cli.Unique("offsets");
        await Cli.CreateTopicAsync(broker, topic);
        await Cli.ProduceAsync(broker, topic, 0, "old-1", "old-2");

        var beginning = await Cli.RunAsync(broker, "consume", topic, "--partition", "0", "--offset", "beginning", "--timeout", "1500", "-o", "json");
        var end = await Cli.RunAsync(broker, "consume", topic, "--partition", "0", "--offset", "end", "--timeout", "1500", "-o", "json");

        Assert.True(beginning.ExitCode == 0, beginning.ToString());
        Assert.Equal(["old-1", "old-2"], beginning.JsonLines().Select(r => r.GetProperty("value").GetString()));
        Assert.True(end.ExitCode == 0, end.ToString());
        Assert.Empty(end.JsonLines());
        Assert.Contains("Processed a total of 0 messages", end.Error);
        using var admin = Cli.Admin(broker);
        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId.StartsWith("beltline-console-consumer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Consume_with_a_group_commits_and_resumes_where_it_stopped()
    {
        var topic = Cli.Unique("resumed");
        var group = Cli.Unique("readers");
        await Cli.CreateTopicAsync(broker, topic);
        await Cli.ProduceAsync(broker, topic, 0, "1", "2", "3", "4");

        var first = await Cli.RunAsync(broker, "consume", topic, "--group", group, "--from-beginning", "--max-messages", "2", "--timeout", "20000", "-o", "json");
        var second = await Cli.RunAsync(broker, "consume", topic, "--group", group, "--from-beginning", "--max-messages", "2", "--timeout", "20000", "-o", "json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(["1", "2"], first.JsonLines().Select(r => r.GetProperty("value").GetString()));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(["3", "4"], second.JsonLines().Select(r => r.GetProperty("value").GetString()));
        Assert.Equal(4, (await Cli.CommittedAsync(broker, group))[0]);
    }

    [Fact]
    public async Task Consume_without_group_or_partition_uses_a_throwaway_group_and_removes_it()
    {
        var topic = Cli.Unique("throwaway");
        await Cli.CreateTopicAsync(broker, topic, partitions: 3);
        for (var p = 0; p < 3; p++)
            await Cli.ProduceAsync(broker, topic, p, $"p{p}");

        var run = await Cli.RunAsync(broker, "consume", topic, "--from-beginning", "--max-messages", "3", "--timeout", "20000", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["p0", "p1", "p2"], run.JsonLines().Select(r => r.GetProperty("value").GetString()).Order());
        using var admin = Cli.Admin(broker);
        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId.StartsWith("beltline-console-consumer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_produce_and_consume_arguments_exit_with_2()
    {
        var topic = Cli.Unique("args");
        await Cli.CreateTopicAsync(broker, topic);

        var offsetWithoutPartition = await Cli.RunAsync(broker, "consume", topic, "--offset", "3");
        var offsetAndBeginning = await Cli.RunAsync(broker, "consume", topic, "--partition", "0", "--offset", "3", "--from-beginning");
        var badOffset = await Cli.RunAsync(broker, "consume", topic, "--partition", "0", "--offset", "middle");
        var zeroMessages = await Cli.RunAsync(broker, "consume", topic, "--max-messages", "0");
        var badHeader = await Cli.RunAsync(broker, "produce", topic, "--header", "novalue", "--file", Cli.TempFile("x\n"));
        var badAcks = await Cli.RunAsync(broker, "produce", topic, "--acks", "2", "--file", Cli.TempFile("x\n"));
        var badCompression = await Cli.RunAsync(broker, "produce", topic, "--compression", "brotli", "--file", Cli.TempFile("x\n"));
        var missingFile = await Cli.RunAsync(broker, "produce", topic, "--file", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N")));
        var missingTopic = await Cli.RunAsync(broker, "consume");

        Assert.Equal(2, offsetWithoutPartition.ExitCode);
        Assert.Contains("--offset needs --partition", offsetWithoutPartition.Error);
        Assert.Equal(2, offsetAndBeginning.ExitCode);
        Assert.Equal(2, badOffset.ExitCode);
        Assert.Contains("'middle'", badOffset.Error);
        Assert.Equal(2, zeroMessages.ExitCode);
        Assert.Equal(2, badHeader.ExitCode);
        Assert.Contains("must look like key:value", badHeader.Error);
        Assert.Equal(2, badAcks.ExitCode);
        Assert.Contains("--acks must be 0, 1 or all", badAcks.Error);
        Assert.Equal(2, badCompression.ExitCode);
        Assert.Contains("brotli", badCompression.Error);
        Assert.Equal(2, missingFile.ExitCode);
        Assert.Contains("does not exist", missingFile.Error);
        Assert.Equal(2, missingTopic.ExitCode);
        Assert.Equal(0, Cli.EndOffset(broker, topic, 0));
    }
}
