using System.Buffers.Binary;
using System.Net.Sockets;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Per-connection ordering and backpressure with pipelined requests and a slow reader.</summary>
public sealed class ConnectionTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Responses_keep_their_order_and_framing_when_a_large_answer_and_a_long_poll_overlap()
    {
        // A fetch answered at once with ~20 MB (written by the reading loop) followed by a long poll that ends
        // while the first answer is still being flushed to a client that reads slowly: both write paths are live.
        var big = await FillAsync("overlap-big", 40, 500_000);
        var idle = "overlap-idle";
        await CreateTopicAsync(fixture, idle);
        for (var round = 0; round < 4; round++)
        {
            using var client = new TcpClient { ReceiveBufferSize = 4096 };
            await client.ConnectAsync("127.0.0.1", fixture.Broker.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Frame(Fetch(big, 0), 1).Concat(Frame(Fetch(idle, 100 + (round * 20)), 2)).ToArray());
            await Task.Delay(1000);

            var first = await ReadFrameAsync(stream);
            var second = await ReadFrameAsync(stream);

            Assert.Equal(1, first.CorrelationId);
            Assert.True(first.Length > 10_000_000, $"first response was {first.Length} bytes");
            Assert.Equal(2, second.CorrelationId);
        }
    }

    [Fact]
    public async Task A_client_that_does_not_read_cannot_make_the_broker_buffer_its_pipelined_answers()
    {
        var big = await FillAsync("unread-big", 40, 500_000);
        using var client = new TcpClient { ReceiveBufferSize = 4096 };
        await client.ConnectAsync("127.0.0.1", fixture.Broker.Port);
        var stream = client.GetStream();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        // 60 fetches of ~20 MB each, never read: answered all at once they would take ~1.2 GB.
        await stream.WriteAsync(Enumerable.Range(1, 60).SelectMany(i => Frame(Fetch(big, 0), i)).ToArray());
        await Task.Delay(3000);
        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.True(grown < 300L * 1024 * 1024, $"the broker's heap grew by {grown / (1024 * 1024)} MiB");
        // The connection still works once the client reads: the first answer arrives whole.
        var first = await ReadFrameAsync(stream);
        Assert.Equal(1, first.CorrelationId);
    }

    private async Task<string> FillAsync(string topic, int messages, int size)
    {
        await CreateTopicAsync(fixture, topic);
        var config = fixture.ProducerConfig();
        config.MessageMaxBytes = 2_000_000;
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        for (var i = 0; i < messages; i++)
            producer.Produce(topic, new Message<Null, byte[]> { Value = new byte[size] });
        Assert.Equal(0, producer.Flush(Patience));
        return topic;
    }

    private static FetchRequest Fetch(string topic, int maxWaitMs) => new()
    {
        MaxWaitMs = maxWaitMs,
        MinBytes = 1,
        MaxBytes = 64 * 1024 * 1024,
        Topics = [new FetchTopic { Topic = topic, Partitions = [new FetchPartition { Partition = 0, PartitionMaxBytes = 64 * 1024 * 1024 }] }],
    };

    private static byte[] Frame(IKafkaMessage request, int correlationId) =>
        RawKafkaConnection.EncodeFrame(request, ApiKey.Fetch, 12, correlationId, "connection-test");

    private static async Task<(int CorrelationId, int Length)> ReadFrameAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var size = new byte[4];
        await stream.ReadExactlyAsync(size, timeout.Token);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await stream.ReadExactlyAsync(body, timeout.Token);
        return (BinaryPrimitives.ReadInt32BigEndian(body), body.Length);
    }
}
