using System.CommandLine;
using Beltline.Cli.Commands.Kafka;
using Beltline.Dashboard;
using Confluent.Kafka;
using Spectre.Console;

namespace Beltline.Cli.Commands;

/// <summary><c>beltline dashboard</c>: the Kibana twin on port 5601, reading any Elasticsearch-compatible store and Kafka cluster.</summary>
internal static class DashboardCommand
{
    public static Command Create()
    {
        var client = new ClientOptions();
        var port = EnvironmentOption.Create("--port", "BELTLINE_DASHBOARD_PORT", 5601, "Dashboard HTTP port.");
        var host = EnvironmentOption.Create("--host", "BELTLINE_DASHBOARD_HOST", "127.0.0.1", "Address to bind.");
        var endpoint = EnvironmentOption.Create("--search-endpoint", "BELTLINE_SEARCH_ENDPOINT", "http://127.0.0.1:9200", "Search store URL (Elasticsearch REST API).");
        var user = EnvironmentOption.Create<string?>("--search-user", "BELTLINE_SEARCH_USER", null, "Basic-auth user of the store.");
        var password = EnvironmentOption.Create<string?>("--search-password", "BELTLINE_SEARCH_PASSWORD", null, "Basic-auth password.");
        var command = new Command("dashboard", "Serve the Clickstream Dashboard (the Kibana twin) and a pipeline view until Ctrl+C.") { port, host, endpoint, user, password };
        client.AddTo(command);
        KafkaTool.SetAction(command, async (result, cancellationToken) =>
        {
            if (result.GetValue(port) is < 0 or > 65535)
                throw new UsageException($"--port must be in 0-65535, got {result.GetValue(port)}.");
            if (!System.Net.IPAddress.TryParse(result.GetValue(host), out _))
                throw new UsageException($"--host must be an IP address to bind, got '{result.GetValue(host)}'.");
            if (!Uri.TryCreate(result.GetValue(endpoint), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new UsageException($"--search-endpoint must be an http(s) URL, got '{result.GetValue(endpoint)}'.");
            DashboardServer server;
            try
            {
                server = await DashboardServer.StartAsync(new DashboardOptions
                {
                    Host = result.GetValue(host)!,
                    Port = result.GetValue(port),
                    SearchEndpoint = uri,
                    SearchUser = result.GetValue(user),
                    SearchPassword = result.GetValue(password),
                    Kafka = client.Config(result, new ClientConfig()),
                }, cancellationToken);
            }
            catch (InvalidOperationException e)
            {
                throw new ToolFailureException(e.Message);
            }
            await using (server)
            {
                CliConsole.For(result).MarkupLineInterpolated($"Dashboard at [bold]{server.Url}[/] (search store {uri}). Ctrl+C stops.");
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            return 0;
        });
        return command;
    }
}
