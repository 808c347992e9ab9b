using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Spectre.Console;

namespace Beltline.Cli.Commands.Kafka;

/// <summary>
/// <c>beltline configs describe|alter</c>, mirroring Kafka's <c>kafka-configs.sh</c>
/// (<c>--entity-type topics|brokers --describe</c>, <c>--alter --add-config k=v[,k=v] --delete-config k</c>).
/// </summary>
internal static class ConfigsCommand
{
    public static Command Create()
    {
        var command = new Command("configs", "Describe and alter topic and broker configs (like kafka-configs.sh).") { Describe(), Alter() };
        KafkaTool.SetAction(command, (_, _) => throw new UsageException("Choose a subcommand: describe or alter."));
        return command;
    }

    /// <summary>The entity whose configs a command reads or changes: exactly one of --topic and --broker.</summary>
    private sealed class EntityOptions
    {
        public Option<string?> Topic { get; } = new("--topic") { Description = "The topic whose configs to use." };
        public Option<int?> Broker { get; } = new("--broker") { Description = "The broker (node id) whose configs to use." };

        public void AddTo(Command command)
        {
            command.Add(Topic);
            command.Add(Broker);
        }

        public ConfigResource Resource(ParseResult result) => (result.GetValue(Topic), result.GetValue(Broker)) switch
        {
            ({ } topic, null) => new ConfigResource { Type = ResourceType.Topic, Name = topic },
            (null, { } broker) when broker >= 0 => new ConfigResource { Type = ResourceType.Broker, Name = broker.ToString(CultureInfo.InvariantCulture) },
            (null, { } broker) => throw new UsageException($"--broker must be a node id (>= 0), got {broker}."),
            _ => throw new UsageException("Give exactly one of --topic NAME and --broker ID."),
        };

        /// <summary>Fails clearly on a topic or broker the cluster does not have (Kafka answers those with a generic error).</summary>
        public static void RequireExists(Metadata metadata, ConfigResource resource)
        {
            if (resource.Type == ResourceType.Topic)
                KafkaClients.RequireTopic(metadata, resource.Name);
            else if (metadata.Brokers.All(b => b.BrokerId.ToString(CultureInfo.InvariantCulture) != resource.Name))
                throw new ToolFailureException($"Broker {resource.Name} is not in the cluster (brokers: {string.Join(", ", metadata.Brokers.Select(b => b.BrokerId))}).");
        }
    }

