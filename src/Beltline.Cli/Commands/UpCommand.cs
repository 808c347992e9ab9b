using System.CommandLine;
using Beltline.Broker;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Beltline.Cli.Commands;

/// <summary>
/// <c>beltline up</c>: the whole line on this machine. For now the line is its conveyor belt, the broker;
/// the producers, processor, search store and dashboard join it as their stations land.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var settings = new BrokerSettings();
        var command = new Command("up", "Run the factory line locally (today: the broker) until Ctrl+C or SIGTERM.");
        settings.AddTo(command);
        settings.SetAction(command, async (result, options, _, cancellationToken) =>
        {
            BeltlineBroker? broker = null;
            try
            {
                await AnsiConsole.Status().Spinner(Spinner.Known.Dots).StartAsync("Starting the broker…", async _ =>
                    broker = await BeltlineBroker.StartAsync(options, cancellationToken));
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]The broker did not start:[/] {e.Message}");
                return 1;
            }
            await using (broker!)
            {
                var table = new Table().Border(TableBorder.Rounded).Title("[bold]Beltline is up[/]");
                table.AddColumn("Station").AddColumn("Address").AddColumn("Status");
                table.AddRow("broker (Kafka protocol)", broker!.BootstrapServers, "[green]running[/]");
                if (broker.MetricsPort is { } metricsPort)
                    table.AddRow("metrics (Prometheus)", $"http://{options.EffectiveAdvertisedHost}:{metricsPort}/metrics", "[green]running[/]");
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLineInterpolated($"Cluster [bold]{broker.ClusterId}[/], data in [bold]{Path.GetFullPath(result.GetValue(settings.DataDir)!)}[/]. Press Ctrl+C to stop.");
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                AnsiConsole.MarkupLine("Stopping: flushing logs…");
            }
            AnsiConsole.MarkupLine("[green]Stopped cleanly.[/]");
            return 0;
        });
        return command;
    }
}
