using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Beltline.Line.Kafka;
using Confluent.Kafka;

namespace Beltline.Cli.Commands.Kafka;

/// <summary>
/// <c>beltline consume TOPIC</c>, mirroring Kafka's <c>kafka-console-consumer.sh</c> (and <c>kcat -C</c>): records as
/// they arrive with their timestamp, partition, offset, headers and key, from a group, one partition (no group), or
/// a throwaway group; ends after <c>--max-messages</c>, after <c>--timeout</c> without records, or on Ctrl+C.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create()
    {
        var options = new KafkaToolOptions();
        var topic = new Argument<string>("topic") { Description = "Topic to read." };
        var group = new Option<string?>("--group") { Description = "Consumer group to join (offsets are committed); default: a throwaway group, or none with --partition." };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the earliest record when there is no committed offset (default: only new records)." };
        var partition = new Option<int?>("--partition") { Description = "Read only this partition (assigned directly, without a group unless --group is given)." };
        var offset = new Option<string?>("--offset") { HelpName = "offset|beginning|end", Description = "Where to start in --partition: an offset, 'beginning' or 'end' (default: end, or the group's committed offset)." };
        var maxMessages = new Option<int?>("--max-messages") { Description = "Stop after this many records." };
        var timeout = new Option<int?>("--timeout") { HelpName = "ms", Description = "Stop when no record arrives for this many milliseconds (default: run until Ctrl+C)." };
        var command = new Command("consume", "Print a topic's records with timestamp, partition, offset, headers and key (like kafka-console-consumer.sh).") { topic, group, fromBeginning, partition, offset, maxMessages, timeout };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, cancellationToken) =>
        {
            options.Validate(result);
            var name = result.GetValue(topic)!;
            var groupId = result.GetValue(group);
            var onePartition = result.GetValue(partition);
            var limit = result.GetValue(maxMessages);
            var idleTimeout = result.GetValue(timeout);
            if (groupId is { Length: 0 })
                throw new UsageException("--group must not be empty.");
            if (onePartition is < 0)
                throw new UsageException($"--partition must be >= 0, got {onePartition}.");
            if (limit is < 1)
                throw new UsageException($"--max-messages must be at least 1, got {limit}.");
            if (idleTimeout is < 1)
                throw new UsageException($"--timeout must be a positive number of milliseconds, got {idleTimeout}.");
            var startOffset = ParseOffset(result.GetValue(offset));
            if (startOffset is not null && onePartition is null)
                throw new UsageException("--offset needs --partition (a starting offset belongs to one partition).");
            if (startOffset is not null && result.GetValue(fromBeginning))
                throw new UsageException("--offset and --from-beginning cannot be used together.");

            var (admin, metadata) = options.Connect(result);
            using (admin)
            {
                var partitions = KafkaClients.RequireTopic(metadata, name).Partitions.Count;
                if (onePartition is { } p && p >= partitions)
                    throw new ToolFailureException($"Topic '{name}' has no partition {p} (it has {partitions}: 0-{partitions - 1}).");

                // Without --group or --partition, a throwaway group spreads the partitions like the console consumer's.
                // Confluent.Kafka wants a group id even for assign(); one that never joins nor commits leaves no trace.
                var throwawayGroup = groupId is null && onePartition is null ? NewGroupId() : null;
                var config = options.Client.Config(result, new ConsumerConfig());
                config.GroupId = groupId ?? throwawayGroup ?? NewGroupId();
                config.EnableAutoCommit = groupId is not null;
                config.AutoOffsetReset = result.GetValue(fromBeginning) ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest;
                config.AllowAutoCreateTopics = false;
                config.SocketTimeoutMs ??= result.GetValue(options.RequestTimeout);

                var count = 0;
                string? failure = null;
                using (var consumer = KafkaClients.Build(() => new ConsumerBuilder<byte[]?, byte[]?>(config)
                           .SetLogHandler(KafkaReachability.Quiet)
                           .SetErrorHandler((_, error) => { if (error.IsFatal) failure = error.Reason; })
                           .Build()))
                {
                    if (onePartition is { } assigned)
                        consumer.Assign(new TopicPartitionOffset(name, assigned, startOffset ?? (result.GetValue(fromBeginning) ? Offset.Beginning : groupId is null ? Offset.End : Offset.Stored)));
                    else
                        consumer.Subscribe(name);

                    var output = result.InvocationConfiguration.Output;
                    var json = options.IsJson(result);
                    var idle = Stopwatch.StartNew();
                    try
                    {
                        while (!cancellationToken.IsCancellationRequested && failure is null && (limit is null || count < limit))
                        {
                            if (idleTimeout is { } ms && idle.ElapsedMilliseconds >= ms)
                                break;
                            var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                            if (record is null || record.IsPartitionEOF)
                                continue;
                            idle.Restart();
                            count++;
                            output.WriteLine(json ? KafkaTool.JsonLine(ToJson(record)) : Format(record));
                        }
                    }
                    catch (ConsumeException e)
                    {
                        failure = e.Error.Reason;
                    }
                    output.Flush();
                    consumer.Close();
                }
                if (throwawayGroup is not null)
                    await ForgetGroup(admin, throwawayGroup, options.Timeout(result));

                result.InvocationConfiguration.Error.WriteLine($"Processed a total of {count} messages");
                if (failure is not null)
                    throw new ToolFailureException($"Consuming {name} failed: {failure}");
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    /// <summary>Removes the throwaway group so listing groups shows only real ones; a failure only leaves an empty group behind.</summary>
    private static async Task ForgetGroup(IAdminClient admin, string group, TimeSpan timeout)
    {
        try
        {
            await admin.DeleteGroupsAsync([group], new Confluent.Kafka.Admin.DeleteGroupsOptions { RequestTimeout = timeout });
        }
        catch (KafkaException)
        {
        }
    }

    private static string NewGroupId() => $"beltline-console-consumer-{Guid.NewGuid():N}"[..35];

    internal static Offset? ParseOffset(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "beginning" or "earliest" => Offset.Beginning,
        "end" or "latest" => Offset.End,
        var number when long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) => new Offset(value),
        _ => throw new UsageException($"--offset must be an offset (>= 0), 'beginning' or 'end', got '{text}'."),
    };

    /// <summary>The console consumer's line with every print.* property on: timestamp, partition, offset, headers, key, value.</summary>
    private static string Format(ConsumeResult<byte[]?, byte[]?> record)
    {
        var headers = record.Message.Headers is { Count: > 0 } h
            ? string.Join(",", h.Select(x => $"{x.Key}:{Text(x.GetValueBytes())}"))
            : "NO_HEADERS";
        var time = record.Message.Timestamp;
        var timeText = time.Type == TimestampType.NotAvailable ? "NO_TIMESTAMP" : $"{time.Type}:{KafkaTool.Timestamp(time.UtcDateTime)}";
        return $"{timeText}\tPartition:{record.Partition.Value}\tOffset:{record.Offset.Value}\t{headers}\t{Text(record.Message.Key) ?? "null"}\t{Text(record.Message.Value) ?? "null"}";
    }

    private static object ToJson(ConsumeResult<byte[]?, byte[]?> record) => new
    {
        topic = record.Topic,
        partition = record.Partition.Value,
        offset = record.Offset.Value,
        timestamp = record.Message.Timestamp.UnixTimestampMs,
        timestampType = record.Message.Timestamp.Type.ToString(),
        time = KafkaTool.Timestamp(record.Message.Timestamp.UtcDateTime),
        headers = (record.Message.Headers ?? []).Select(h => new { key = h.Key, value = Text(h.GetValueBytes()) }).ToList(),
        key = Text(record.Message.Key),
        value = Text(record.Message.Value),
    };

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
