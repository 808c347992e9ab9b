namespace Beltline.Broker.Network;

/// <summary>
/// Where .NET runs socket completions on Linux. By default the epoll thread hands every completed receive to the
/// thread pool: a produce request of 1 MB arrives in several receives, so several thread hops and wake-ups each.
/// Run inline, the connection's read loop continues on the epoll thread (one per core then), as a Kafka network
/// thread would; measured here, that cut the broker's context switches per 300 MB produced from ~2,500–4,000 to
/// ~550–800 and its CPU by about a fifth (docs/benchmarks.md). What it asks of us: no request handler may block
/// for long (waits are awaited; disk reads and writes are a millisecond-scale direct I/O).
/// </summary>
public static class SocketCompletions
{
    /// <summary>The runtime's switch, read once when the first socket is created.</summary>
    public const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns inline completions on for this process unless the environment already decides (set the variable to
    /// 0 to keep the thread pool). Call before any socket exists; later calls change nothing.
    /// </summary>
    public static void PreferInline()
    {
        if (Environment.GetEnvironmentVariable(InlineVariable) is null)
            Environment.SetEnvironmentVariable(InlineVariable, "1");
    }
}
