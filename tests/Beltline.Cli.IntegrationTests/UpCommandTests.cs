using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Beltline.Cli.IntegrationTests;

/// <summary>`beltline up`: the whole line starts, documents reach all three indices, Ctrl+C stops it cleanly, and a second `up` resumes.</summary>
public sealed partial class UpCommandTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "beltline-up-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
            Directory.Delete(_dataDir, recursive: true);
    }

    private sealed record Running(Task<int> Exit, StringWriter Output, StringWriter Error, CancellationTokenSource Stop);

    private Running Start(params string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var stop = new CancellationTokenSource();
        var exit = Program.CreateRoot()
            .Parse(["up", "--data-dir", _dataDir, "--broker-port", "0", "--search-port", "0", "--dashboard-port", "0", "--metrics-port", "0", .. extra])
            .InvokeAsync(new InvocationConfiguration { Output = TextWriter.Synchronized(output), Error = TextWriter.Synchronized(error) }, stop.Token);
        return new Running(exit, output, error, stop);
    }

    private static async Task<string> OutputValueAsync(Running running, string key)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline && !running.Exit.IsCompleted)
        {
            var match = Regex.Match(running.Output.ToString(), $@"│ {key}\s+│ (\S+)");
            if (match.Success)
                return match.Groups[1].Value;
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"`up` printed no {key}:\n{running.Output}\n{running.Error}");
    }

    private static async Task<long> CountAsync(HttpClient http, string search, string index)
    {
        using var response = await http.GetAsync($"{search.TrimEnd('/')}/{index}/_count");
        if (!response.IsSuccessStatusCode)
            return 0;
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt64();
    }

    [Fact]
    public async Task The_line_fills_all_three_indices_stops_cleanly_and_resumes_from_its_data_dir()
    {
        var first = Start();
        var search = await OutputValueAsync(first, "SearchEndpoint");
        var dashboard = await OutputValueAsync(first, "DashboardUrl");
        using var http = new HttpClient();
        string[] indices = ["user_session_details", "user_session_counts", "departments_count"];
        var counts = new Dictionary<string, long>();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline && !first.Exit.IsCompleted)
        {
            foreach (var index in indices)
                counts[index] = await CountAsync(http, search, index);
            if (counts.Values.All(c => c > 0))
                break;
            await Task.Delay(1000);
        }
        var page = await http.GetStringAsync(dashboard);
        await first.Stop.CancelAsync();
        var exit = await first.Exit;

        Assert.True(exit == 0, first.Output + "\n" + first.Error);
        Assert.All(indices, index => Assert.True(counts[index] > 0, $"no documents in {index}: {string.Join(", ", counts)}"));
        Assert.Contains("Clickstream Dashboard", page);
        Assert.Contains("Stopped cleanly.", first.Output.ToString());
        var bookmark = long.Parse(File.ReadAllText(Path.Combine(_dataDir, "clickstream", "bookmark.txt")).Trim());
        Assert.True(bookmark > 0);
        Assert.True(File.Exists(Path.Combine(_dataDir, "processor", "checkpoint.json")));

        // Again on the same data dir: the documents are still there and the clicks continue the sequence.
        var second = Start();
        var searchAgain = await OutputValueAsync(second, "SearchEndpoint");
        var kept = await CountAsync(http, searchAgain, "user_session_details");
        await Task.Delay(3000);
        await second.Stop.CancelAsync();
        var secondExit = await second.Exit;

        Assert.True(secondExit == 0, second.Output + "\n" + second.Error);
        Assert.True(kept >= counts["user_session_details"], $"{kept} documents after the restart, {counts["user_session_details"]} before");
        Assert.True(long.Parse(File.ReadAllText(Path.Combine(_dataDir, "clickstream", "bookmark.txt")).Trim()) > bookmark);
    }

    [Fact]
    public async Task The_secured_line_runs_with_logins_and_least_privilege_and_writes_working_client_files()
    {
        var run = Start("--secure", "--tls-port", "0", "--sasl-port", "0");
        var search = await OutputValueAsync(run, "SearchEndpoint");
        var dashboard = await OutputValueAsync(run, "DashboardUrl");
        var sasl = await OutputValueAsync(run, "BootstrapBrokersSaslScram");
        var clients = Path.Combine(_dataDir, "clients");
        var admin = Beltline.Line.Kafka.ClientProperties.Load(Path.Combine(clients, "admin.properties"));
        var password = admin.Properties.Last(p => p.Key == "sasl.password").Value;
        using var anonymous = new HttpClient();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("admin:" + password)));
        long indexed = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < deadline && indexed == 0 && !run.Exit.IsCompleted; await Task.Delay(1000))
            indexed = await CountAsync(http, search, "user_session_details");
        var searchWithoutLogin = (await anonymous.GetAsync(search)).StatusCode;
        var dashboardWithoutLogin = (await anonymous.GetAsync(dashboard)).StatusCode;
        var page = await http.GetStringAsync(dashboard);

        // alice's file works where the template's IAM demo allows her and fails on testiamfail.
        var alice = Beltline.Line.Kafka.ClientProperties.Load(Path.Combine(clients, "alice.properties")).ApplyTo(new Confluent.Kafka.ProducerConfig { MessageTimeoutMs = 10_000 }, null);
        using (var producer = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, string>(alice).Build())
        {
            await producer.ProduceAsync("orders", new Confluent.Kafka.Message<Confluent.Kafka.Null, string> { Value = "{}" });
            var denied = await Assert.ThrowsAsync<Confluent.Kafka.ProduceException<Confluent.Kafka.Null, string>>(() =>
                producer.ProduceAsync("testiamfail", new Confluent.Kafka.Message<Confluent.Kafka.Null, string> { Value = "{}" }));
            Assert.Equal(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, denied.Error.Code);
        }
        // The click producer's principal may write clicks only.
        var clicks = Beltline.Line.Kafka.ClientProperties.Load(Path.Combine(clients, "clickstream-producer.properties")).ApplyTo(new Confluent.Kafka.ProducerConfig { MessageTimeoutMs = 10_000 }, null);
        using (var producer = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, string>(clicks).Build())
            await Assert.ThrowsAsync<Confluent.Kafka.ProduceException<Confluent.Kafka.Null, string>>(() =>
                producer.ProduceAsync("orders", new Confluent.Kafka.Message<Confluent.Kafka.Null, string> { Value = "{}" }));
        var nancy = Beltline.Line.Kafka.ClientProperties.Load(Path.Combine(clients, "nancy-mtls.properties")).ApplyTo(new Confluent.Kafka.AdminClientConfig(), null);
        using (var nancyAdmin = new Confluent.Kafka.AdminClientBuilder(nancy).Build())
            Assert.Contains(nancyAdmin.GetMetadata(TimeSpan.FromSeconds(10)).Topics, t => t.Topic == "clickstream");

        await run.Stop.CancelAsync();
        var exit = await run.Exit;
        Assert.True(exit == 0, run.Output + "\n" + run.Error);
        Assert.True(indexed > 0, "no session reached the search store");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, searchWithoutLogin);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, dashboardWithoutLogin);
        Assert.Contains("Clickstream Dashboard", page);
        Assert.DoesNotContain("BootstrapBrokers ", run.Output.ToString());   // no PLAINTEXT listener
        Assert.Equal(sasl, admin.Bootstrap);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(clients, "alice.properties")));
        Assert.DoesNotContain("alice-secret", File.ReadAllText(Path.Combine(_dataDir, "broker", "security", "scram-credentials.json")));
    }

    [Fact]
    public async Task A_taken_port_is_a_clear_start_up_failure()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var run = await Cli.RunAsync("up", "--data-dir", _dataDir, "--broker-port", "0", "--search-port", port.ToString(), "--dashboard-port", "0", "--metrics-port", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("The line did not start", run.Error);
    }
}
