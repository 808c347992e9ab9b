namespace Beltline.Security.Acls;

// Kafka's ACL model (KIP-140, KIP-290), with its wire values so protocol fields convert by a cast.

public enum ResourceType : sbyte { Any = 1, Topic = 2, Group = 3, Cluster = 4, TransactionalId = 5, DelegationToken = 6, User = 7 }

public enum PatternType : sbyte { Any = 1, Match = 2, Literal = 3, Prefixed = 4 }

public enum AclOperation : sbyte
{
    Any = 1, All = 2, Read = 3, Write = 4, Create = 5, Delete = 6, Alter = 7, Describe = 8, ClusterAction = 9,
    DescribeConfigs = 10, AlterConfigs = 11, IdempotentWrite = 12, CreateTokens = 13, DescribeTokens = 14,
}

public enum AclPermission : sbyte { Any = 1, Deny = 2, Allow = 3 }

/// <summary>One ACL: who (principal, from host) may or may not do an operation on the resources a pattern names.</summary>
public sealed record AclEntry(ResourceType ResourceType, string ResourceName, PatternType PatternType, string Principal, string Host, AclOperation Operation, AclPermission Permission)
{
    /// <summary>The only name a cluster resource has.</summary>
    public const string ClusterName = "kafka-cluster";

    /// <summary>Why Kafka would refuse to create this ACL, or null when it is valid.</summary>
    public string? Problem() =>
        ResourceType is ResourceType.Any || !Enum.IsDefined(ResourceType) ? "Invalid resource type"
        : PatternType is not (PatternType.Literal or PatternType.Prefixed) ? "Invalid resource pattern type: only LITERAL and PREFIXED ACLs can be created"
        : Operation is AclOperation.Any || !Enum.IsDefined(Operation) ? "Invalid operation"
        : Permission is not (AclPermission.Allow or AclPermission.Deny) ? "Invalid permission type"
        : string.IsNullOrEmpty(ResourceName) ? "Resource name must not be empty"
        : ResourceType == ResourceType.Cluster && ResourceName != ClusterName ? $"The only valid name for the CLUSTER resource is {ClusterName}"
        : !Principal.StartsWith("User:", StringComparison.Ordinal) || Principal.Length == 5 ? $"Could not parse principal from `{Principal}`: it must look like User:name"
        : string.IsNullOrEmpty(Host) ? "Host must not be empty (use * for any host)"
        : null;

    /// <summary>Whether this ACL's pattern covers the resource <paramref name="name"/> of its type.</summary>
    public bool Covers(ResourceType type, string name) =>
        ResourceType == type && PatternType switch
        {
            PatternType.Literal => ResourceName == name || ResourceName == "*",
            PatternType.Prefixed => name.StartsWith(ResourceName, StringComparison.Ordinal),
            _ => false,
        };
}

/// <summary>What DescribeAcls and DeleteAcls select (Kafka's AclBindingFilter): nulls and ANY match everything.</summary>
public sealed record AclFilter(ResourceType ResourceType, string? ResourceName, PatternType PatternType, string? Principal, string? Host, AclOperation Operation, AclPermission Permission)
{
    public static readonly AclFilter All = new(ResourceType.Any, null, PatternType.Any, null, null, AclOperation.Any, AclPermission.Any);

    public bool Matches(AclEntry acl) =>
        (ResourceType == ResourceType.Any || ResourceType == acl.ResourceType)
        && MatchesPattern(acl)
        && (Principal is null || Principal == acl.Principal)
        && (Host is null || Host == acl.Host)
        && (Operation == AclOperation.Any || Operation == acl.Operation)
        && (Permission == AclPermission.Any || Permission == acl.Permission);

    /// <summary>ANY: the name as written; MATCH: every ACL that would apply to a resource of that name; else that exact pattern.</summary>
    private bool MatchesPattern(AclEntry acl) => PatternType switch
    {
        PatternType.Any => ResourceName is null || ResourceName == acl.ResourceName,
        PatternType.Match => ResourceName is null || acl.Covers(acl.ResourceType, ResourceName),
        _ => PatternType == acl.PatternType && (ResourceName is null || ResourceName == acl.ResourceName),
    };
}

