using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Beltline.Protocol;
using Beltline.Protocol.Messages;

namespace Beltline.Broker.IntegrationTests;

/// <summary>A bare TCP connection speaking the wire format by hand, to send what no well-behaved client would.</summary>
internal sealed class RawKafkaConnection : IAsyncDisposable
{
    private readonly TcpClient _client = new();
    private NetworkStream _stream = null!;
    private int _correlationId;

    public static async Task<RawKafkaConnection> ConnectAsync(BeltlineBroker broker)
    {
        var connection = new RawKafkaConnection();
        await connection._client.ConnectAsync("127.0.0.1", broker.Port);
        connection._stream = connection._client.GetStream();
        connection._stream.ReadTimeout = 10_000;
        return connection;
    }

    /// <summary>Sends a well-formed request and reads its response body (after the response header).</summary>
    public async Task<TResponse> SendAsync<TResponse>(IKafkaMessage request, ApiKey key, short version) where TResponse : IKafkaMessage<TResponse>
    {
        var correlationId = await SendRequestAsync(request, key, version);
        var body = await ReadFrameAsync() ?? throw new IOException("The broker closed the connection instead of answering.");
        var reader = new KafkaReader(body);
        Assert.Equal(correlationId, ResponseHeader.Read(ref reader, ApiSpec.UsesFlexibleResponseHeader(key, version)));
        return KafkaCodec.Deserialize<TResponse>(body[reader.Position..], version);
    }

    public async Task<int> SendRequestAsync(IKafkaMessage request, ApiKey key, short version)
    {
        var correlationId = ++_correlationId;
        await SendFrameAsync(Encode(request, key, version, correlationId));
        return correlationId;
    }

    /// <summary>A request as it follows the size prefix: request header, then the body at <paramref name="version"/>.</summary>
    public static byte[] Encode(IKafkaMessage request, ApiKey key, short version, int correlationId = 1, string clientId = "raw-test")
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        new RequestHeader(key, version, correlationId, clientId).Write(ref writer);
        request.Write(ref writer, version);
        writer.Commit();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A whole frame as sent: size prefix, then <see cref="Encode"/>'s bytes.</summary>
    public static byte[] EncodeFrame(IKafkaMessage request, ApiKey key, short version, int correlationId = 1, string clientId = "raw-test")
    {
        var body = Encode(request, key, version, correlationId, clientId);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame.AsSpan(4));
        return frame;
    }

    public async Task SendFrameAsync(ReadOnlyMemory<byte> body)
    {
        var size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, body.Length);
        await SendRawAsync(size);
        await SendRawAsync(body);
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Reads one response frame, or null when the broker closed the connection.</summary>
    public async Task<ReadOnlyMemory<byte>?> ReadFrameAsync()
    {
        var size = new byte[4];
        if (!await ReadExactlyAsync(size))
            return null;
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        return await ReadExactlyAsync(body) ? body : null;
    }

    /// <summary>True when the broker closes the connection (and sends nothing) within a few seconds.</summary>
    public async Task<bool> IsClosedByBrokerAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var read = await _stream.ReadAsync(new byte[1], timeout.Token);
            return read == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<bool> ReadExactlyAsync(Memory<byte> buffer)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
