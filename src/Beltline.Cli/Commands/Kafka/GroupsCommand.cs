using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Spectre.Console;

namespace Beltline.Cli.Commands.Kafka;

/// <summary>
/// <c>beltline groups list|describe|reset-offsets|delete</c>, mirroring Kafka's <c>kafka-consumer-groups.sh</c>
/// (<c>--list</c>, <c>--describe</c> with per-partition lag, <c>--reset-offsets</c> as a plan applied only with
/// <c>--execute</c>, <c>--delete</c>).
/// </summary>
internal static class GroupsCommand
{
    public static Command Create()
    {
        var command = new Command("groups", "List, describe (with lag), reset the offsets of and delete consumer groups (like kafka-consumer-groups.sh).")
        {
            List(), Describe(), ResetOffsets(), Delete(),
        };
        KafkaTool.SetAction(command, (_, _) => throw new UsageException("Choose a subcommand: list, describe, reset-offsets or delete."));
        return command;
    }

    private static Command List()
    {
        var options = new KafkaToolOptions();
        var command = new Command("list", "List the consumer groups with their state.");
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var (admin, _) = options.Connect(result);
            using (admin)
            {
                var listed = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = options.Timeout(result) });
                var groups = listed.Valid.OrderBy(g => g.GroupId, StringComparer.Ordinal)
                    .Select(g => new GroupListing(g.GroupId, StateName(g.State), g.IsSimpleConsumerGroup)).ToList();
                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, groups);
                else
                {
                    var table = new Table().AddColumn("Group").AddColumn("State");
                    foreach (var group in groups)
                        table.AddRow(Markup.Escape(group.Group), group.State);
                    CliConsole.For(result).Write(table);
                }
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command Describe()
    {
        var options = new KafkaToolOptions();
        var groups = new Argument<string[]>("group") { Description = "Groups to describe.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("describe", "Show a group's state, members and, per partition, the committed offset, log-end offset and lag.") { groups };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var (admin, _) = options.Connect(result);
            using (admin)
            {
                var views = new List<GroupView>();
                foreach (var groupId in result.GetValue(groups)!.Distinct(StringComparer.Ordinal))
                    views.Add(await DescribeGroup(admin, groupId, options.Timeout(result)));
                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, views);
                else
                {
                    var console = CliConsole.For(result);
                    foreach (var group in views)
                    {
                        console.WriteLine($"Group: {group.Group}\tState: {group.State}\tMembers: {group.Members.Count}\tAssignor: {(group.Assignor is { Length: > 0 } a ? a : "-")}");
                        if (group.Members.Count == 0)
                            console.WriteLine($"Consumer group '{group.Group}' has no active members.");
                        var table = new Table();
                        foreach (var column in new[] { "Topic", "Partition", "Current offset", "Log end offset", "Lag", "Consumer id", "Host", "Client id" })
                            table.AddColumn(column);
                        foreach (var p in group.Partitions)
                            table.AddRow(Markup.Escape(p.Topic), p.Partition.ToString(CultureInfo.InvariantCulture), Number(p.CurrentOffset), Number(p.LogEndOffset), Number(p.Lag),
                                Markup.Escape(p.ConsumerId ?? "-"), Markup.Escape(p.Host ?? "-"), Markup.Escape(p.ClientId ?? "-"));
                        console.Write(table);
                    }
                }
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command ResetOffsets()
    {
        var options = new KafkaToolOptions();
        var group = new Argument<string>("group") { Description = "Group whose committed offsets to reset (it must have no active members)." };
        var topics = new Option<string[]>("--topic") { Description = "Topic to reset, all its partitions or topic:0,2 for some (repeatable).", AllowMultipleArgumentsPerToken = false };
        var allTopics = new Option<bool>("--all-topics") { Description = "Reset every topic the group has committed offsets for." };
        var toEarliest = new Option<bool>("--to-earliest") { Description = "Reset to the earliest offset." };
        var toLatest = new Option<bool>("--to-latest") { Description = "Reset to the log-end offset." };
        var toOffset = new Option<long?>("--to-offset") { Description = "Reset to this offset (kept within earliest..latest)." };
        var shiftBy = new Option<long?>("--shift-by") { Description = "Move the committed offset by N (negative: back), kept within earliest..latest." };
        var toDatetime = new Option<string?>("--to-datetime") { Description = "Reset to the first record at or after this time, ISO 8601 (e.g. 2026-01-31T12:00:00Z; no zone = UTC)." };
        var execute = new Option<bool>("--execute") { Description = "Apply the plan (without it, only show it, as Kafka's --dry-run)." };
        var command = new Command("reset-offsets", "Plan, and with --execute apply, new committed offsets for an inactive group.")
        {
            group, topics, allTopics, toEarliest, toLatest, toOffset, shiftBy, toDatetime, execute,
        };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var groupId = result.GetValue(group)!;
            var scenarios = new (bool Given, string Name)[]
            {
                (result.GetValue(toEarliest), "--to-earliest"), (result.GetValue(toLatest), "--to-latest"), (result.GetValue(toOffset) is not null, "--to-offset"),
                (result.GetValue(shiftBy) is not null, "--shift-by"), (result.GetValue(toDatetime) is not null, "--to-datetime"),
            }.Where(s => s.Given).ToList();
            if (scenarios.Count != 1)
                throw new UsageException("Give exactly one of --to-earliest, --to-latest, --to-offset N, --shift-by N and --to-datetime TIME" + (scenarios.Count > 1 ? $" (got {string.Join(", ", scenarios.Select(s => s.Name))})." : "."));
            var topicSelections = (result.GetValue(topics) ?? []).Select(ParseTopicSelection).ToList();
            if (topicSelections.Count == 0 == !result.GetValue(allTopics))
                throw new UsageException("Give --topic TOPIC (repeatable) or --all-topics.");
            if (result.GetValue(toOffset) is < 0)
                throw new UsageException($"--to-offset must be >= 0, got {result.GetValue(toOffset)}.");
            var datetime = result.GetValue(toDatetime) is { } text ? ParseDatetime(text) : (DateTimeOffset?)null;

            var timeout = options.Timeout(result);
            var (admin, metadata) = options.Connect(result);
            using (admin)
            {
                var description = await DescribeOne(admin, groupId, timeout);
                if (description.State is not (ConsumerGroupState.Empty or ConsumerGroupState.Dead))
                    throw new ToolFailureException($"Assignments can only be reset if the group '{groupId}' is inactive, but the current state is {StateName(description.State)} ({description.Members.Count} members).");
                var committed = await CommittedOffsets(admin, groupId, timeout);

                List<TopicPartition> partitions;
                if (result.GetValue(allTopics))
                    partitions = committed.Keys.OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition.Value).ToList();
                else
                {
                    partitions = [];
                    foreach (var (topic, chosen) in topicSelections)
                    {
                        var count = KafkaClients.RequireTopic(metadata, topic).Partitions.Count;
                        foreach (var p in chosen ?? Enumerable.Range(0, count))
                        {
                            if (p >= count)
                                throw new ToolFailureException($"Topic '{topic}' has no partition {p} (it has {count}: 0-{count - 1}).");
                            partitions.Add(new TopicPartition(topic, p));
                        }
                    }
                }
                if (partitions.Count == 0)
                    throw new ToolFailureException($"Group '{groupId}' has no committed offsets to reset (use --topic).");

                var earliest = await Offsets(admin, partitions, OffsetSpec.Earliest(), timeout);
                var latest = await Offsets(admin, partitions, OffsetSpec.Latest(), timeout);
                var byTime = datetime is { } at ? await Offsets(admin, partitions, OffsetSpec.ForTimestamp(at.ToUnixTimeMilliseconds()), timeout) : null;
                long Clamp(TopicPartition tp, long offset) => Math.Clamp(offset, earliest[tp], latest[tp]);
                var plan = partitions.Select(tp =>
                {
                    long target;
                    if (result.GetValue(toEarliest))
                        target = earliest[tp];
                    else if (result.GetValue(toLatest))
                        target = latest[tp];
                    else if (result.GetValue(toOffset) is { } offset)
                        target = Clamp(tp, offset);
                    else if (result.GetValue(shiftBy) is { } shift)
                        target = committed.TryGetValue(tp, out var current)
                            ? Clamp(tp, current + shift)
                            : throw new ToolFailureException($"Group '{groupId}' has no committed offset for {tp.Topic}:{tp.Partition.Value} to shift.");
                    else
                        target = byTime![tp] is >= 0 and var found ? found : latest[tp]; // no record that late: the end, as Kafka does
                    return new ResetRow(groupId, tp.Topic, tp.Partition.Value, committed.TryGetValue(tp, out var before) ? before : null, target);
                }).ToList();

                var executed = result.GetValue(execute);
                if (executed)
                {
                    try
                    {
                        await admin.AlterConsumerGroupOffsetsAsync(
                            [new ConsumerGroupTopicPartitionOffsets(groupId, plan.Select(r => new TopicPartitionOffset(r.Topic, r.Partition, r.NewOffset)).ToList())],
                            new AlterConsumerGroupOffsetsOptions { RequestTimeout = timeout });
                    }
                    catch (AlterConsumerGroupOffsetsException e)
                    {
                        var reasons = e.Results.SelectMany(r => r.Partitions.Where(p => p.Error.IsError).Select(p => $"{p.Topic}:{p.Partition.Value}: {p.Error.Reason}"))
                            .Concat(e.Results.Where(r => r.Error.IsError).Select(r => r.Error.Reason));
                        throw new ToolFailureException($"Offsets of group '{groupId}' were not reset: {string.Join("; ", reasons)}");
                    }
                }

                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, new { group = groupId, executed, partitions = plan });
                else
                {
                    var console = CliConsole.For(result);
                    var table = new Table().AddColumn("Group").AddColumn("Topic").AddColumn("Partition").AddColumn("Current offset").AddColumn("New offset");
                    foreach (var row in plan)
                        table.AddRow(Markup.Escape(row.Group), Markup.Escape(row.Topic), row.Partition.ToString(CultureInfo.InvariantCulture), Number(row.CurrentOffset), Number(row.NewOffset));
                    console.Write(table);
                    console.WriteLine(executed
                        ? $"Reset the committed offsets of group {groupId}."
                        : "Dry run: nothing changed. Add --execute to apply these offsets.");
                }
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command Delete()
    {
        var options = new KafkaToolOptions();
        var groups = new Argument<string[]>("group") { Description = "Groups to delete (they must have no active members).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete consumer groups and their committed offsets.") { groups };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var names = result.GetValue(groups)!.Distinct(StringComparer.Ordinal).ToList();
            var (admin, _) = options.Connect(result);
            using (admin)
            {
                var failures = new Dictionary<string, string>(StringComparer.Ordinal);
                try
                {
                    var timeout = options.Timeout(result);
                    await admin.DeleteGroupsAsync(names, new DeleteGroupsOptions { RequestTimeout = timeout });
                }
                catch (DeleteGroupsException e)
                {
                    foreach (var report in e.Results.Where(r => r.Error.IsError))
                        failures[report.Group] = report.Error.Code switch
                        {
                            ErrorCode.GroupIdNotFound => $"Consumer group '{report.Group}' does not exist.",
                            ErrorCode.NonEmptyGroup => $"Consumer group '{report.Group}' is not empty: it has active members.",
                            _ => $"Consumer group '{report.Group}' was not deleted: {report.Error.Reason}.",
                        };
                }
                var deleted = names.Where(n => !failures.ContainsKey(n)).ToList();
                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, new { deleted, failed = failures });
                else
                {
                    var console = CliConsole.For(result);
                    foreach (var name in deleted)
                        console.WriteLine($"Deleted consumer group {name}.");
                }
                foreach (var failure in failures.Values)
                    KafkaTool.WriteError(result, failure);
                return failures.Count == 0 ? ExitCodes.Ok : ExitCodes.Failure;
            }
        });
        return command;
    }

    private static async Task<ConsumerGroupDescription> DescribeOne(IAdminClient admin, string groupId, TimeSpan timeout)
    {
        ConsumerGroupDescription description;
        try
        {
            var described = await admin.DescribeConsumerGroupsAsync([groupId], new DescribeConsumerGroupsOptions { RequestTimeout = timeout });
            description = described.ConsumerGroupDescriptions[0];
        }
        catch (DescribeConsumerGroupsException e) when (e.Results.ConsumerGroupDescriptions is [{ Error.Code: ErrorCode.GroupIdNotFound }])
        {
            throw new ToolFailureException($"Consumer group '{groupId}' does not exist.");
        }
        catch (DescribeConsumerGroupsException e)
        {
            throw new ToolFailureException($"Consumer group '{groupId}' could not be described: {e.Results.ConsumerGroupDescriptions[0].Error.Reason}");
        }
        return description;
    }

    private static async Task<GroupView> DescribeGroup(IAdminClient admin, string groupId, TimeSpan timeout)
    {
        var description = await DescribeOne(admin, groupId, timeout);
        var committed = await CommittedOffsets(admin, groupId, timeout);
        // Kafka answers an unknown group as Dead with no members; with no offsets either, there is no such group.
        if (description.State == ConsumerGroupState.Dead && committed.Count == 0)
            throw new ToolFailureException($"Consumer group '{groupId}' does not exist.");

        var owners = new Dictionary<TopicPartition, MemberDescription>();
        foreach (var member in description.Members)
            foreach (var tp in member.Assignment?.TopicPartitions ?? [])
                owners[tp] = member;
        var partitions = committed.Keys.Union(owners.Keys).OrderBy(tp => tp.Topic, StringComparer.Ordinal).ThenBy(tp => tp.Partition.Value).ToList();
        var logEnd = partitions.Count == 0 ? [] : await Offsets(admin, partitions, OffsetSpec.Latest(), timeout, tolerateErrors: true);
        var rows = partitions.Select(tp =>
        {
            long? current = committed.TryGetValue(tp, out var c) ? c : null;
            long? end = logEnd.TryGetValue(tp, out var e) ? e : null;
            owners.TryGetValue(tp, out var owner);
            return new PartitionLag(tp.Topic, tp.Partition.Value, current, end, current is { } cur && end is { } le ? Math.Max(0, le - cur) : null,
                owner?.ConsumerId, owner?.Host, owner?.ClientId);
        }).ToList();
        return new GroupView(groupId, StateName(description.State), description.PartitionAssignor,
            description.Members.Select(m => new MemberView(m.ConsumerId, m.ClientId, m.Host, m.GroupInstanceId,
                (m.Assignment?.TopicPartitions ?? []).Select(tp => $"{tp.Topic}:{tp.Partition.Value}").ToList())).ToList(),
            rows, rows.Sum(r => r.Lag ?? 0));
    }

    /// <summary>The group's committed offsets (partitions without one left out).</summary>
    private static async Task<Dictionary<TopicPartition, long>> CommittedOffsets(IAdminClient admin, string groupId, TimeSpan timeout)
    {
        List<ListConsumerGroupOffsetsResult> listed;
        try
        {
            listed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(groupId, null)], new ListConsumerGroupOffsetsOptions { RequestTimeout = timeout });
        }
        catch (ListConsumerGroupOffsetsException e)
        {
            throw new ToolFailureException($"Committed offsets of group '{groupId}' could not be read: {e.Results[0].Error.Reason}");
        }
        return listed[0].Partitions.Where(p => !p.Error.IsError && p.Offset.Value >= 0)
            .ToDictionary(p => p.TopicPartition, p => p.Offset.Value);
    }

    private static async Task<Dictionary<TopicPartition, long>> Offsets(IAdminClient admin, List<TopicPartition> partitions, OffsetSpec spec, TimeSpan timeout, bool tolerateErrors = false)
    {
        ListOffsetsResult listed;
        try
        {
            listed = await admin.ListOffsetsAsync(partitions.Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec }),
                new ListOffsetsOptions { RequestTimeout = timeout });
        }
        catch (ListOffsetsException e) when (tolerateErrors)
        {
            // A partition of a deleted topic has no log end; the others still do.
            return e.Result.ResultInfos.Where(r => !r.TopicPartitionOffsetError.Error.IsError)
                .ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
        }
        catch (ListOffsetsException e)
        {
            var failed = e.Result.ResultInfos.First(r => r.TopicPartitionOffsetError.Error.IsError).TopicPartitionOffsetError;
            throw new ToolFailureException($"Offsets of {failed.Topic}:{failed.Partition.Value} could not be read: {failed.Error.Reason}");
        }
        return listed.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
    }

    /// <summary><c>topic</c> (every partition) or <c>topic:0,2</c>, as kafka-consumer-groups.sh takes them.</summary>
    internal static (string Topic, List<int>? Partitions) ParseTopicSelection(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon < 0)
            return (text, null);
        var partitions = new List<int>();
        foreach (var part in text[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                throw new UsageException($"--topic '{text}' must look like topic or topic:0,1,2.");
            partitions.Add(p);
        }
        if (colon == 0)
            throw new UsageException($"--topic '{text}' has no topic name.");
        return (text[..colon], partitions.Distinct().Order().ToList());
    }

    internal static DateTimeOffset ParseDatetime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw new UsageException($"--to-datetime '{text}' is not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z).");

    private static string StateName(ConsumerGroupState state) => state switch
    {
        ConsumerGroupState.PreparingRebalance => "PreparingRebalance",
        ConsumerGroupState.CompletingRebalance => "CompletingRebalance",
        _ => state.ToString(),
    };

    private static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private sealed record GroupListing(string Group, string State, bool Simple);

    private sealed record MemberView(string ConsumerId, string ClientId, string Host, string? GroupInstanceId, List<string> Assignment);

    private sealed record PartitionLag(string Topic, int Partition, long? CurrentOffset, long? LogEndOffset, long? Lag, string? ConsumerId, string? Host, string? ClientId);

    private sealed record GroupView(string Group, string State, string? Assignor, List<MemberView> Members, List<PartitionLag> Partitions, long TotalLag);

    private sealed record ResetRow(string Group, string Topic, int Partition, long? CurrentOffset, long NewOffset);
}
