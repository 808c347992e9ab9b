using Beltline.Security.Acls;

namespace Beltline.Security.Tests;

/// <summary>Kafka's authorization rules over a store of ACLs: deny wins, implied operations, patterns, wildcards, super users.</summary>
public sealed class AuthorizerTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "beltline-acls-" + Guid.NewGuid().ToString("N") + ".json");

    public void Dispose() => File.Delete(_file);

    private static AclEntry Topic(string name, PatternType pattern, string principal, AclOperation operation, AclPermission permission = AclPermission.Allow, string host = "*") =>
        new(ResourceType.Topic, name, pattern, principal, host, operation, permission);

    private Authorizer With(params AclEntry[] acls)
    {
        var store = AclStore.Open(_file);
        store.Add(acls);
        return new Authorizer(store, new HashSet<string> { "User:admin" });
    }

    [Fact]
    public void Nothing_is_allowed_without_an_acl_except_to_super_users()
    {
        var authorizer = With();
        Assert.False(authorizer.Authorize("User:alice", "127.0.0.1", AclOperation.Read, ResourceType.Topic, "orders"));
        Assert.True(authorizer.Authorize("User:admin", "127.0.0.1", AclOperation.Alter, ResourceType.Cluster, AclEntry.ClusterName));
    }

    [Fact]
    public void Deny_wins_over_allow_like_the_workshops_testiamfail_topic()
    {
        var authorizer = With(
            Topic("*", PatternType.Literal, "User:alice", AclOperation.All),
            Topic("testiamfail", PatternType.Literal, "User:alice", AclOperation.Write, AclPermission.Deny),
            Topic("testiamfail", PatternType.Literal, "User:alice", AclOperation.Read, AclPermission.Deny));
        Assert.True(authorizer.Authorize("User:alice", "h", AclOperation.Write, ResourceType.Topic, "orders"));
        Assert.False(authorizer.Authorize("User:alice", "h", AclOperation.Write, ResourceType.Topic, "testiamfail"));
        Assert.False(authorizer.Authorize("User:alice", "h", AclOperation.Read, ResourceType.Topic, "testiamfail"));
        Assert.True(authorizer.Authorize("User:alice", "h", AclOperation.Describe, ResourceType.Topic, "testiamfail"));   // denying READ does not deny DESCRIBE
    }

    [Fact]
    public void Read_write_delete_and_alter_imply_describe_and_alter_configs_implies_describe_configs()
    {
        var authorizer = With(
            Topic("a", PatternType.Literal, "User:u", AclOperation.Write),
            Topic("b", PatternType.Literal, "User:u", AclOperation.AlterConfigs));
        Assert.True(authorizer.Authorize("User:u", "h", AclOperation.Describe, ResourceType.Topic, "a"));
        Assert.False(authorizer.Authorize("User:u", "h", AclOperation.Read, ResourceType.Topic, "a"));
        Assert.True(authorizer.Authorize("User:u", "h", AclOperation.DescribeConfigs, ResourceType.Topic, "b"));
        Assert.False(authorizer.Authorize("User:u", "h", AclOperation.Describe, ResourceType.Topic, "b"));
    }

    [Fact]
    public void Prefixed_patterns_wildcard_principals_and_hosts()
    {
        var authorizer = With(
            Topic("clickstream", PatternType.Prefixed, "User:*", AclOperation.Read),
            Topic("orders", PatternType.Literal, "User:bob", AclOperation.Read, host: "10.0.0.5"));
        Assert.True(authorizer.Authorize("User:anyone", "h", AclOperation.Read, ResourceType.Topic, "clickstream-sessions"));
        Assert.False(authorizer.Authorize("User:anyone", "h", AclOperation.Read, ResourceType.Topic, "click"));
        Assert.False(authorizer.Authorize("User:anyone", "h", AclOperation.Read, ResourceType.Group, "clickstream-g"));   // another resource type
        Assert.True(authorizer.Authorize("User:bob", "10.0.0.5", AclOperation.Read, ResourceType.Topic, "orders"));
        Assert.False(authorizer.Authorize("User:bob", "10.0.0.6", AclOperation.Read, ResourceType.Topic, "orders"));
    }

    [Fact]
    public void Filters_select_as_kafkas_do_and_removals_persist()
    {
        With(
            Topic("clickstream", PatternType.Prefixed, "User:a", AclOperation.Read),
            Topic("clickstream-x", PatternType.Literal, "User:a", AclOperation.Read),
            Topic("*", PatternType.Literal, "User:b", AclOperation.Write));
        var store = AclStore.Open(_file);
        Assert.Equal(3, store.Find(AclFilter.All).Count);
        Assert.Equal(3, store.Find(AclFilter.All with { PatternType = PatternType.Match, ResourceName = "clickstream-x", ResourceType = ResourceType.Topic }).Count);
        Assert.Single(store.Find(AclFilter.All with { PatternType = PatternType.Prefixed }));
        Assert.Single(store.Find(AclFilter.All with { ResourceName = "clickstream-x" }));

        Assert.Equal(2, store.Remove(AclFilter.All with { Principal = "User:a" }).Count);
        Assert.Equal("User:b", Assert.Single(AclStore.Open(_file).All).Principal);
    }

    [Theory]
    [InlineData(ResourceType.Any, "t", PatternType.Literal, "User:a", AclOperation.Read, "Invalid resource type")]
    [InlineData(ResourceType.Topic, "t", PatternType.Match, "User:a", AclOperation.Read, "Invalid resource pattern type")]
    [InlineData(ResourceType.Topic, "t", PatternType.Literal, "alice", AclOperation.Read, "Could not parse principal")]
    [InlineData(ResourceType.Cluster, "other", PatternType.Literal, "User:a", AclOperation.Alter, "The only valid name for the CLUSTER resource")]
    [InlineData(ResourceType.Topic, "t", PatternType.Literal, "User:a", AclOperation.Any, "Invalid operation")]
    public void Invalid_acls_are_named(ResourceType type, string name, PatternType pattern, string principal, AclOperation operation, string problem) =>
        Assert.StartsWith(problem, new AclEntry(type, name, pattern, principal, "*", operation, AclPermission.Allow).Problem());
}
