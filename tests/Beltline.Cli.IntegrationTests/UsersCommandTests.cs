namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline users` online: SCRAM users created, listed and deleted through the admin API (KIP-554).</summary>
public sealed class UsersCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Create_list_and_delete_through_the_admin_api()
    {
        var user = Cli.Unique("carol");
        var created = await Cli.RunAsync(broker, "users", "create", user, "--password", "carol-secret", "--iterations", "8192");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(4096 * 2, broker.Broker.Credentials.Find(user, Beltline.Security.Sasl.ScramMechanism.Sha512)!.Iterations);
        Assert.True(broker.Broker.Credentials.Find(user, Beltline.Security.Sasl.ScramMechanism.Sha256)!.Matches(Beltline.Security.Sasl.ScramMechanism.Sha256, "carol-secret"));

        var listed = await Cli.RunAsync(broker, "users", "list");
        Assert.True(listed.Output.Contains($"{user}\tSCRAM-SHA-256 (8192 iterations), SCRAM-SHA-512 (8192 iterations)"), listed.ToString());

        Assert.Equal(0, (await Cli.RunAsync(broker, "users", "delete", user)).ExitCode);
        Assert.Null(broker.Broker.Credentials.Find(user, Beltline.Security.Sasl.ScramMechanism.Sha512));
        var again = await Cli.RunAsync(broker, "users", "delete", user);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"No user {user}.", again.Error);
    }
}
