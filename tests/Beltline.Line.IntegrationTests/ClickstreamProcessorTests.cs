using System.Text;
using Beltline.Line.ClickstreamProcessor;
using Beltline.Streams;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Line.IntegrationTests;

/// <summary>The clickstream job on the Kafka runner, through the in-process broker.</summary>
public sealed class ClickstreamProcessorTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly string _stateDir = Path.Combine(Path.GetTempPath(), "beltline-proc-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_stateDir))
            Directory.Delete(_stateDir, recursive: true);
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static ClickstreamJobOptions Outputs(string prefix) => new()
    {
        SessionsTopic = prefix + "-sessions",
        SessionCountsTopic = prefix + "-counts",
        DepartmentsTopic = prefix + "-departments",
    };

    private ProducerConfig ProducerConfig => new() { BootstrapServers = broker.BootstrapServers, Acks = Acks.All, LingerMs = 5 };

    private Task<JobStatus> RunBounded(string input, ClickstreamJobOptions outputs, string? lateTopic = null, string? deadLetterTopic = null, IReadOnlyList<IOutputSink>? sinks = null) =>
        new KafkaJobRunner(new ClickstreamJob(outputs),
                new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = Unique("processor") },
                ProducerConfig,
                new KafkaJobOptions { InputTopic = input, StateDirectory = _stateDir, Bounded = true, LateTopic = lateTopic, DeadLetterTopic = deadLetterTopic },
                NullLogger.Instance, sinks)
            .RunAsync(CancellationToken.None);

    /// <summary>A second sink beside Kafka, as the search sink will be.</summary>
    private sealed class ListSink : IOutputSink
    {
        public List<JobOutput> Outputs { get; } = [];

        public int Flushes { get; private set; }

        public void Write(JobOutput output) => Outputs.Add(output);

        public void Flush(TimeSpan timeout) => Flushes++;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task A_bounded_run_over_three_partitions_gives_what_the_job_gives_in_memory()
    {
        var input = Unique("clicks");
        await KafkaTestData.ProduceClicksAsync(broker.BootstrapServers, input, partitions: 3, sessions: 3000, seed: 21, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var outputs = Outputs(Unique("out"));

        using var kafka = new KafkaOutputSink(ProducerConfig);
        var list = new ListSink();
        var status = await RunBounded(input, outputs, sinks: [kafka, list]);

        var written = KafkaTestData.ReadAll(broker.BootstrapServers, outputs.SessionsTopic, outputs.SessionCountsTopic, outputs.DepartmentsTopic)
            .Select(r => (r.Topic, r.Key, r.Value)).ToList();
        // The same records, partition after partition, through the job alone: the watermark is the minimum over the
        // partitions, so the order they are read in does not change what comes out for data within the bound.
        var expected = new ClickstreamJob(outputs);
        expected.Assign([0, 1, 2]);
        var records = KafkaTestData.ReadAll(broker.BootstrapServers, input);
        var offset = 0L;
        foreach (var record in records)
            expected.Process(0, offset++, Encoding.UTF8.GetBytes(record.Value));
        expected.Finish();
        var expectedOutputs = expected.TakeOutputs().Select(o => (o.Topic, o.Key, o.Value)).ToList();

        Assert.Equal(records.Count, status.Records);
        Assert.Equal(0, status.Late);
        Assert.Contains(expectedOutputs, o => o.Topic == outputs.SessionsTopic);
        Assert.True(expectedOutputs.Count(o => o.Topic == outputs.SessionCountsTopic) > 10);
        Assert.True(expectedOutputs.Count(o => o.Topic == outputs.DepartmentsTopic) > 10);
        Assert.Equal(expectedOutputs.Order(), written.Order());
        Assert.Equal(status.Outputs, written.Count);
        Assert.Equal(written.Order(), list.Outputs.Select(o => (o.Topic, o.Key, o.Value)).Order());
        Assert.True(list.Flushes >= 1);
        Assert.True(File.Exists(Path.Combine(_stateDir, "checkpoint.json")));
    }

    private static byte[] Click(long ts, long user, string type = "product_detail", string product = "cameras") => Encoding.UTF8.GetBytes(
        $$"""{"ip":"66.249.1.1","eventtimestamp":{{ts}},"devicetype":"mobile","event_type":"{{type}}","product_type":"{{product}}","userid":{{user}},"globalseq":1,"prevglobalseq":0}""");

    [Fact]
    public async Task Bad_and_late_records_are_counted_and_copied_to_their_topics_and_the_job_goes_on()
    {
        var input = Unique("clicks");
        var outputs = Outputs(Unique("out"));
        var late = Unique("late");
        var deadLetters = Unique("dead");
        using (var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            foreach (var value in new[]
            {
                Click(100_000, 1, "order_checkout"),
                "not json"u8.ToArray(),
                Click(200_000, 2),                        // watermark 179,999: user 1's session [100,000, 101,000) fires
                Click(100_500, 1),                        // its window [100,500, 101,500) is behind the watermark: late
                Click(-5, 3),                             // nonsense timestamp
            })
                await producer.ProduceAsync(input, new Message<Null, byte[]> { Value = value });
        }

        var measured = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Beltline.Streams")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "topic" && (string?)tag.Value == input)
                    measured.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
        });
        listener.Start();

        var status = await RunBounded(input, outputs, late, deadLetters);

        Assert.Equal(1, measured.GetValueOrDefault("beltline_stream_late_records"));
        Assert.Equal(2, measured.GetValueOrDefault("beltline_stream_bad_records"));
        Assert.Equal(5, measured.GetValueOrDefault("beltline_stream_records"));
        Assert.Equal(5, status.Records);
        Assert.Equal(1, status.Late);
        Assert.Equal(2, status.Bad);
        var lateRecord = Assert.Single(KafkaTestData.ReadAll(broker.BootstrapServers, late));
        Assert.Contains("\"eventtimestamp\":100500", lateRecord.Value);
        var dead = KafkaTestData.ReadAll(broker.BootstrapServers, deadLetters);
        Assert.Equal(["not json", Encoding.UTF8.GetString(Click(-5, 3))], dead.Select(d => d.Value));
        Assert.StartsWith("not JSON", Encoding.UTF8.GetString(dead[0].Headers.GetLastBytes("beltline.reason")));
        Assert.Equal("eventtimestamp -5 is not a time", Encoding.UTF8.GetString(dead[1].Headers.GetLastBytes("beltline.reason")));
        Assert.EndsWith("/0@1", Encoding.UTF8.GetString(dead[0].Headers.GetLastBytes("beltline.source")));
        // User 1's session (with its checkout) and user 2's both came out; the late click changed nothing.
        var sessions = KafkaTestData.ReadAll(broker.BootstrapServers, outputs.SessionsTopic);
        var session = Assert.Single(sessions);
        Assert.Equal("1@100000", session.Key);
        Assert.Contains("\"eventCount\":1", session.Value);
        var counts = KafkaTestData.ReadAll(broker.BootstrapServers, outputs.SessionCountsTopic).ToDictionary(c => c.Key, c => c.Value);
        Assert.Equal(["100000", "200000"], counts.Keys.Order());
        Assert.Contains("\"userSessionCount\":1,\"userSessionCountWithOrderCheckout\":1,", counts["100000"]);
        Assert.Contains("\"userSessionCount\":1,\"userSessionCountWithOrderCheckout\":0,", counts["200000"]);
    }

    [Fact]
    public async Task A_second_bounded_run_resumes_from_the_checkpoint_and_finds_nothing_new()
    {
        var input = Unique("clicks");
        await KafkaTestData.ProduceClicksAsync(broker.BootstrapServers, input, partitions: 1, sessions: 20, seed: 5, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var outputs = Outputs(Unique("out"));

        var first = await RunBounded(input, outputs);
        var second = await RunBounded(input, outputs);

        Assert.True(first.Records > 0);
        Assert.True(first.Outputs > 0);
        Assert.Equal(0, second.Records);
        Assert.Equal(0, second.Outputs);
        Assert.Equal(first.Outputs, KafkaTestData.ReadAll(broker.BootstrapServers, outputs.SessionsTopic, outputs.SessionCountsTopic, outputs.DepartmentsTopic).Count);
    }
}
