using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Beltline.Line.Kafka;
using Beltline.Streams;
using Confluent.Kafka;
using Spectre.Console;

namespace Beltline.Cli.Commands.Kafka;

/// <summary>
/// <c>beltline perf produce|consume</c>, mirroring Kafka's <c>kafka-producer-perf-test.sh</c> (records, size,
/// throughput cap, acks; delivery latency) and <c>kafka-consumer-perf-test.sh</c> (messages, group; end-to-end
/// latency as now minus the record's timestamp). Live progress on a terminal; a results table or JSON at the end.
/// </summary>
internal static class PerfCommand
{
    public static Command Create()
    {
        var command = new Command("perf", "Measure produce and consume throughput and latency (like kafka-producer-perf-test.sh / kafka-consumer-perf-test.sh).")
        {
            Produce(), Consume(),
        };
        KafkaTool.SetAction(command, (_, _) => throw new UsageException("Choose a subcommand: produce or consume."));
        return command;
    }

    private static Command Produce()
    {
        var options = new KafkaToolOptions();
        var topic = new Option<string>("--topic") { Description = "Topic to write to (it must exist).", Required = true };
        var numRecords = new Option<long>("--num-records") { Description = "Records to send.", Required = true };
        var recordSize = new Option<int>("--record-size") { Description = "Bytes per record value.", Required = true };
        var throughput = new Option<double>("--throughput") { Description = "Cap in records per second; -1 for none.", DefaultValueFactory = _ => -1 };
        var acks = new Option<string>("--acks") { Description = "Acknowledgements to wait for.", HelpName = "0|1|all", DefaultValueFactory = _ => "all" };
        var compression = new Option<CompressionType>("--compression") { Description = "Compression codec.", HelpName = "none|gzip|snappy|lz4|zstd", DefaultValueFactory = _ => CompressionType.None };
        var command = new Command("produce", "Send records as fast as allowed and report msg/s, MB/s and delivery latency.") { topic, numRecords, recordSize, throughput, acks, compression };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, cancellationToken) =>
        {
            options.Validate(result);
            var name = result.GetValue(topic)!;
            var records = result.GetValue(numRecords);
            var size = result.GetValue(recordSize);
            var cap = result.GetValue(throughput);
            if (records < 1)
                throw new UsageException($"--num-records must be at least 1, got {records}.");
            if (size < 0)
                throw new UsageException($"--record-size must be >= 0, got {size}.");
            if (cap == 0 || cap < -1)
                throw new UsageException($"--throughput must be a positive rate or -1 (no cap), got {cap.ToString(CultureInfo.InvariantCulture)}.");
            var acknowledgements = ProduceCommand.ParseAcks(result.GetValue(acks)!);

            var (admin, metadata) = options.Connect(result);
            using (admin)
                KafkaClients.RequireTopic(metadata, name);

            var config = options.Client.Config(result, new ProducerConfig());
            config.Acks = acknowledgements;
            config.CompressionType = result.GetValue(compression);
            config.LingerMs ??= 5;
            config.MessageTimeoutMs ??= Math.Max(result.GetValue(options.RequestTimeout), 1000) * 3;
            using var producer = KafkaClients.Build(() => new ProducerBuilder<Null, byte[]>(config).SetLogHandler(KafkaReachability.Quiet).Build());

            // One random payload of uppercase letters for every record, as Kafka's tool sends.
            var payload = new byte[size];
            for (var i = 0; i < payload.Length; i++)
                payload[i] = (byte)('A' + Random.Shared.Next(26));
            // NaN marks a record without a delivery report (failed or never sent).
            var latencies = new double[records];
            Array.Fill(latencies, double.NaN);
            var delivered = 0L;
            var failed = 0L;
            string? firstError = null;
            var clock = Stopwatch.StartNew();

            void SendAll()
            {
                for (long i = 0; i < records && !cancellationToken.IsCancellationRequested; i++)
                {
                    if (cap > 0)
                    {
                        var due = TimeSpan.FromSeconds(i / cap) - clock.Elapsed;
                        if (due > TimeSpan.FromMilliseconds(1))
                            Thread.Sleep(due);
                    }
                    var index = i;
                    var sentAt = Stopwatch.GetTimestamp();
                    var message = new Message<Null, byte[]> { Value = payload };
                    while (true)
                    {
                        try
                        {
                            producer.Produce(name, message, report =>
                            {
                                if (report.Error.IsError)
                                {
                                    Interlocked.CompareExchange(ref firstError, report.Error.Reason, null);
                                    Interlocked.Increment(ref failed);
                                }
                                else
                                {
                                    latencies[index] = Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds;
                                    Interlocked.Increment(ref delivered);
                                }
                            });
                            break;
                        }
                        catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                        {
                            // The local queue is full: serve delivery reports until there is room.
                            producer.Poll(TimeSpan.FromMilliseconds(10));
                        }
                    }
                }
                var unsent = producer.Flush(TimeSpan.FromMilliseconds(config.MessageTimeoutMs!.Value + 1000));
                Interlocked.Add(ref failed, unsent);
            }

            await WithProgress(result, $"Producing {records} records to {name}", records, () => Interlocked.Read(ref delivered) + Interlocked.Read(ref failed), SendAll);
            var elapsed = clock.Elapsed;
            var stats = new PerfResult("produce", name, Interlocked.Read(ref delivered), failed, delivered * (long)size, elapsed.TotalSeconds,
                LatencySummary.Of(latencies.Where(l => !double.IsNaN(l))));
            Print(result, options, stats);
            if (failed > 0)
                throw new ToolFailureException($"{failed} of {records} records were not delivered: {firstError ?? "timed out"}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Consume()
    {
        var options = new KafkaToolOptions();
        var topic = new Option<string>("--topic") { Description = "Topic to read.", Required = true };
        var messages = new Option<long>("--messages") { Description = "Records to consume.", Required = true };
        var group = new Option<string?>("--group") { Description = "Consumer group to join (offsets committed); default: all partitions from the beginning, no group." };
        var timeout = new Option<int>("--timeout") { Description = "Give up when no record arrives for this many milliseconds.", HelpName = "ms", DefaultValueFactory = _ => 10_000 };
        var command = new Command("consume", "Read records as fast as possible and report msg/s, MB/s and end-to-end latency.") { topic, messages, group, timeout };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, cancellationToken) =>
        {
            options.Validate(result);
            var name = result.GetValue(topic)!;
            var wanted = result.GetValue(messages);
            var groupId = result.GetValue(group);
            var idleTimeout = result.GetValue(timeout);
            if (wanted < 1)
                throw new UsageException($"--messages must be at least 1, got {wanted}.");
            if (idleTimeout < 1)
                throw new UsageException($"--timeout must be a positive number of milliseconds, got {idleTimeout}.");
            if (groupId is { Length: 0 })
                throw new UsageException("--group must not be empty.");

            TopicMetadata topicMetadata;
            var (admin, metadata) = options.Connect(result);
            using (admin)
                topicMetadata = KafkaClients.RequireTopic(metadata, name);

            var config = ConsumerTuning.KeepFetching(options.Client.Config(result, new ConsumerConfig()));
            // Confluent.Kafka wants a group id even for assign(); without --group it never joins nor commits.
            config.GroupId = groupId ?? $"beltline-perf-consumer-{Guid.NewGuid():N}"[..32];
            config.EnableAutoCommit = groupId is not null;
            config.AutoOffsetReset = AutoOffsetReset.Earliest;
            config.AllowAutoCreateTopics = false;
            using var consumer = KafkaClients.Build(() => new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler(KafkaReachability.Quiet).Build());
            if (groupId is null)
                consumer.Assign(topicMetadata.Partitions.Select(p => new TopicPartitionOffset(name, p.PartitionId, Offset.Beginning)));
            else
                consumer.Subscribe(name);

            var latencies = new List<double>();
            var count = 0L;
            var bytes = 0L;
            var timedOut = false;
            string? failure = null;
            // Throughput counts from the first record to the last, as Kafka's tool does: joining a group or
            // waiting out --timeout is not reading.
            var clock = new Stopwatch();
            var reading = TimeSpan.Zero;

            void ConsumeAll()
            {
                var idle = Stopwatch.StartNew();
                try
                {
                    while (Interlocked.Read(ref count) < wanted && !cancellationToken.IsCancellationRequested)
                    {
                        if (idle.ElapsedMilliseconds >= idleTimeout)
                        {
                            timedOut = true;
                            return;
                        }
                        var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                        if (record is null || record.IsPartitionEOF)
                            continue;
                        if (!clock.IsRunning)
                            clock.Start();
                        reading = clock.Elapsed;
                        idle.Restart();
                        bytes += (record.Message.Key?.Length ?? 0) + (record.Message.Value?.Length ?? 0);
                        if (record.Message.Timestamp.Type != TimestampType.NotAvailable)
                            latencies.Add(Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - record.Message.Timestamp.UnixTimestampMs));
                        Interlocked.Increment(ref count);
                    }
                }
                catch (ConsumeException e)
                {
                    failure = e.Error.Reason;
                }
            }

            await WithProgress(result, $"Consuming {wanted} records from {name}", wanted, () => Interlocked.Read(ref count), ConsumeAll);
            consumer.Close();
            if (failure is not null)
                throw new ToolFailureException($"Consuming {name} failed: {failure}");
            var stats = new PerfResult("consume", name, count, 0, bytes, reading.TotalSeconds, LatencySummary.Of(latencies));
            Print(result, options, stats);
            if (timedOut)
                throw new ToolFailureException($"Consumed only {count} of {wanted} records: none arrived for {idleTimeout} ms.");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Runs the blocking <paramref name="work"/> off the caller's thread; on an interactive terminal a progress bar
    /// follows <paramref name="done"/>, otherwise nothing is drawn (pipes and files get only the results).
    /// </summary>
    private static async Task WithProgress(ParseResult result, string description, long total, Func<long> done, Action work)
    {
        var console = CliConsole.For(result);
        var running = Task.Factory.StartNew(work, TaskCreationOptions.LongRunning);
        if (!console.Profile.Capabilities.Interactive)
        {
            await running;
            return;
        }
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: total);
                var clock = Stopwatch.StartNew();
                while (!running.IsCompleted)
                {
                    var count = done();
                    task.Value = count;
                    task.Description = Markup.Escape($"{description}: {count:N0} ({count / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0} msg/s)");
                    await Task.WhenAny(running, Task.Delay(200));
                }
                task.Value = done();
            });
        await running;
    }

    private static void Print(ParseResult result, KafkaToolOptions options, PerfResult stats)
    {
        if (options.IsJson(result))
        {
            KafkaTool.WriteJson(result, stats);
            return;
        }
        var table = new Table().AddColumn("Records").AddColumn("Failed").AddColumn("Seconds").AddColumn("Msg/s").AddColumn("MB/s")
            .AddColumn("Latency avg ms").AddColumn("p50 ms").AddColumn("p99 ms").AddColumn("Max ms");
        foreach (var column in table.Columns)
            column.RightAligned();
        static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
        table.AddRow(stats.Records.ToString(CultureInfo.InvariantCulture), stats.Failed.ToString(CultureInfo.InvariantCulture), F(stats.ElapsedSeconds),
            F(stats.RecordsPerSecond), F(stats.MegabytesPerSecond), F(stats.LatencyMs.Avg), F(stats.LatencyMs.P50), F(stats.LatencyMs.P99), F(stats.LatencyMs.Max));
        CliConsole.For(result).Write(table);
    }

    internal sealed record LatencySummary(double Avg, double P50, double P99, double Max)
    {
        /// <summary>Average, nearest-rank percentiles and maximum; all zero when nothing was measured.</summary>
        public static LatencySummary Of(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            if (sorted.Length == 0)
                return new LatencySummary(0, 0, 0, 0);
            double Percentile(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
            return new LatencySummary(sorted.Average(), Percentile(0.50), Percentile(0.99), sorted[^1]);
        }
    }

    private sealed record PerfResult(string Mode, string Topic, long Records, long Failed, long Bytes, double ElapsedSeconds, LatencySummary LatencyMs)
    {
        public double RecordsPerSecond => ElapsedSeconds > 0 ? Records / ElapsedSeconds : 0;

        public double MegabytesPerSecond => ElapsedSeconds > 0 ? Bytes / 1024.0 / 1024.0 / ElapsedSeconds : 0;
    }
}
