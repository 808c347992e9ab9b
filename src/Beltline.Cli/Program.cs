using System.CommandLine;
using Beltline.Broker.Network;
using Beltline.Cli.Commands;
using Beltline.Cli.Commands.Kafka;

namespace Beltline.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SocketCompletions.PreferInline();
        // Ctrl+C / SIGTERM cancel the running command; give a graceful stop (flush, close) time before the runtime gives up.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
        return await CreateRoot().Parse(args).InvokeAsync(invocation);
    }

    internal static RootCommand CreateRoot() => new("Beltline: the streaming factory line (Kafka-compatible broker and friends) for .NET.")
    {
        UpCommand.Create(),
        BrokerCommand.Create(),
        SearchCommand.Create(),
        ClickstreamCommand.Create(),
        InvokeCommand.Create(),
        ProcessCommand.Create(),
        SinkCommand.Create(),
        DashboardCommand.Create(),
        CaCommand.Create(),
        UsersCommand.Create(),
        AclsCommand.Create(),
        TopicsCommand.Create(),
        ProduceCommand.Create(),
        ConsumeCommand.Create(),
        GroupsCommand.Create(),
        ConfigsCommand.Create(),
        PerfCommand.Create(),
    };
}
