using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Network;

/// <summary>
/// One Kafka listener: a TCP socket that accepts clients and runs a <see cref="KafkaConnection"/> for each, over
/// System.IO.Pipelines stream pipes.
/// <para>
/// Why not Kestrel's socket transport: Kafka frames run to megabytes, and with Kestrel's transport (4 KiB receive
/// blocks, its IO queues and their hand-offs) a do-nothing produce handler served ~0.5 M msg/s of 1 KiB where the
/// same handler over stream pipes served ~0.7 M (docs/benchmarks.md). A stream pipe reads in large chunks straight
/// from the socket on the reading task itself. TLS will sit between the socket and the pipes as an SslStream.
/// </para>
/// </summary>
internal sealed class KafkaListener : IAsyncDisposable
{
    /// <summary>
    /// The stream pipe reads this much at once: whole small requests, and the start of large ones, whose rest the
    /// connection reads from the stream straight into the frame's buffer (saving a copy of every produced byte).
    /// </summary>
    private const int ReadBufferBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly Func<ClientTransport, Task> _serve;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, (Task Served, Socket Socket)> _connections = new();
    private readonly Task _acceptLoop;
    private long _nextConnectionId;

    private KafkaListener(Socket socket, ListenerOptions options, Func<ClientTransport, Task> serve, ILogger logger)
    {
        _socket = socket;
        Options = options;
        _serve = serve;
        _logger = logger;
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    public ListenerOptions Options { get; }

    /// <summary>The port bound (differs from the configured one when that was 0).</summary>
    public int Port { get; }

    /// <summary>Binds and starts accepting; a port in use fails here with a clear message.</summary>
    public static KafkaListener Start(IPAddress address, ListenerOptions options, Func<ClientTransport, Task> serve, ILogger logger)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, options.Port));
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"Cannot listen on {address}:{options.Port} ({options.Name}): {e.Message}", e);
        }
        return new KafkaListener(socket, options, serve, logger);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("Accepting on {Listener} failed: {Error}", Options.Name, e.Message);
                continue;
            }
            client.NoDelay = true;
            var id = Interlocked.Increment(ref _nextConnectionId);
            _connections[id] = (ServeAsync(id, client), client);
        }
    }

    private async Task ServeAsync(long id, Socket client)
    {
        // Off the accept loop at once: the connection's first read must not hold up the next accept.
        await Task.Yield();
        var stream = new NetworkStream(client, ownsSocket: true);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, minimumReadSize: ReadBufferBytes / 4, leaveOpen: true));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
        var transport = new ClientTransport(stream, input, output, $"{Options.Name}-{id}", client.RemoteEndPoint, client.Dispose);
        try
        {
            await _serve(transport);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Connection {ConnectionId} failed", transport.ConnectionId);
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
            await stream.DisposeAsync();
            _connections.TryRemove(id, out _);
        }
    }

    /// <summary>Stops accepting and waits for the connections, which end when the broker's stop token fires.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _acceptLoop;
        var served = _connections.Values.ToList();
        if (!await Task.WhenAll(served.Select(c => c.Served)).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(t => t.IsCompletedSuccessfully))
        {
            foreach (var (_, socket) in served)
                socket.Dispose();
            await Task.WhenAll(served.Select(c => c.Served)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
    }
}
