using Beltline.Broker;
using Beltline.Broker.Network;
using Microsoft.Extensions.Logging;

namespace Beltline.Testing;

/// <summary>(Linked into the station test projects.) An in-process broker on a free port with its own temporary data dir, shared by a test class.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "beltline-it-" + Guid.NewGuid().ToString("N"));

    public BeltlineBroker Broker { get; private set; } = null!;

    public string BootstrapServers => Broker.BootstrapServers;

    public async Task InitializeAsync() => Broker = await BeltlineBroker.StartAsync(new BrokerOptions
    {
        Listeners = [new ListenerOptions("PLAINTEXT", 0, SecurityProtocol.Plaintext)],
        DataDir = _dataDir,
        MetricsPort = null,
        LoggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)),
    });

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}
