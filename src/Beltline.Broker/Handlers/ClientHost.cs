using System.Net;

namespace Beltline.Broker.Handlers;

internal static class ClientHost
{
    /// <summary>The client address as Kafka reports it in group descriptions: "/127.0.0.1".</summary>
    public static string Of(EndPoint? remote) => remote is IPEndPoint ip ? "/" + ip.Address : "/unknown";
}
