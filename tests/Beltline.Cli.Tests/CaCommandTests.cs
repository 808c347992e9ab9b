using System.CommandLine;
using System.Security.Cryptography.X509Certificates;

namespace Beltline.Cli.Tests;

/// <summary><c>beltline ca init|issue</c>: files written where asked, and a clear error for each mistake.</summary>
public sealed class CaCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "beltline-ca-cli-" + Guid.NewGuid().ToString("N"));

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
    public void Init_then_issue_a_broker_and_a_client_certificate()
    {
        Assert.Equal(0, Invoke("ca", "init", "--dir", _dir).ExitCode);
        var broker = Invoke("ca", "issue", "broker", "broker", "--dir", _dir, "--dns", "localhost", "broker.local", "--ip", "127.0.0.1");
        Assert.Equal(0, broker.ExitCode);
        Assert.Contains(Path.Combine(_dir, "broker.crt"), broker.Output);
        Assert.Equal(0, Invoke("ca", "issue", "client", "nancy", "--dir", _dir, "--days", "30").ExitCode);

        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_dir, "broker.crt")));
        Assert.True(certificate.MatchesHostname("broker.local"));
        Assert.Equal("CN=nancy", X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_dir, "nancy.crt"))).Subject);
    }

    [Fact]
    public void Mistakes_get_a_message_and_an_exit_code()
    {
        var missing = Invoke("ca", "issue", "client", "nancy", "--dir", _dir);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("run `beltline ca init` first", missing.Error);

        Assert.Equal(0, Invoke("ca", "init", "--dir", _dir).ExitCode);
        var again = Invoke("ca", "init", "--dir", _dir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force", again.Error);

        Assert.Equal(2, Invoke("ca", "issue", "server", "x", "--dir", _dir).ExitCode);        // only broker or client
        Assert.Equal(2, Invoke("ca", "issue", "broker", "b", "--dir", _dir, "--ip", "localhost").ExitCode);
        Assert.Equal(2, Invoke("ca", "issue", "client", "c", "--dir", _dir, "--days", "0").ExitCode);
        Assert.Equal(2, Invoke("ca", "issue", "client", "ca", "--dir", _dir).ExitCode);     // would overwrite the root
    }
}
