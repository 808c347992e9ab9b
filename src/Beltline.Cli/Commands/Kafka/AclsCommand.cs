using System.CommandLine;
using Confluent.Kafka.Admin;

namespace Beltline.Cli.Commands.Kafka;

/// <summary>
/// <c>beltline acls add|list|remove</c>: Kafka ACLs through the admin API (as kafka-acls.sh), for a broker with its
/// authorizer on and a super user's client properties (--command-config).
/// </summary>
internal static class AclsCommand
{
    private sealed class AclOptions
    {
        public Option<string?> Principal { get; } = new("--principal") { Description = "Principal, e.g. User:alice (User:* for everyone)." };
        public Option<string?> Topic { get; } = new("--topic") { Description = "Topic (or topic prefix with --pattern prefixed; * for all)." };
        public Option<string?> Group { get; } = new("--group") { Description = "Consumer group (or prefix)." };
        public Option<bool> Cluster { get; } = new("--cluster") { Description = "The cluster resource (kafka-cluster)." };
        public Option<string> Pattern { get; } = new("--pattern") { Description = "literal or prefixed (list and remove also: any, match).", DefaultValueFactory = _ => "literal" };
        public Option<string[]> Operations { get; } = new("--operation")
        {
            Description = "Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        public Option<string> Permission { get; } = new("--permission") { Description = "allow or deny.", DefaultValueFactory = _ => "allow" };
        public Option<string?> Host { get; } = new("--host") { Description = "Client host the ACL applies to (default *)." };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Principal, Topic, Group, Cluster, Pattern, Operations, Permission, Host })
                command.Add(option);
        }

        public (ResourceType Type, string? Name) Resource(ParseResult result, bool required)
        {
            var given = new List<(ResourceType, string?)>();
            if (result.GetValue(Topic) is { } topic)
                given.Add((ResourceType.Topic, topic));
            if (result.GetValue(Group) is { } group)
                given.Add((ResourceType.Group, group));
            if (result.GetValue(Cluster))
                given.Add((ResourceType.Broker, "kafka-cluster"));   // the client's BROKER is the wire's CLUSTER (4)
            return given.Count switch
            {
                1 => given[0],
                0 when !required => (ResourceType.Any, null),
                _ => throw new UsageException("Name one resource: --topic, --group or --cluster."),
            };
        }

        public ResourcePatternType PatternType(ParseResult result) => result.GetValue(Pattern)!.ToLowerInvariant() switch
        {
            "literal" => ResourcePatternType.Literal,
            "prefixed" => ResourcePatternType.Prefixed,
            "any" => ResourcePatternType.Any,
            "match" => ResourcePatternType.Match,
            var other => throw new UsageException($"--pattern {other} is not literal, prefixed, any or match."),
        };

        public List<AclOperation> OperationList(ParseResult result) =>
            [.. (result.GetValue(Operations) ?? []).Select(text => Enum.TryParse<AclOperation>(text, ignoreCase: true, out var op) && op is not (AclOperation.Unknown or AclOperation.Any)
                ? op : throw new UsageException($"--operation {text} is not a Kafka ACL operation."))];

        public AclPermissionType PermissionType(ParseResult result) => result.GetValue(Permission)!.ToLowerInvariant() switch
        {
            "allow" => AclPermissionType.Allow,
            "deny" => AclPermissionType.Deny,
            var other => throw new UsageException($"--permission {other} is not allow or deny."),
        };
    }

    public static Command Create()
    {
        var kafka = new KafkaToolOptions();

        var addOptions = new AclOptions();
        var add = new Command("add", "Add ACLs: --principal, one resource, one or more --operation, --permission allow|deny.");
        addOptions.AddTo(add);
        kafka.AddTo(add);
        KafkaTool.SetAction(add, async (result, _) =>
        {
            var (type, name) = addOptions.Resource(result, required: true);
            var principal = result.GetValue(addOptions.Principal) ?? throw new UsageException("--principal is required, e.g. User:alice.");
            var operations = addOptions.OperationList(result);
            if (operations.Count == 0)
                throw new UsageException("Give at least one --operation.");
            var pattern = addOptions.PatternType(result);
            if (pattern is not (ResourcePatternType.Literal or ResourcePatternType.Prefixed))
                throw new UsageException("--pattern must be literal or prefixed when adding.");
            var bindings = operations.Select(op => new AclBinding
            {
                Pattern = new ResourcePattern { Type = type, Name = name, ResourcePatternType = pattern },
                Entry = new AccessControlEntry { Principal = principal, Host = result.GetValue(addOptions.Host) ?? "*", Operation = op, PermissionType = addOptions.PermissionType(result) },
            }).ToList();
            var (admin, _) = kafka.Connect(result);
            using (admin)
            {
                try
                {
                    await admin.CreateAclsAsync(bindings, new CreateAclsOptions { RequestTimeout = kafka.Timeout(result) });
                }
                catch (CreateAclsException e)
                {
                    throw new ToolFailureException(string.Join("; ", e.Results.Where(r => r.Error.IsError).Select(r => r.Error.Reason).Distinct()));
                }
            }
            foreach (var binding in bindings)
                result.InvocationConfiguration.Output.WriteLine($"Added {Describe(binding)}");
            return ExitCodes.Ok;
        });

        var listOptions = new AclOptions();
        var list = new Command("list", "List ACLs, all or those matching the given principal, resource, operation.");
        listOptions.AddTo(list);
        kafka.AddTo(list);
        KafkaTool.SetAction(list, async (result, _) =>
        {
            var (admin, _) = kafka.Connect(result);
            using (admin)
            {
                var filter = Filter(result, listOptions, defaultPattern: "any");
                List<AclBinding> found;
                try
                {
                    found = (await admin.DescribeAclsAsync(filter, new DescribeAclsOptions { RequestTimeout = kafka.Timeout(result) })).AclBindings;
                }
                catch (DescribeAclsException e)
                {
                    throw new ToolFailureException(e.Result.Error.Reason);
                }
                foreach (var binding in found)
                    result.InvocationConfiguration.Output.WriteLine(Describe(binding));
            }
            return ExitCodes.Ok;
        });

        var removeOptions = new AclOptions();
        var remove = new Command("remove", "Remove the ACLs matching the given principal, resource, operation and permission.");
        removeOptions.AddTo(remove);
        kafka.AddTo(remove);
        KafkaTool.SetAction(remove, async (result, _) =>
        {
            var filter = Filter(result, removeOptions, defaultPattern: "literal");
            if (filter.EntryFilter.Principal is null && filter.PatternFilter.Name is null)
                throw new UsageException("Name a --principal or a resource: removing every ACL at once is refused.");
            var (admin, _) = kafka.Connect(result);
            using (admin)
            {
                var removed = await admin.DeleteAclsAsync([filter], new DeleteAclsOptions { RequestTimeout = kafka.Timeout(result) });
                foreach (var binding in removed.SelectMany(r => r.AclBindings))
                    result.InvocationConfiguration.Output.WriteLine($"Removed {Describe(binding)}");
            }
            return ExitCodes.Ok;
        });

        return new Command("acls", "Kafka ACLs through the admin API (the broker's authorizer must be on): add, list, remove.") { add, list, remove };
    }

    private static AclBindingFilter Filter(ParseResult result, AclOptions options, string defaultPattern)
    {
        var (type, name) = options.Resource(result, required: false);
        var operations = options.OperationList(result);
        if (operations.Count > 1)
            throw new UsageException("Give at most one --operation to match.");
        var patternGiven = result.GetResult(options.Pattern) is { Implicit: false };
        var permissionGiven = result.GetResult(options.Permission) is { Implicit: false };
        return new AclBindingFilter
        {
            PatternFilter = new ResourcePatternFilter
            {
                Type = type,
                Name = name,
                ResourcePatternType = patternGiven ? options.PatternType(result) : defaultPattern == "any" || name is null ? ResourcePatternType.Any : ResourcePatternType.Literal,
            },
            EntryFilter = new AccessControlEntryFilter
            {
                Principal = result.GetValue(options.Principal),
                Host = result.GetValue(options.Host),
                Operation = operations.Count == 1 ? operations[0] : AclOperation.Any,
                PermissionType = permissionGiven ? options.PermissionType(result) : AclPermissionType.Any,
            },
        };
    }

    private static string Describe(AclBinding b) =>
        $"{b.Entry.PermissionType} {b.Entry.Principal} {b.Entry.Operation} on {b.Pattern.Type} {b.Pattern.ResourcePatternType} '{b.Pattern.Name}' from host {b.Entry.Host}";
}