    private static Command Describe()
    {
        var options = new KafkaToolOptions();
        var entity = new EntityOptions();
        var all = new Option<bool>("--all") { Description = "Show every config, defaults included (default: only those set on the entity)." };
        var command = new Command("describe", "Show a topic's or broker's configs.") { all };
        entity.AddTo(command);
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var resource = entity.Resource(result);
            var (admin, metadata) = options.Connect(result);
            using (admin)
            {
                EntityOptions.RequireExists(metadata, resource);
                List<DescribeConfigsResult> described;
                try
                {
                    described = await admin.DescribeConfigsAsync([resource], new DescribeConfigsOptions { RequestTimeout = options.Timeout(result) });
                }
                catch (DescribeConfigsException e)
                {
                    throw new ToolFailureException($"Configs of {Describe(resource)} could not be read: {e.Results[0].Error.Reason}");
                }
                var shown = described[0].Entries.Values
                    .Where(e => result.GetValue(all) || !e.IsDefault && e.Source is not ConfigSource.DefaultConfig and not ConfigSource.StaticBrokerConfig)
                    .OrderBy(e => e.Name, StringComparer.Ordinal)
                    .Select(e => new ConfigView(e.Name, e.IsSensitive ? null : e.Value, SourceName(e.Source), e.IsDefault, e.IsReadOnly, e.IsSensitive))
                    .ToList();
                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, new { resource = new { type = resource.Type == ResourceType.Topic ? "topic" : "broker", name = resource.Name }, configs = shown });
                else
                {
                    var console = CliConsole.For(result);
                    console.WriteLine($"{(result.GetValue(all) ? "All configs" : "Dynamic configs")} for {Describe(resource)}:");
                    var table = new Table().AddColumn("Name").AddColumn("Value").AddColumn("Source").AddColumn("Read-only");
                    foreach (var config in shown)
                        table.AddRow(Markup.Escape(config.Name), Markup.Escape(config.Value ?? (config.Sensitive ? "(sensitive)" : "(null)")), config.Source, config.ReadOnly ? "yes" : "no");
                    console.Write(table);
                }
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static Command Alter()
    {
        var options = new KafkaToolOptions();
        var entity = new EntityOptions();
        var addConfig = new Option<string[]>("--add-config")
        {
            Description = "Configs to set, name=value[,name=value] (repeatable); a list value goes in brackets: name=[a,b].",
            AllowMultipleArgumentsPerToken = false,
        };
        var deleteConfig = new Option<string[]>("--delete-config")
        {
            Description = "Configs to remove (back to their default), name[,name] (repeatable).",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("alter", "Set or remove a topic's or broker's configs (incrementally: others stay as they are).") { addConfig, deleteConfig };
        entity.AddTo(command);
        options.AddTo(command);
        KafkaTool.SetAction(command, async (result, _) =>
        {
            options.Validate(result);
            var resource = entity.Resource(result);
            var set = (result.GetValue(addConfig) ?? []).SelectMany(ConfigAssignments.Split).Select(a => ConfigAssignments.ParseOne(a, "--add-config")).ToList();
            var delete = (result.GetValue(deleteConfig) ?? []).SelectMany(d => d.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
            if (set.Count == 0 && delete.Count == 0)
                throw new UsageException("Give --add-config name=value and/or --delete-config name.");
            var twice = set.Select(s => s.Name).Concat(delete).GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null)
                throw new UsageException($"Config {twice.Key} is given more than once.");

            var (admin, metadata) = options.Connect(result);
            using (admin)
            {
                EntityOptions.RequireExists(metadata, resource);
                var entries = set.Select(s => new ConfigEntry { Name = s.Name, Value = s.Value, IncrementalOperation = AlterConfigOpType.Set })
                    .Concat(delete.Select(d => new ConfigEntry { Name = d, IncrementalOperation = AlterConfigOpType.Delete }))
                    .ToList();
                try
                {
                    await admin.IncrementalAlterConfigsAsync(
                        new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = entries },
                        new IncrementalAlterConfigsOptions { RequestTimeout = options.Timeout(result) });
                }
                catch (IncrementalAlterConfigsException e)
                {
                    throw new ToolFailureException($"Configs of {Describe(resource)} were not changed: {e.Results[0].Error.Reason}");
                }
                if (options.IsJson(result))
                    KafkaTool.WriteJson(result, new { resource = new { type = resource.Type == ResourceType.Topic ? "topic" : "broker", name = resource.Name }, set = set.ToDictionary(s => s.Name, s => s.Value), deleted = delete });
                else
                    CliConsole.For(result).WriteLine($"Completed updating config for {Describe(resource)}.");
                return ExitCodes.Ok;
            }
        });
        return command;
    }

    private static string Describe(ConfigResource resource) =>
        resource.Type == ResourceType.Topic ? $"topic {resource.Name}" : $"broker {resource.Name}";

    private static string SourceName(ConfigSource source) => source switch
    {
        ConfigSource.DynamicTopicConfig => "DYNAMIC_TOPIC_CONFIG",
        ConfigSource.DynamicBrokerConfig => "DYNAMIC_BROKER_CONFIG",
        ConfigSource.DynamicDefaultBrokerConfig => "DYNAMIC_DEFAULT_BROKER_CONFIG",
        ConfigSource.StaticBrokerConfig => "STATIC_BROKER_CONFIG",
        ConfigSource.DefaultConfig => "DEFAULT_CONFIG",
        ConfigSource.GroupConfig => "GROUP_CONFIG",
        _ => "UNKNOWN",
    };

    private sealed record ConfigView(string Name, string? Value, string Source, bool IsDefault, bool ReadOnly, bool Sensitive);
}

/// <summary>Config assignments as Kafka's tools write them: <c>name=value[,name=value]</c>, a list value in brackets (<c>name=[a,b]</c>).</summary>
internal static class ConfigAssignments
{
    /// <summary>Splits at commas outside brackets.</summary>
    public static IEnumerable<string> Split(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '[')
                depth++;
            else if (text[i] == ']' && depth > 0)
                depth--;
            else if (text[i] == ',' && depth == 0)
            {
                if (i > start)
                    yield return text[start..i];
                start = i + 1;
            }
        }
        if (start < text.Length)
            yield return text[start..];
    }

    /// <summary>One <c>name=value</c>; the brackets of a list value are dropped (Kafka's value is <c>a,b</c>).</summary>
    public static (string Name, string Value) ParseOne(string text, string option)
    {
        var separator = text.IndexOf('=');
        if (separator <= 0)
            throw new UsageException($"{option} '{text}' must look like name=value.");
        var name = text[..separator].Trim();
        var value = text[(separator + 1)..].Trim();
        if (value.Length >= 2 && value[0] == '[' && value[^1] == ']')
            value = value[1..^1];
        return (name, value);
    }
}
