using System.CommandLine;
using Beltline.Cli.Commands.Kafka;
using Beltline.Line.Kafka;
using Beltline.Line.SearchSink;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Beltline.Cli.Commands;

/// <summary>
/// <c>beltline up</c>: the whole factory line on this machine, in one process: broker, search store, dashboard,
/// clickstream processor, search sink, and the clickstream producer with the original's pauses; the order producer
/// is invoked once. Every station talks to the others through Kafka and the search REST API only, exactly as it
/// would at scale. Ctrl+C stops them in reverse order; a second <c>up</c> on the same data dir resumes.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var dataDir = EnvironmentOption.Create("--data-dir", "BELTLINE_DATA_DIR", ".beltline", "Directory of every station's data (broker, search, processor, clickstream).");
        var brokerPort = EnvironmentOption.Create("--broker-port", "BELTLINE_BROKER_PORT", 9092, "Kafka (PLAINTEXT) port; 0 picks a free one.");
        var searchPort = EnvironmentOption.Create("--search-port", "BELTLINE_SEARCH_PORT", 9200, "Search store (Elasticsearch API) port; 0 picks a free one.");
        var dashboardPort = EnvironmentOption.Create("--dashboard-port", "BELTLINE_DASHBOARD_PORT", 5601, "Dashboard port; 0 picks a free one.");
        var metricsPort = EnvironmentOption.Create<int?>("--metrics-port", "BELTLINE_METRICS_PORT", 11001, "Broker Prometheus /metrics port; 0 picks a free one.");
        var secure = EnvironmentOption.Create("--secure", "BELTLINE_SECURE", false,
            "Secure the line like the workshop's MSK: TLS and SASL_SSL only, a local CA, a principal and least-privilege ACLs per station, a login for search and dashboard; client files in {data-dir}/clients/.");
        var tlsPort = EnvironmentOption.Create("--tls-port", "BELTLINE_TLS_PORT", 9094, "SSL (TLS, mutual with a client certificate) port with --secure; 0 picks a free one.");
        var saslPort = EnvironmentOption.Create("--sasl-port", "BELTLINE_SASL_PORT", 9096, "SASL_SSL (SCRAM) port with --secure; 0 picks a free one.");
        var command = new Command("up", "Run the whole factory line locally (broker, search store, dashboard, processor, search sink, producers) until Ctrl+C.")
        {
            dataDir, brokerPort, searchPort, dashboardPort, metricsPort, secure, tlsPort, saslPort,
        };
        KafkaTool.SetAction(command, async (result, cancellationToken) =>
        {
            foreach (var port in new[] { brokerPort, searchPort, dashboardPort, tlsPort, saslPort })
                if (result.GetValue(port) is < 0 or > 65535)
                    throw new UsageException($"{port.Name} must be in 0-65535, got {result.GetValue(port)}.");
            var root = Path.GetFullPath(result.GetValue(dataDir)!);
            var console = CliConsole.For(result);
            using var loggerFactory = Logging.Create(LogFormat.Text, LogLevel.Warning, toStandardError: true);
            var line = new FactoryLine(root, loggerFactory);
            try
            {
                try
                {
                    await console.Status().StartAsync("Starting the line…", async status =>
                        await line.StartAsync(result.GetValue(brokerPort), result.GetValue(searchPort), result.GetValue(dashboardPort), result.GetValue(metricsPort),
                            result.GetValue(secure) ? (result.GetValue(tlsPort), result.GetValue(saslPort)) : null,
                            step => status.Status(Markup.Escape(step)), cancellationToken));
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or KafkaException or KafkaUnreachableException or SearchUnavailableException)
                {
                    throw new ToolFailureException($"The line did not start: {e.Message}");
                }
                WriteOutputs(console, line, root);
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(StationStatus.Interval, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    if (line.Failure is { } failure)
                        throw new ToolFailureException($"A station stopped: {failure}");
                    if (!cancellationToken.IsCancellationRequested)
                        console.MarkupLine(Markup.Escape(line.StatusLine()));
                }
                console.MarkupLine("Stopping: producers, processor (checkpoint), search sink (flush), dashboard, search store (commit), broker…");
            }
            finally
            {
                await line.DisposeAsync();
            }
            console.MarkupLine("[green]Stopped cleanly.[/]");
            return 0;
        });
        return command;
    }

    private static void WriteOutputs(IAnsiConsole console, FactoryLine line, string root)
    {
        var outputs = new Table().Border(TableBorder.Rounded).Title("[bold]Outputs[/]").AddColumn("Key").AddColumn("Value").AddColumn("Description");
        if (line.Secure is { } secure)
        {
            outputs.AddRow("BootstrapBrokersTls", line.Broker!.BootstrapServersFor(Beltline.Broker.Network.SecurityProtocol.Ssl)!, "Kafka over TLS (a client certificate makes it mutual)");
            outputs.AddRow("BootstrapBrokersSaslScram", line.Broker.BootstrapServersFor(Beltline.Broker.Network.SecurityProtocol.SaslSsl)!, "Kafka over SASL_SSL, SCRAM-SHA-512");
            outputs.AddRow("ClientConfigs", Markup.Escape(secure.ClientsDirectory), "admin (super user), alice (denied testiamfail), nancy-mtls, one per station: kcat -F, --command-config");
            outputs.AddRow("CertificateAuthority", Markup.Escape(secure.CaCertificate), "The line's root CA (the ACM PCA twin): ssl.ca.location");
            outputs.AddRow("SearchAndDashboardLogin", $"{SecureLine.Admin} / sasl.password of admin.properties", "Master user of the search store, and the dashboard's login");
        }
        else
            outputs.AddRow("BootstrapBrokers", line.Broker!.BootstrapServers, "Kafka bootstrap servers (PLAINTEXT)");
        outputs.AddRow("SearchEndpoint", line.Search!.BaseAddress.ToString(), "Search store, Elasticsearch REST API");
        outputs.AddRow("DashboardUrl", line.Dashboard!.Url, "Clickstream Dashboard and pipeline view");
        if (line.Broker.MetricsPort is { } metrics)
            outputs.AddRow("MetricsUrl", $"http://127.0.0.1:{metrics}/metrics", "Broker metrics (Prometheus)");
        outputs.AddRow("DataDir", Markup.Escape(root), "Every station's data; a second `up` resumes from it");
        outputs.AddRow("Topics", Markup.Escape(string.Join(", ", FactoryLine.Topics)), "Clicks, orders and the processor's results");
        console.Write(outputs);
        console.MarkupLine("Press Ctrl+C to stop.");
    }
}
