using System.CommandLine;
using System.Globalization;
using Beltline.Line.Clickstream;
using Beltline.Cli.Commands.Kafka;
using Beltline.Line.Kafka;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Beltline.Cli.Commands;

/// <summary>
/// <c>beltline clickstream</c>: the clickstream producer (the ECS task's twin). Flags follow the Java original's
/// options; the container's environment (BROKERS, TOPIC, NMTRD, BATCHSIZE, LINGERMS, BUFFERMEMORY) is honoured.
/// </summary>
internal static class ClickstreamCommand
{
    private static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var client = new ClientOptions();
        var topic = EnvironmentOption.Create("--topic", "TOPIC", "clickstream", "Topic to write clicks to.");
        var threads = EnvironmentOption.Create("--threads", "NMTRD", 2, "Generator threads (the original's numThreads).");
        var users = new Option<long?>("--users") { Description = "Sessions (users) per thread (the original's numberOfUsers); unlimited when omitted." };
        var runFor = new Option<int>("--run-for") { Description = "Stop after this many seconds (sessions under way finish); 0 runs until the users are done or Ctrl+C." };
        var noDelay = new Option<bool>("--no-delay") { Description = "Skip the 50-549 ms pause between a thread's sessions." };
        var noEventLog = new Option<bool>("--no-event-log") { Description = "Do not append every click to the event log file." };
        var eventLog = new Option<string>("--event-log") { Description = "Event log file (one JSON line per click).", DefaultValueFactory = _ => Path.Combine(".beltline", "clickstream", "events.log") };
        var bookmark = new Option<string>("--bookmark") { Description = "Bookmark file keeping the last globalseq, so a restart continues the sequence.", DefaultValueFactory = _ => Path.Combine(".beltline", "clickstream", "bookmark.txt") };
        var seed = new Option<int?>("--seed") { Description = "Seed the random choices (thread i uses seed+i): with --threads 1 the clicks repeat exactly, timestamps aside." };
        var batchSize = EnvironmentOption.Create<int?>("--batch-size", "BATCHSIZE", null, "Producer batch.size in bytes (the original's 16384 by default).");
        var lingerMs = EnvironmentOption.Create<int?>("--linger-ms", "LINGERMS", null, "Producer linger.ms (the original's 0 by default).");
        var bufferMemory = EnvironmentOption.Create<int?>("--buffer-memory", "BUFFERMEMORY", null, "Producer buffer in bytes (Java's buffer.memory; librdkafka's queue.buffering.max.kbytes × 1024).");

        var command = new Command("clickstream", "Generate the workshop's clickstream (user sessions of shop clicks) into Kafka, like the original ECS task.");
        client.AddTo(command);
        foreach (var option in new Option[] { topic, threads, users, runFor, noDelay, noEventLog, eventLog, bookmark, seed, batchSize, lingerMs, bufferMemory })
            command.Add(option);

        KafkaTool.SetAction(command, async (result, cancellationToken) =>
        {
            if (result.GetValue(threads) < 1)
                throw new UsageException($"--threads must be at least 1, got {result.GetValue(threads)}.");
            if (result.GetValue(users) is < 1)
                throw new UsageException($"--users must be at least 1, got {result.GetValue(users)}.");
            if (result.GetValue(runFor) < 0)
                throw new UsageException($"--run-for must be 0 or more seconds, got {result.GetValue(runFor)}.");
            if (result.GetValue(batchSize) is < 1)
                throw new UsageException($"--batch-size must be at least 1, got {result.GetValue(batchSize)}.");
            if (result.GetValue(lingerMs) is < 0)
                throw new UsageException($"--linger-ms must be 0 or more, got {result.GetValue(lingerMs)}.");
            if (result.GetValue(bufferMemory) is < 1024)
                throw new UsageException($"--buffer-memory must be at least 1024 bytes, got {result.GetValue(bufferMemory)}.");
            if (string.IsNullOrWhiteSpace(result.GetValue(topic)))
                throw new UsageException("--topic must not be empty.");
            var config = KafkaClickEventSink.OriginalDefaults();
            if (result.GetValue(batchSize) is { } bytes)
                config.BatchSize = bytes;
            if (result.GetValue(lingerMs) is { } linger)
                config.LingerMs = linger;
            if (result.GetValue(bufferMemory) is { } memory)
                config.QueueBufferingMaxKbytes = memory / 1024;
            config = client.Config(result, config, Environment.GetEnvironmentVariable("BROKERS"));

            using var loggerFactory = Logging.Create(LogFormat.Text, LogLevel.Information, toStandardError: true);
            var logger = loggerFactory.CreateLogger("Beltline.Clickstream");
            KafkaReachability.Metadata(config, ReachTimeout);

            var options = new ClickstreamOptions
            {
                Threads = result.GetValue(threads),
                UsersPerThread = result.GetValue(users) ?? long.MaxValue,
                RunFor = result.GetValue(runFor) > 0 ? TimeSpan.FromSeconds(result.GetValue(runFor)) : null,
                NoDelay = result.GetValue(noDelay),
                EventLogPath = result.GetValue(noEventLog) ? null : result.GetValue(eventLog),
                BookmarkPath = result.GetValue(bookmark),
                Seed = result.GetValue(seed),
            };
            var console = CliConsole.For(result);
            ClickstreamStatus summary;
            try
            {
                using var sink = new KafkaClickEventSink(config, result.GetValue(topic)!);
                var producer = new ClickstreamProducer(options, sink, logger);
                console.MarkupLineInterpolated($"Clickstream → [bold]{result.GetValue(topic)}[/] at {config.BootstrapServers}, {options.Threads} threads{(options.NoDelay ? ", no delay" : "")}. Ctrl+C stops.");
                var last = producer.Status;
                summary = await StationStatus.WhileRunning(producer.RunAsync(cancellationToken), () =>
                {
                    var now = producer.Status;
                    var rate = (now.Delivered - last.Delivered) / (now.Elapsed - last.Elapsed).TotalSeconds;
                    console.MarkupLineInterpolated($"[grey]{now.Elapsed:hh\\:mm\\:ss}[/] events {now.Delivered:N0} · {rate:N0} events/s · errors {now.Errors:N0}");
                    producer.SaveBookmark();
                    last = now;
                });
            }
            catch (InvalidDataException e)
            {
                throw new UsageException(e.Message);
            }

            StationStatus.WriteSummary(console, "Clickstream summary",
                ("elapsed", StationStatus.Duration(summary.Elapsed)),
                ("sessions", StationStatus.Count(summary.Sessions)),
                ("events delivered", StationStatus.Count(summary.Delivered)),
                ("events/s", StationStatus.Rate(summary.Delivered, summary.Elapsed)),
                ("errors", StationStatus.Count(summary.Errors)),
                ("last globalseq", summary.LastGlobalSeq.ToString(CultureInfo.InvariantCulture)));
            if (summary.FirstError is { } firstError)
                KafkaTool.WriteError(result, $"Deliveries failed: {firstError}");
            return summary.Errors > 0 ? 1 : 0;
        });
        return command;
    }
}
