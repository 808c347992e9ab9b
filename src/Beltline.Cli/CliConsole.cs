using System.CommandLine;
using Spectre.Console;

namespace Beltline.Cli;

/// <summary>
/// A Spectre console over the invocation's output, so commands print where the caller (a terminal, a pipe, a test)
/// points them. Redirected output gets no colours and a wide profile: a table piped into a file or a script should
/// not be folded at 80 columns.
/// </summary>
internal static class CliConsole
{
    public static IAnsiConsole For(ParseResult result) => For(result.InvocationConfiguration.Output);

    public static IAnsiConsole For(TextWriter writer)
    {
        var isTerminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!isTerminal)
            console.Profile.Width = 4096;
        return console;
    }
}
