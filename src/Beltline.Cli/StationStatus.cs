using System.Globalization;
using Spectre.Console;

namespace Beltline.Cli;

/// <summary>How a long-running station reports: a status line every 2 s while it runs, a summary table at the end.</summary>
internal static class StationStatus
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>Awaits <paramref name="run"/>, calling <paramref name="tick"/> every interval until it ends.</summary>
    public static async Task<T> WhileRunning<T>(Task<T> run, Action tick)
    {
        while (await Task.WhenAny(run, Task.Delay(Interval, CancellationToken.None)) != run)
            tick();
        return await run;
    }

    public static void WriteSummary(IAnsiConsole console, string title, params (string Name, string Value)[] rows)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]").AddColumn("").AddColumn("").HideHeaders();
        foreach (var (name, value) in rows)
            table.AddRow(Markup.Escape(name), Markup.Escape(value));
        console.Write(table);
    }

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Rate(long count, TimeSpan elapsed) => Count((long)(count / Math.Max(elapsed.TotalSeconds, 0.001)));

    public static string Duration(TimeSpan elapsed) => elapsed.ToString(@"hh\:mm\:ss\.f", CultureInfo.InvariantCulture);
}
