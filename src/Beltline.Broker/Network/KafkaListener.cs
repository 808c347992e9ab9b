using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Network;

/// <summary>
/// One Kafka listener: a TCP socket that accepts clients and runs a <see cref="KafkaConnection"/> for each, over
/// System.IO.Pipelines stream pipes.
/// <para>
/// Why not Kestrel's socket transport: Kafka frames run to megabytes, and with Kestrel's transport (4 KiB receive
/// blocks, its IO queues and their hand-offs) a do-nothing produce handler served ~0.5 M msg/s of 1 KiB where the
/// same handler over stream pipes served ~0.7 M (docs/benchmarks.md). A stream pipe reads in large chunks straight
/// from the socket on the reading task itself. TLS sits between the socket and the pipes as an SslStream.
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

    /// <summary>How long a client has to finish its TLS handshake (a silent or plaintext client is cut off then).</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public const string AnonymousPrincipal = "User:ANONYMOUS";

    private async Task ServeAsync(long id, Socket client)
    {
        // Off the accept loop at once: the connection's first read must not hold up the next accept.
        await Task.Yield();
        var remote = client.RemoteEndPoint;
        Stream stream = new NetworkStream(client, ownsSocket: true);
        var principal = AnonymousPrincipal;
        if (Options.Tls is { } tls)
        {
            var secured = await HandshakeAsync(stream, tls, remote);
            if (secured is null)
            {
                _connections.TryRemove(id, out _);
                return;
            }
            (stream, principal) = secured.Value;
        }
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, minimumReadSize: ReadBufferBytes / 4, leaveOpen: true));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
        var transport = new ClientTransport(stream, input, output, $"{Options.Name}-{id}", remote, client.Dispose, principal);
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

    /// <summary>
    /// The server side of the TLS handshake: the stream to read and write, and the principal a client certificate
    /// names; null, with the reason logged, when the handshake fails (plaintext bytes, a foreign or expired
    /// certificate, a client that says nothing), and the connection is closed.
    /// </summary>
    private async Task<(Stream Stream, string Principal)?> HandshakeAsync(Stream stream, TlsSettings tls, EndPoint? remote)
    {
        string? rejection = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificate = tls.Certificate,
            ClientCertificateRequired = tls.ClientCa is not null,   // asked for, not required: TLS alone is fine too
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null || tls.ClientCa is null)
                    return true;
                rejection = ClientCertificateProblem(new X509Certificate2(certificate), tls.ClientCa);
                return rejection is null;
            },
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            var reason = rejection ?? (e is OperationCanceledException ? $"no handshake within {HandshakeTimeout.TotalSeconds:0} s" : e.Message);
            _logger.LogWarning("TLS handshake with {Remote} on {Listener} failed, connection closed: {Reason}", remote, Options.Name, reason);
            await ssl.DisposeAsync();
            return null;
        }
        var principal = ssl.RemoteCertificate is { } presented ? "User:" + new X509Certificate2(presented).Subject : AnonymousPrincipal;
        return (ssl, principal);
    }

    /// <summary>Why a client certificate is refused, or null when it chains to the client CA and is within its validity.</summary>
    private static string? ClientCertificateProblem(X509Certificate2 certificate, X509Certificate2 clientCa)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(clientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(certificate))
            return null;
        var problems = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return $"client certificate {certificate.Subject} (issued by {certificate.Issuer}) is not accepted: {problems}";
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
