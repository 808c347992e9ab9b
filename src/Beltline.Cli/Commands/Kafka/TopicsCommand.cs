using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Spectre.Console;

namespace Beltline.Cli.Commands.Kafka;

/// <summary>
/// <c>beltline topics list|create|describe|delete|alter</c>, mirroring Kafka's <c>kafka-topics.sh</c>
/// (<c>--list</c>, <c>--create</c>, <c>--describe</c>, <c>--delete</c>, <c>--alter --partitions</c>).
/// </summary>
internal static class TopicsCommand
{
    public static Command Create()
    {
        var command = new Command("topics", "List, create, describe, delete and alter topics (like kafka-topics.sh).")
        {
            List(), CreateTopic(), Describe(), Delete(), Alter(),
        };
        KafkaTool.SetAction(command, (_, _) => throw new UsageException("Choose a subcommand: list, create, describe, delete or alter."));
        return command;
    }

    private static Command List()
    {
        var options = new KafkaToolOptions();
        var includeInternal = new Option<bool>("--include-internal") { Description = "Also list internal topics such as __consumer_offsets." };
        var command = new Command("list", "List the topics, one per row with its partition count.") { includeInternal };
        options.AddTo(command);
        KafkaTool.SetAction(command, (result, _) =>
        {
            options.Validate(result);
            var (admin, metadata) = options.Connect(result);
            using (admin)
            {
                var topics = metadata.Topics
                    .Where(t => !t.Error.IsError && (result.GetValue(includeInternal) || !IsInternal(t.Topic)))
                    .OrderBy(t => t.Topic, StringComparer.Ordinal)
                    .Select(t => new TopicListing(t.Topic, t.Partitions.Count, IsInternal(t.Topic)))
                    .ToList();
                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, topics);
                else
                {
                    var table = new Table().AddColumn("Topic").AddColumn(new TableColumn("Partitions").RightAligned());
                    foreach (var topic in topics)
                        table.AddRow(Markup.Escape(topic.Name), topic.Partitions.ToString());
                    CliConsole.For(result).Write(table);
                }
                return Task.FromResult(ExitCodes.Ok);
            }
        });
        return command;
    }

    private static Command CreateTopic()
    {
        var options = new KafkaToolOptions();
        var topic = new Argument<string>("topic") { Description = "Name of the topic to create." };
        var partitions = new Option<int>("--partitions") { Description = "Number of partitions (default: the broker's num.partitions).", DefaultValueFactory = _ => -1 };
        var replicationFactor = new Option<short>("--replication-factor") { Description = "Replicas per partition (default: the broker's default.replication.factor).", DefaultValueFactory = _ => -1 };
        var configs = new Option<string[]>("--config") { Description = "A topic config, name=value (repeatable), e.g. --config retention.ms=3600000.", AllowMultipleArgumentsPerToken = false };
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "Succeed without change when the topic already exists." };
        var command = new Command("create", "Create a topic.") { topic, partitions, replicationFactor, configs, ifNotExists };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var name = result.GetValue(topic)!;
            if (result.GetValue(partitions) is 0 or < -1)
                throw new UsageException($"--partitions must be at least 1, got {result.GetValue(partitions)}.");
            if (result.GetValue(replicationFactor) is 0 or < -1)
                throw new UsageException($"--replication-factor must be at least 1, got {result.GetValue(replicationFactor)}.");
            var topicConfigs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var config in result.GetValue(configs) ?? [])
            {
                var (configName, value) = ConfigAssignments.ParseOne(config, "--config");
                if (!topicConfigs.TryAdd(configName, value))
                    throw new UsageException($"--config {configName} is given more than once.");
            }

            var (admin, _) = options.Connect(result);
            using (admin)
            {
                var created = true;
                try
                {
                    await admin.CreateTopicsAsync(
                        [new TopicSpecification { Name = name, NumPartitions = result.GetValue(partitions), ReplicationFactor = result.GetValue(replicationFactor), Configs = topicConfigs }],
                        new CreateTopicsOptions { RequestTimeout = options.Timeout(result), OperationTimeout = options.Timeout(result) });
                }
                catch (CreateTopicsException e) when (e.Results is [{ Error.Code: ErrorCode.TopicAlreadyExists }])
                {
                    if (!result.GetValue(ifNotExists))
                        throw new ToolFailureException($"Topic '{name}' already exists.");
                    created = false;
                }
                catch (CreateTopicsException e)
                {
                    throw new ToolFailureException($"Topic '{name}' was not created: {e.Results[0].Error.Reason}");
                }
                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, new { topic = name, created });
                else
                    CliConsole.For(result).WriteLine(created ? $"Created topic {name}." : $"Topic {name} already exists.");
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command Describe()
    {
        var options = new KafkaToolOptions();
        var topics = new Argument<string[]>("topic") { Description = "Topics to describe (default: every topic but the internal ones).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("describe", "Show each topic's partitions (leader, replicas, in-sync replicas) and the configs set on it.") { topics };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var (admin, metadata) = options.Connect(result);
            using (admin)
            {
                var names = result.GetValue(topics) is { Length: > 0 } given
                    ? given.Distinct(StringComparer.Ordinal).ToList()
                    : metadata.Topics.Where(t => !t.Error.IsError && !IsInternal(t.Topic)).Select(t => t.Topic).Order(StringComparer.Ordinal).ToList();
                var described = names.Select(n => KafkaClients.RequireTopic(metadata, n)).ToList();
                var configs = described.Count == 0
                    ? []
                    : await admin.DescribeConfigsAsync(
                        described.Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t.Topic }),
                        new DescribeConfigsOptions { RequestTimeout = options.Timeout(result) });
                var descriptions = described.Select(t => new TopicDescriptionView(
                    t.Topic,
                    t.Partitions.Count,
                    t.Partitions.Count == 0 ? 0 : t.Partitions.Max(p => p.Replicas.Length),
                    configs.First(c => c.ConfigResource.Name == t.Topic).Entries.Values
                        .Where(e => e.Source == ConfigSource.DynamicTopicConfig)
                        .OrderBy(e => e.Name, StringComparer.Ordinal)
                        .ToDictionary(e => e.Name, e => e.IsSensitive ? null : e.Value),
                    t.Partitions.OrderBy(p => p.PartitionId)
                        .Select(p => new PartitionView(p.PartitionId, p.Leader, p.Replicas, p.InSyncReplicas)).ToList())).ToList();

                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, descriptions);
                else
                {
                    var console = CliConsole.For(result);
                    foreach (var topic in descriptions)
                    {
                        var configText = topic.Configs.Count == 0 ? "-" : string.Join(",", topic.Configs.Select(c => $"{c.Key}={c.Value ?? "(sensitive)"}"));
                        console.WriteLine($"Topic: {topic.Name}\tPartitionCount: {topic.PartitionCount}\tReplicationFactor: {topic.ReplicationFactor}\tConfigs: {configText}");
                        var table = new Table().AddColumn("Partition").AddColumn("Leader").AddColumn("Replicas").AddColumn("Isr");
                        foreach (var p in topic.Partitions)
                            table.AddRow(p.Partition.ToString(), p.Leader.ToString(), string.Join(",", p.Replicas), string.Join(",", p.Isr));
                        console.Write(table);
                    }
                }
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command Delete()
    {
        var options = new KafkaToolOptions();
        var topics = new Argument<string[]>("topic") { Description = "Topics to delete.", Arity = ArgumentArity.OneOrMore };
        var ifExists = new Option<bool>("--if-exists") { Description = "Succeed without change for topics that do not exist." };
        var command = new Command("delete", "Delete topics and their data.") { topics, ifExists };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var (admin, metadata) = options.Connect(result);
            using (admin)
            {
                var names = result.GetValue(topics)!.Distinct(StringComparer.Ordinal).ToList();
                var existing = names.Where(n => metadata.Topics.Any(t => t.Topic == n && !t.Error.IsError)).ToList();
                var missing = names.Except(existing).ToList();
                if (missing.Count > 0 && !result.GetValue(ifExists))
                    throw new ToolFailureException(missing.Count == 1 ? $"Topic '{missing[0]}' does not exist." : $"Topics {string.Join(", ", missing.Select(m => $"'{m}'"))} do not exist.");
                if (existing.Count > 0)
                {
                    try
                    {
                        await admin.DeleteTopicsAsync(existing, new DeleteTopicsOptions { RequestTimeout = options.Timeout(result), OperationTimeout = options.Timeout(result) });
                    }
                    catch (DeleteTopicsException e)
                    {
                        throw new ToolFailureException(string.Join(" ", e.Results.Where(r => r.Error.IsError).Select(r => $"Topic '{r.Topic}' was not deleted: {r.Error.Reason}.")));
                    }
                }
                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, new { deleted = existing, notFound = missing });
                else
                {
                    var console = CliConsole.For(result);
                    foreach (var name in existing)
                        console.WriteLine($"Deleted topic {name}.");
                    foreach (var name in missing)
                        console.WriteLine($"Topic {name} does not exist.");
                }
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command Alter()
    {
        var options = new KafkaToolOptions();
        var topic = new Argument<string>("topic") { Description = "Topic to alter." };
        var partitions = new Option<int>("--partitions") { Description = "New (larger) number of partitions; existing keys may map to other partitions afterwards.", Required = true };
        var command = new Command("alter", "Increase a topic's partitions (configs: beltline configs alter).") { topic, partitions };
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var name = result.GetValue(topic)!;
            var count = result.GetValue(partitions);
            if (count < 1)
                throw new UsageException($"--partitions must be at least 1, got {count}.");
            var (admin, metadata) = options.Connect(result);
            using (admin)
            {
                var current = KafkaClients.RequireTopic(metadata, name).Partitions.Count;
                if (count <= current)
                    throw new ToolFailureException($"Topic '{name}' has {current} partitions; --partitions must be larger (partitions can only be added).");
                try
                {
                    await admin.CreatePartitionsAsync(
                        [new PartitionsSpecification { Topic = name, IncreaseTo = count }],
                        new CreatePartitionsOptions { RequestTimeout = options.Timeout(result), OperationTimeout = options.Timeout(result) });
                }
                catch (CreatePartitionsException e)
                {
                    throw new ToolFailureException($"Partitions of topic '{name}' were not added: {e.Results[0].Error.Reason}");
                }
                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, new { topic = name, previousPartitions = current, partitions = count });
                else
                    CliConsole.For(result).WriteLine($"Topic {name} now has {count} partitions (was {current}).");
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    /// <summary>Kafka's internal topics start with two underscores (__consumer_offsets, __transaction_state).</summary>
    internal static bool IsInternal(string topic) => topic.StartsWith("__", StringComparison.Ordinal);

    private sealed record TopicListing(string Name, int Partitions, bool Internal);

    private sealed record PartitionView(int Partition, int Leader, int[] Replicas, int[] Isr);

    private sealed record TopicDescriptionView(string Name, int PartitionCount, int ReplicationFactor, Dictionary<string, string?> Configs, List<PartitionView> Partitions);
}
