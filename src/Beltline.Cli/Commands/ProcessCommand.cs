using System.CommandLine;
using Beltline.Cli.Commands.Kafka;
using Beltline.Line.ClickstreamProcessor;
using Beltline.Line.Kafka;
using Beltline.Streams;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Beltline.Cli.Commands;

/// <summary>
/// <c>beltline process</c>: the clickstream processor (the Flink job's twin) over Kafka: sessions and 10 s
/// aggregates to their topics, state and offsets checkpointed together in <c>--state-dir</c>.
/// </summary>
internal static class ProcessCommand
{
    private static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var client = new ClientOptions();
        var topic = new Option<string>("--topic") { Description = "Input topic of click events.", DefaultValueFactory = _ => "clickstream" };
        var groupId = new Option<string>("--group-id") { Description = "Consumer group.", DefaultValueFactory = _ => "flink-clickstream-processor" };
        var instanceId = new Option<string?>("--instance-id")
        {
            Description = "Static group member id (KIP-345): a restarted processor takes its partitions back at once instead of waiting out the old member's session. Default: the client id; --instance-id none for a dynamic member.",
            DefaultValueFactory = _ => "clickstream-processor",
        };
        var bounded = new Option<bool>("--bounded") { Description = "Read up to the end offsets seen at start, fire every window, and exit." };
        var sessionsTopic = new Option<string>("--sessions-topic") { Description = "Topic of sessions with an order checkout.", DefaultValueFactory = _ => ClickstreamJobOptions.DefaultSessionsTopic };
        var countsTopic = new Option<string>("--session-counts-topic") { Description = "Topic of the 10 s session counts.", DefaultValueFactory = _ => ClickstreamJobOptions.DefaultSessionCountsTopic };
        var departmentsTopic = new Option<string>("--departments-topic") { Description = "Topic of the 10 s department counts.", DefaultValueFactory = _ => ClickstreamJobOptions.DefaultDepartmentsTopic };
        var stateDir = new Option<string>("--state-dir") { Description = "Where checkpoints (state and offsets together) are kept.", DefaultValueFactory = _ => Path.Combine(".beltline", "processor") };
        var checkpointInterval = new Option<int>("--checkpoint-interval-ms") { Description = "Milliseconds between checkpoints.", DefaultValueFactory = _ => 5000 };
        var deadLetterTopic = new Option<string?>("--dead-letter-topic") { Description = "Copy bad records (not JSON, missing fields, nonsense timestamps) here." };
        var lateTopic = new Option<string?>("--late-topic") { Description = "Copy late records (their window has fired) here." };
        var command = new Command("process", "Run the clickstream processor (the Flink job's twin): user sessions and 10 s aggregates from click events.")
        {
            topic, groupId, instanceId, bounded, sessionsTopic, countsTopic, departmentsTopic, stateDir, checkpointInterval, deadLetterTopic, lateTopic,
        };
        client.AddTo(command);
        KafkaTool.SetAction(command, async (result, cancellationToken) =>
        {
            if (result.GetValue(checkpointInterval) < 100)
                throw new UsageException($"--checkpoint-interval-ms must be at least 100, got {result.GetValue(checkpointInterval)}.");
            foreach (var option in new[] { topic, groupId, sessionsTopic, countsTopic, departmentsTopic, stateDir })
                if (string.IsNullOrWhiteSpace(result.GetValue(option)))
                    throw new UsageException($"{option.Name} must not be empty.");
            var consumerConfig = client.Config(result, new ConsumerConfig
            {
                GroupId = result.GetValue(groupId),
                ClientId = "clickstream-processor",
                GroupInstanceId = result.GetValue(instanceId) is { } id && id != "none" ? id : null,
            });
            var producerConfig = client.Config(result, new ProducerConfig { ClientId = "clickstream-processor", Acks = Acks.All, EnableIdempotence = true, LingerMs = 5 });
            var metadata = KafkaReachability.Metadata(consumerConfig, ReachTimeout);
            if (!metadata.Topics.Any(t => t.Topic == result.GetValue(topic) && !t.Error.IsError))
                throw new ToolFailureException($"Topic '{result.GetValue(topic)}' does not exist.");

            using var loggerFactory = Logging.Create(LogFormat.Text, LogLevel.Information, toStandardError: true);
            var job = new ClickstreamJob(new ClickstreamJobOptions
            {
                SessionsTopic = result.GetValue(sessionsTopic)!,
                SessionCountsTopic = result.GetValue(countsTopic)!,
                DepartmentsTopic = result.GetValue(departmentsTopic)!,
            });
            var runner = new KafkaJobRunner(job, consumerConfig, producerConfig, new KafkaJobOptions
            {
                InputTopic = result.GetValue(topic)!,
                StateDirectory = result.GetValue(stateDir)!,
                Bounded = result.GetValue(bounded),
                CheckpointInterval = TimeSpan.FromMilliseconds(result.GetValue(checkpointInterval)),
                DeadLetterTopic = result.GetValue(deadLetterTopic),
                LateTopic = result.GetValue(lateTopic),
            }, loggerFactory.CreateLogger("Beltline.Processor"));

            var console = CliConsole.For(result);
            console.MarkupLineInterpolated($"Processing [bold]{result.GetValue(topic)}[/] at {consumerConfig.BootstrapServers} as group {result.GetValue(groupId)}{(result.GetValue(bounded) ? ", bounded" : "")}. Ctrl+C stops.");
            JobStatus summary;
            try
            {
                var last = runner.Status;
                summary = await StationStatus.WhileRunning(runner.RunAsync(cancellationToken), () =>
                {
                    var now = runner.Status;
                    var rate = (now.Records - last.Records) / (now.Elapsed - last.Elapsed).TotalSeconds;
                    console.MarkupLineInterpolated($"[grey]{now.Elapsed:hh\\:mm\\:ss}[/] events {now.Records:N0} · {rate:N0} events/s · watermark {Watermark(now.Watermark)} · outputs {now.Outputs:N0} · late {now.Late:N0} · bad {now.Bad:N0}");
                    last = now;
                });
            }
            catch (InvalidDataException e)
            {
                throw new UsageException(e.Message);
            }
            StationStatus.WriteSummary(console, "Processor summary",
                ("elapsed", StationStatus.Duration(summary.Elapsed)),
                ("events read", StationStatus.Count(summary.Records)),
                ("events/s", StationStatus.Rate(summary.Records, summary.Elapsed)),
                ("outputs", StationStatus.Count(summary.Outputs)),
                ("late events", StationStatus.Count(summary.Late)),
                ("bad events", StationStatus.Count(summary.Bad)),
                ("watermark", Watermark(summary.Watermark)),
                ("checkpoints", StationStatus.Count(summary.Checkpoints)));
            return 0;
        });
        return command;
    }

    private static string Watermark(long watermark) => watermark switch
    {
        long.MinValue => "none yet",
        long.MaxValue => "end of input",
        _ => DateTimeOffset.FromUnixTimeMilliseconds(watermark).ToString("yyyy-MM-dd HH:mm:ss.fff'Z'"),
    };
}