/// <summary>
/// The cluster's ACLs in one JSON file (written aside, fsynced, renamed), as Kafka keeps them in its metadata.
/// </summary>
public sealed class AclStore
{
    private readonly Lock _lock = new();
    private readonly string _path;
    private List<AclEntry> _acls;

    private AclStore(string path, List<AclEntry> acls)
    {
        _path = path;
        _acls = acls;
    }

    public static AclStore Open(string path) => new(path, DurableJsonFile.Read<List<AclEntry>>(path, "ACLs") ?? []);

    /// <summary>A snapshot: the list is never changed in place.</summary>
    public IReadOnlyList<AclEntry> All => _acls;

    public IReadOnlyList<AclEntry> Find(AclFilter filter) => [.. _acls.Where(filter.Matches)];

    /// <summary>Adds ACLs (an ACL already there is not repeated).</summary>
    public void Add(IEnumerable<AclEntry> acls)
    {
        lock (_lock)
            Save([.. _acls.Concat(acls).Distinct()]);
    }

    /// <summary>Removes what <paramref name="filter"/> matches; returns what was removed.</summary>
    public IReadOnlyList<AclEntry> Remove(AclFilter filter)
    {
        lock (_lock)
        {
            var removed = _acls.Where(filter.Matches).ToList();
            if (removed.Count > 0)
                Save([.. _acls.Where(a => !filter.Matches(a))]);
            return removed;
        }
    }

    private void Save(List<AclEntry> acls)
    {
        DurableJsonFile.Write(_path, acls, ownerOnly: false);
        _acls = acls;
    }
}

/// <summary>
/// Kafka's StandardAuthorizer decision: super users may do anything; otherwise a DENY for the operation (or ALL) on a
/// pattern covering the resource wins, then an ALLOW for it, for ALL or for an operation implying it (READ, WRITE,
/// DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS); with neither, the answer is no.
/// ACLs for <c>User:*</c> apply to every principal, host <c>*</c> to every host.
/// </summary>
public sealed class Authorizer(AclStore acls, IReadOnlySet<string> superUsers)
{
    public IReadOnlySet<string> SuperUsers { get; } = superUsers;

    public bool Authorize(string principal, string host, AclOperation operation, ResourceType type, string name)
    {
        if (SuperUsers.Contains(principal))
            return true;
        var allowed = false;
        foreach (var acl in acls.All)
        {
            if (!acl.Covers(type, name) || (acl.Principal != principal && acl.Principal != "User:*") || (acl.Host != "*" && acl.Host != host))
                continue;
            if (acl.Permission == AclPermission.Deny && (acl.Operation == operation || acl.Operation == AclOperation.All))
                return false;
            if (acl.Permission == AclPermission.Allow && (acl.Operation == operation || acl.Operation == AclOperation.All || Implies(acl.Operation, operation)))
                allowed = true;
        }
        return allowed;
    }

    /// <summary>
    /// Whether some ACL allows <paramref name="operation"/> on a resource of <paramref name="type"/> (Kafka's rule for
    /// an idempotent producer without IDEMPOTENT_WRITE on the cluster: WRITE on any topic will do).
    /// </summary>
    public bool AuthorizeAny(string principal, string host, AclOperation operation, ResourceType type) =>
        SuperUsers.Contains(principal)
        || acls.All.Any(acl => acl.ResourceType == type && acl.Permission == AclPermission.Allow
            && (acl.Operation == operation || acl.Operation == AclOperation.All)
            && (acl.Principal == principal || acl.Principal == "User:*") && (acl.Host == "*" || acl.Host == host));

    private static bool Implies(AclOperation granted, AclOperation wanted) => wanted switch
    {
        AclOperation.Describe => granted is AclOperation.Read or AclOperation.Write or AclOperation.Delete or AclOperation.Alter,
        AclOperation.DescribeConfigs => granted is AclOperation.AlterConfigs,
        _ => false,
    };
}
