using System.CommandLine;

namespace Beltline.Cli.Tests;

/// <summary><c>beltline users</c> on a data dir: users created, listed and deleted; a running broker's dir refused.</summary>
public sealed class UsersCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "beltline-users-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static (int ExitCode, string Output, string Error) Invoke(params string[] args)
    {
        var error = new StringWriter();
        var output = new StringWriter();
        var exit = Program.CreateRoot().Parse(args).Invoke(new InvocationConfiguration { Error = error, Output = output });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Create_list_and_delete_users_in_a_data_dir()
    {
        Assert.Equal(0, Invoke("users", "create", "alice", "--password", "alice-secret", "--data-dir", _dir).ExitCode);
        Assert.Equal(0, Invoke("users", "create", "nancy", "--password", "nancy-secret", "--mechanism", "SCRAM-SHA-256", "--iterations", "8192", "--data-dir", _dir).ExitCode);
        var list = Invoke("users", "list", "--data-dir", _dir);
        Assert.Contains("alice\tSCRAM-SHA-256 (4096 iterations), SCRAM-SHA-512 (4096 iterations)", list.Output);
        Assert.Contains("nancy\tSCRAM-SHA-256 (8192 iterations)", list.Output);
        Assert.DoesNotContain("alice-secret", File.ReadAllText(Path.Combine(_dir, "security", "scram-credentials.json")));

        Assert.Equal(0, Invoke("users", "delete", "nancy", "--data-dir", _dir).ExitCode);
        Assert.DoesNotContain("nancy", Invoke("users", "list", "--data-dir", _dir).Output);
        Assert.Equal(1, Invoke("users", "delete", "nancy", "--data-dir", _dir).ExitCode);
    }

    [Fact]
    public void Bad_arguments_and_a_running_broker_are_refused()
    {
        Assert.Equal(2, Invoke("users", "create", "alice", "--data-dir", _dir).ExitCode);                                  // no password
        Assert.Equal(2, Invoke("users", "create", "alice", "--password", "p", "--iterations", "100", "--data-dir", _dir).ExitCode);
        Assert.Equal(2, Invoke("users", "create", "alice", "--password", "p", "--mechanism", "MD5", "--data-dir", _dir).ExitCode);

        Directory.CreateDirectory(_dir);
        using var brokerLock = new FileStream(Path.Combine(_dir, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var running = Invoke("users", "list", "--data-dir", _dir);
        Assert.Equal(1, running.ExitCode);
        Assert.Contains("A broker is running", running.Error);
    }
}
