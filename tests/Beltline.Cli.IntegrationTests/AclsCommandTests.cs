using Beltline.Broker;
using Beltline.Broker.Network;

namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline acls` against a broker with its authorizer on, managed by a super user (here the PLAINTEXT principal).</summary>
public sealed class AclsCommandTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "beltline-acls-cli-" + Guid.NewGuid().ToString("N"));
    private BeltlineBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await BeltlineBroker.StartAsync(new BrokerOptions
    {
        Listeners = [new ListenerOptions("PLAINTEXT", 0, SecurityProtocol.Plaintext)],
        DataDir = _dir,
        AuthorizerEnabled = true,
        SuperUsers = new HashSet<string> { "User:ANONYMOUS" },
    });

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<CliRun> Run(params string[] args) => Cli.RunAsync([.. args, "--bootstrap", _broker.BootstrapServers]);

    [Fact]
    public async Task Add_list_and_remove()
    {
        var added = await Run("acls", "add", "--principal", "User:alice", "--topic", "clickstream", "--pattern", "prefixed", "--operation", "Read", "Describe");
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal(0, (await Run("acls", "add", "--principal", "User:alice", "--topic", "testiamfail", "--operation", "Write", "--permission", "deny")).ExitCode);
        Assert.Equal(3, _broker.Acls.All.Count);

        var listed = await Run("acls", "list", "--principal", "User:alice");
        Assert.Contains("Allow User:alice Read on Topic Prefixed 'clickstream' from host *", listed.Output);
        Assert.Contains("Deny User:alice Write on Topic Literal 'testiamfail' from host *", listed.Output);

        var removed = await Run("acls", "remove", "--principal", "User:alice", "--topic", "clickstream", "--pattern", "prefixed");
        Assert.Equal(2, removed.Output.Split('\n').Count(l => l.StartsWith("Removed", StringComparison.Ordinal)));
        Assert.Equal("testiamfail", Assert.Single(_broker.Acls.All).ResourceName);
    }

    [Fact]
    public async Task Bad_arguments_are_usage_errors()
    {
        Assert.Equal(2, (await Run("acls", "add", "--topic", "t", "--operation", "Read")).ExitCode);                       // no principal
        Assert.Equal(2, (await Run("acls", "add", "--principal", "User:a", "--operation", "Read")).ExitCode);              // no resource
        Assert.Equal(2, (await Run("acls", "add", "--principal", "User:a", "--topic", "t", "--operation", "Fly")).ExitCode);
        Assert.Equal(2, (await Run("acls", "remove")).ExitCode);                                                              // everything at once
    }
}
