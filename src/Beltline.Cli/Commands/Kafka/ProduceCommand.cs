using System.CommandLine;
using System.Text;
using Beltline.Line.Kafka;
using Confluent.Kafka;

namespace Beltline.Cli.Commands.Kafka;

/// <summary>
/// <c>beltline produce TOPIC</c>, mirroring Kafka's <c>kafka-console-producer.sh</c> (and <c>kcat -P</c>): one record
/// per input line, a key before <c>--key-separator</c>, headers, compression and acks; a summary on stderr.
/// </summary>
internal static class ProduceCommand
{
    public static Command Create()
    {
        var options = new KafkaToolOptions();
        var topic = new Argument<string>("topic") { Description = "Topic to write to (it must exist)." };
        var file = new Option<FileInfo?>("--file") { Description = "Read the records from this file instead of stdin." };
        var keySeparator = new Option<string?>("--key-separator") { Description = "Split each line at the first occurrence of this text into key and value (a line without it is an error)." };
        var headers = new Option<string[]>("--header") { Description = "A header on every record, key:value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var compression = new Option<CompressionType>("--compression") { Description = "Compression codec.", HelpName = "none|gzip|snappy|lz4|zstd", DefaultValueFactory = _ => CompressionType.None };
        var acks = new Option<string>("--acks") { Description = "Acknowledgements to wait for.", HelpName = "0|1|all", DefaultValueFactory = _ => "all" };
        var partition = new Option<int?>("--partition") { Description = "Write every record to this partition (default: by key, keyless records spread)." };
        var command = new Command("produce", "Write records to a topic, one per line of stdin or --file (like kafka-console-producer.sh).") { topic, file, keySeparator, headers, compression, acks, partition };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, cancellationToken) =>
        {
            options.Validate(result);
            var name = result.GetValue(topic)!;
            var separator = result.GetValue(keySeparator);
            if (separator is { Length: 0 })
                throw new UsageException("--key-separator must not be empty.");
            var recordHeaders = ParseHeaders(result.GetValue(headers) ?? []);
            var acknowledgements = ParseAcks(result.GetValue(acks)!);
            var input = result.GetValue(file);
            if (input is { Exists: false })
                throw new UsageException($"--file '{input.FullName}' does not exist.");

            var (admin, metadata) = options.Connect(result);
            int partitions;
            using (admin)
                partitions = KafkaClients.RequireTopic(metadata, name).Partitions.Count;
            if (result.GetValue(partition) is { } fixedPartition && (fixedPartition < 0 || fixedPartition >= partitions))
                throw new ToolFailureException($"Topic '{name}' has no partition {fixedPartition} (it has {partitions}: 0-{partitions - 1}).");

            var config = options.Client.Config(result, new ProducerConfig());
            config.Acks = acknowledgements;
            config.CompressionType = result.GetValue(compression);
            config.MessageTimeoutMs ??= Math.Max(result.GetValue(options.RequestTimeout), 1000) * 3;
            config.LingerMs ??= 5;
            var delivered = 0L;
            var failed = 0L;
            var errors = new List<string>();
            using var producer = KafkaClients.Build(() => new ProducerBuilder<byte[]?, byte[]>(config).SetLogHandler(KafkaReachability.Quiet).Build());
            void Report(DeliveryReport<byte[]?, byte[]> report)
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                    lock (errors)
                        if (errors.Count < 5)
                            errors.Add(report.Error.Reason);
                }
                else
                    Interlocked.Increment(ref delivered);
            }

            using var fileReader = input is null ? null : new StreamReader(input.FullName, Encoding.UTF8);
            var reader = fileReader ?? Console.In;
            var lineNumber = 0;
            var badLines = 0;
            while (await ReadLineOrStopAsync(reader, cancellationToken) is { } line)
            {
                lineNumber++;
                byte[]? key = null;
                var value = line;
                if (separator is not null)
                {
                    var at = line.IndexOf(separator, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        badLines++;
                        KafkaTool.WriteError(result, $"Line {lineNumber} has no key separator '{separator}'; not sent.");
                        continue;
                    }
                    key = Encoding.UTF8.GetBytes(line[..at]);
                    value = line[(at + separator.Length)..];
                }
                var message = new Message<byte[]?, byte[]> { Key = key, Value = Encoding.UTF8.GetBytes(value), Headers = CopyOf(recordHeaders) };
                while (true)
                {
                    try
                    {
                        if (result.GetValue(partition) is { } p)
                            producer.Produce(new TopicPartition(name, p), message, Report);
                        else
                            producer.Produce(name, message, Report);
                        break;
                    }
                    catch (ProduceException<byte[]?, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        // The local queue is full: let deliveries drain, then try the same record again.
                        producer.Poll(TimeSpan.FromMilliseconds(100));
                    }
                }
            }
            var unsent = producer.Flush(TimeSpan.FromMilliseconds(config.MessageTimeoutMs!.Value + 1000));
            failed += unsent;

            var total = delivered + failed + badLines;
            if (options.IsJson(result))
                KafkaTool.WriteJson(result, new { topic = name, lines = lineNumber, delivered, failed = failed + badLines });
            result.InvocationConfiguration.Error.WriteLine(
                $"Produced {delivered} of {total} records to {name}" + (failed + badLines > 0 ? $"; {failed + badLines} failed." : "."));
            foreach (var error in errors)
                KafkaTool.WriteError(result, $"Delivery failed: {error}");
            return failed + badLines > 0 ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The next line, or null at the end of the input or on Ctrl+C: what was read so far is still delivered and summed up.</summary>
    private static async Task<string?> ReadLineOrStopAsync(TextReader reader, CancellationToken cancellationToken)
    {
        try
        {
            // Console.In reads synchronously and ignores the token: read on the pool and stop waiting on Ctrl+C (the
            // process is about to end; the abandoned read goes with it).
            return cancellationToken.IsCancellationRequested ? null : await Task.Run(reader.ReadLine, CancellationToken.None).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    internal static Acks ParseAcks(string text) => text.Trim().ToLowerInvariant() switch
    {
        "0" => Acks.None,
        "1" => Acks.Leader,
        "all" or "-1" => Acks.All,
        _ => throw new UsageException($"--acks must be 0, 1 or all, got '{text}'."),
    };

    private static List<(string Key, byte[] Value)> ParseHeaders(string[] texts) => texts.Select(text =>
    {
        var at = text.IndexOf(':');
        if (at <= 0)
            throw new UsageException($"--header '{text}' must look like key:value.");
        return (text[..at], Encoding.UTF8.GetBytes(text[(at + 1)..]));
    }).ToList();

    private static Headers? CopyOf(List<(string Key, byte[] Value)> headers)
    {
        if (headers.Count == 0)
            return null;
        var copy = new Headers();
        foreach (var (key, value) in headers)
            copy.Add(key, value);
        return copy;
    }
}
