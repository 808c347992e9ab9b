using System.Runtime.CompilerServices;
using Beltline.Broker.Network;

namespace Beltline.Broker.IntegrationTests;

internal static class SocketCompletionsSetup
{
    /// <summary>Brokers here run in-process: give them the socket scheduling `beltline broker` runs with.</summary>
    [ModuleInitializer]
    internal static void RunLikeTheCli() => SocketCompletions.PreferInline();
}
