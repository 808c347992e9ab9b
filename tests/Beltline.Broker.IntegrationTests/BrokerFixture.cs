using Beltline.Broker.Network;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.IntegrationTests;

/// <summary>A broker on a free port with its own temporary data dir; restartable on the same dir.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "beltline-it-" + Guid.NewGuid().ToString("N"));

    public BeltlineBroker Broker { get; private set; } = null!;

    public string BootstrapServers => Broker.BootstrapServers;

    public BrokerOptions Options(int port = 0) => new()
    {
        Listeners = [new ListenerOptions("PLAINTEXT", port, Network.SecurityProtocol.Plaintext)],
        DataDir = DataDir,
        LoggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)),
        RetentionCheckInterval = TimeSpan.FromHours(1),
    };

    public async Task InitializeAsync() => Broker = await BeltlineBroker.StartAsync(Options());

    /// <summary>Stops gracefully and starts again on the same port and data dir.</summary>
    public async Task RestartAsync()
    {
        var port = Broker.Port;
        await Broker.DisposeAsync();
        Broker = await BeltlineBroker.StartAsync(Options(port));
    }

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }

    public ProducerConfig ProducerConfig(CompressionType compression = CompressionType.None) => new()
    {
        BootstrapServers = BootstrapServers,
        Acks = Acks.All,
        CompressionType = compression,
        LingerMs = 5,
        EnableIdempotence = false,
        MessageTimeoutMs = 15000,
    };

    public ConsumerConfig ConsumerConfig() => new()
    {
        BootstrapServers = BootstrapServers,
        GroupId = "unused-" + Guid.NewGuid().ToString("N"),
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
    };

    public AdminClientConfig AdminConfig() => new() { BootstrapServers = BootstrapServers };
}
