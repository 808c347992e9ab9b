using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Beltline.Cli.Tests;

/// <summary>`beltline search`: its arguments and a run that serves until cancelled; env variables are process-wide, hence the collection.</summary>
[Collection("environment")]
public sealed class SearchCommandTests
{
    private static (int ExitCode, string Error) Invoke(params string[] args)
    {
        var error = new StringWriter();
        var exit = Program.CreateRoot().Parse(args).Invoke(new InvocationConfiguration { Error = error, Output = new StringWriter() });
        return (exit, error.ToString());
    }

    [Fact]
    public void Bad_arguments_exit_2_with_a_message_per_option()
    {
        var (exit, error) = Invoke("search", "--port", "70000", "--host", "localhost", "--user", "master");
        Assert.Equal(2, exit);
        Assert.Contains("--port must be in 0-65535, got 70000.", error);
        Assert.Contains("--host must be an IP address", error);
        Assert.Contains("--user and --password go together", error);
    }

    [Fact]
    public async Task Search_serves_until_cancelled_and_keeps_its_data()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "beltline-cli-search-" + Guid.NewGuid().ToString("N"));
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        using var stop = new CancellationTokenSource();
        try
        {
            var run = Program.CreateRoot()
                .Parse(["search", "--port", port.ToString(), "--data-dir", dataDir, "--log-level", "Warning"])
                .InvokeAsync(new InvocationConfiguration(), stop.Token);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            JsonNode? root = null;
            for (var attempt = 0; attempt < 300 && root is null; attempt++)
            {
                try
                {
                    root = JsonNode.Parse(await client.GetStringAsync("/"));
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }
            Assert.Equal("You Know, for Search", root?["tagline"]?.GetValue<string>());
            using var put = await client.PutAsync("/cli/_doc/1", new StringContent("""{"a":1}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);

            await stop.CancelAsync();
            Assert.Equal(0, await run);
            Assert.True(File.Exists(Path.Combine(dataDir, "indices", "cli", "index.json")));
        }
        finally
        {
            if (Directory.Exists(dataDir))
                Directory.Delete(dataDir, recursive: true);
        }
    }
}
