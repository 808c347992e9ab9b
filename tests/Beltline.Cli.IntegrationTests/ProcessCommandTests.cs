using System.Diagnostics;
using System.Text.Json;

namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline process`: bounded runs, a kill -9 in the middle, bad arguments.</summary>
public sealed class ProcessCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "beltline-process-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private string[] Args(string input, string outputs, string group, string stateDir, params string[] more) =>
    [
        "process", "--bootstrap", broker.BootstrapServers, "--topic", input, "--group-id", group, "--state-dir", stateDir,
        "--sessions-topic", outputs + "-sessions", "--session-counts-topic", outputs + "-counts", "--departments-topic", outputs + "-departments", .. more,
    ];

    private Dictionary<string, List<string>> OutputsByKey(string outputs) =>
        KafkaTestData.ReadAll(broker.BootstrapServers, outputs + "-sessions", outputs + "-counts", outputs + "-departments")
            .GroupBy(r => r.Topic[outputs.Length..] + "/" + r.Key).ToDictionary(g => g.Key, g => g.Select(r => r.Value).ToList());

    [Fact]
    public async Task After_kill_9_and_a_restart_the_outputs_by_key_are_those_of_an_uninterrupted_run()
    {
        var input = Cli.Unique("clicks");
        var total = await KafkaTestData.ProduceClicksAsync(broker.BootstrapServers, input, partitions: 3, sessions: 8_000, seed: 8,
            DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

        // The reference: one uninterrupted bounded run.
        var referenceOutputs = Cli.Unique("ref");
        var victimOutputs = Cli.Unique("victim");
        var reference = await Cli.RunAsync(Args(input, referenceOutputs, Cli.Unique("ref"), Path.Combine(_dir, "ref"), "--bounded"));
        Assert.True(reference.ExitCode == 0, reference.ToString());

        // The victim: a separate process, killed (SIGKILL) just after its first checkpoint, then restarted bounded.
        var stateDir = Path.Combine(_dir, "victim");
        var group = Cli.Unique("victim");
        var checkpoint = Path.Combine(stateDir, "checkpoint.json");
        var cli = Path.Combine(AppContext.BaseDirectory, "beltline.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cli }.Concat(Args(input, victimOutputs, group, stateDir, "--checkpoint-interval-ms", "100")))
            start.ArgumentList.Add(arg);
        using (var victim = Process.Start(start)!)
        {
            victim.OutputDataReceived += (_, _) => { };
            victim.ErrorDataReceived += (_, _) => { };
            victim.BeginOutputReadLine();
            victim.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(checkpoint) && !victim.HasExited && DateTime.UtcNow < deadline)
                await Task.Delay(5);
            victim.Kill();
            await victim.WaitForExitAsync();
        }
        Assert.True(File.Exists(checkpoint), "the victim took no checkpoint before it was killed");
        using (var taken = JsonDocument.Parse(File.ReadAllBytes(checkpoint)))
        {
            var covered = taken.RootElement.GetProperty("nextOffsets").EnumerateObject().Sum(p => p.Value.GetInt64());
            Assert.True(covered < total, $"the victim's checkpoint already covered all {total} clicks: the kill came too late to test a restart");
        }
        var restarted = await Cli.RunAsync(Args(input, victimOutputs, group, stateDir, "--bounded"));
        Assert.True(restarted.ExitCode == 0, restarted.ToString());

        var expected = OutputsByKey(referenceOutputs);
        var actual = OutputsByKey(victimOutputs);
        Assert.True(expected.Count > 100);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, values) in actual)
            Assert.All(values, value => Assert.Equal(Assert.Single(expected[key]), value));
    }

    [Fact]
    public async Task An_unknown_input_topic_and_bad_arguments_are_refused()
    {
        var unknown = await Cli.RunAsync(Args(Cli.Unique("missing"), "x", "g", Path.Combine(_dir, "x"), "--bounded"));
        var interval = await Cli.RunAsync(Args("t", "x", "g", Path.Combine(_dir, "x"), "--checkpoint-interval-ms", "5"));
        var unreachable = await Cli.RunAsync("process", "--bootstrap", Cli.UnreachableBootstrap(), "--state-dir", Path.Combine(_dir, "y"));

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("does not exist", unknown.Error);
        Assert.Equal(2, interval.ExitCode);
        Assert.Contains("--checkpoint-interval-ms must be at least 100", interval.Error);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("Cannot reach Kafka at", unreachable.Error);
    }

    [Fact]
    public async Task A_damaged_checkpoint_is_a_clear_error_not_a_silent_restart()
    {
        var input = Cli.Unique("clicks");
        await KafkaTestData.ProduceClicksAsync(broker.BootstrapServers, input, partitions: 1, sessions: 5, seed: 1, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        var stateDir = Path.Combine(_dir, "damaged");
        Directory.CreateDirectory(stateDir);
        File.WriteAllText(Path.Combine(stateDir, "checkpoint.json"), "{\"version\":1,");

        var run = await Cli.RunAsync(Args(input, "dmg", Cli.Unique("dmg"), stateDir, "--bounded"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is damaged", run.Error);
    }
}
