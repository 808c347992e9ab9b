using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Binding every interface while telling clients a reachable name (advertised.listeners).</summary>
public sealed class AdvertisedHostTests
{
    [Fact]
    public async Task A_broker_bound_to_all_interfaces_advertises_the_given_host()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "beltline-advertised-" + Guid.NewGuid().ToString("N"));
        var broker = await BeltlineBroker.StartAsync(new BrokerOptions
        {
            Host = "0.0.0.0",
            AdvertisedHost = "broker.example",
            Listeners = [new ListenerOptions("PLAINTEXT", 0, Network.SecurityProtocol.Plaintext)],
            DataDir = dataDir,
            LoggerFactory = NullLoggerFactory.Instance,
        });
        try
        {
            await using var connection = await RawKafkaConnection.ConnectAsync(broker);
            var metadata = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, ApiKey.Metadata, 12);
            var cluster = await connection.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest(), ApiKey.DescribeCluster, 0);

            Assert.Equal("broker.example", Assert.Single(metadata.Brokers).Host);
            Assert.Equal("broker.example", Assert.Single(cluster.Brokers).Host);
            Assert.StartsWith("broker.example:", broker.BootstrapServers);
        }
        finally
        {
            await broker.DisposeAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Binding_all_interfaces_without_an_advertised_host_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => BeltlineBroker.StartAsync(new BrokerOptions
        {
            Host = "0.0.0.0",
            Listeners = [new ListenerOptions("PLAINTEXT", 0, Network.SecurityProtocol.Plaintext)],
            DataDir = Path.Combine(Path.GetTempPath(), "beltline-never-" + Guid.NewGuid().ToString("N")),
        }));

        Assert.Contains("advertised host", error.Message);
    }
}
