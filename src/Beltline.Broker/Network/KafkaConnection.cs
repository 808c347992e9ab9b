using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Threading.Channels;
using Beltline.Broker.Handlers;
using Beltline.Broker.Telemetry;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Network;

/// <summary>
/// One client connection. Requests are read in order and started in order, and their responses written in the
/// same order (Kafka's per-connection guarantee). A response that is ready at once, with none queued before it,
/// is written by the reading loop itself; otherwise responses queue for a second loop, so a produce waiting for
/// fsync or a fetch waiting for data does not stop the next request from being read and started.
/// </summary>
internal sealed class KafkaConnection(
    ClientTransport connection,
    ListenerOptions listener,
    RequestDispatcher dispatcher,
    BrokerMetrics metrics,
    int maxFrameBytes,
    ILogger logger,
    CancellationToken brokerStopping,
    Beltline.Security.Acls.Authorizer? authorizer = null,
    TimeSpan? saslSessionLifetime = null)
{
    /// <summary>Requests started but not yet answered; beyond it the connection stops reading (backpressure).</summary>
    private const int MaxInFlight = 512;

    /// <summary>
    /// Bytes of request buffers (produce batches) held by requests not yet answered; past it the connection stops
    /// reading until some are answered, so pipelined requests cannot pile up memory.
    /// </summary>
    private const long MaxHeldRequestBytes = 256L * 1024 * 1024;

    /// <summary>Response bytes written but not flushed past which we flush, so a client that does not read applies backpressure.</summary>
    private const long FlushThresholdBytes = 256 * 1024;

    /// <summary>Frames at least this large are read past the pipe, straight into their own buffer.</summary>
    private const int DirectReadMinBytes = 64 * 1024;

    /// <summary>Produce frames at least this large are placed for direct I/O; smaller batches are cheap to stage.</summary>
    private const int PlacedFrameMinBytes = 64 * 1024;

    /// <summary>First bytes of a frame read to place it: header and produce request up to the first batch.</summary>
    private const int PlacementPrefixBytes = 2048;

    private readonly ConnectionSession _session = new(connection.Principal, listener.UsesSasl, saslSessionLifetime);

    /// <summary>A started request; <see cref="Frame"/> is its frame when the request still needs it (produce batches).</summary>
    private readonly record struct PendingResponse(RequestContext Context, ValueTask<IKafkaMessage?> Response, RequestFrame? Frame);

    private readonly SemaphoreSlim _bufferReleased = new(0);
    private long _heldRequestBytes;

    /// <summary>Responses queued for the writing loop and not yet written and flushed by it.</summary>
    private int _queued;

    /// <summary>Responses the reading loop wrote to the pipe and has not flushed.</summary>
    private bool _unflushed;

    /// <summary>Cleared when the connection must close (a write failed, or a request can only be answered by closing).</summary>
    private volatile bool _healthy = true;

    public async Task RunAsync()
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(brokerStopping);
        var pending = Channel.CreateBounded<PendingResponse>(new BoundedChannelOptions(MaxInFlight) { SingleReader = true, SingleWriter = true });
        var writer = WriteQueuedResponsesAsync(pending.Reader, connection.Output);
        metrics.ConnectionOpened();
        logger.LogDebug("Connection {ConnectionId} from {Remote} on {Listener} as {Principal}", connection.ConnectionId, connection.RemoteEndPoint, listener.Name, connection.Principal);
        try
        {
            await ReadRequestsAsync(connection.Input, connection.Output, pending.Writer, aborted.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client went away or the broker is stopping.
        }
        finally
        {
            pending.Writer.TryComplete();
            // Nothing more will be read: end long polls now rather than hold the connection for their full wait.
            await aborted.CancelAsync();
            await writer;
            metrics.ConnectionClosed();
            logger.LogDebug("Connection {ConnectionId} from {Remote} closed", connection.ConnectionId, connection.RemoteEndPoint);
        }
    }

    private async Task ReadRequestsAsync(PipeReader input, PipeWriter output, ChannelWriter<PendingResponse> pending, CancellationToken aborted)
    {
        // Bytes the next frame needs: waiting for all of them at once (rather than waking per network read)
        // keeps a request from costing a wake-up per read.
        var needed = 0;
        while (true)
        {
            var result = needed > 0 ? await input.ReadAtLeastAsync(needed, aborted) : await input.ReadAsync(aborted);
            var buffer = result.Buffer;
            // A large frame of which only the start is here: the rest is read from the stream, past the pipe.
            RequestFrame? arriving = null;
            var arrived = 0;
            try
            {
                while (true)
                {
                    var status = FrameParser.TryReadFrame(ref buffer, maxFrameBytes, out var body, out var size);
                    if (status == FrameStatus.Incomplete)
                    {
                        needed = 0;
                        if (buffer.Length < FrameParser.SizePrefixLength)
                            break;
                        if (size < DirectReadMinBytes)
                        {
                            needed = FrameParser.SizePrefixLength + size;
                            break;
                        }
                        await WaitForBufferRoomAsync(aborted);
                        var received = buffer.Slice(FrameParser.SizePrefixLength);
                        arriving = ReceiveInto(received, size);
                        arrived = (int)received.Length;
                        buffer = buffer.Slice(buffer.End);
                        break;
                    }
                    if (status != FrameStatus.Complete)
                    {
                        RejectConnection(status == FrameStatus.TooLarge
                            ? $"frame of {size} bytes exceeds the limit of {maxFrameBytes} (socket.request.max.bytes)"
                            : $"invalid frame size {size}", null);
                        return;
                    }
                    await WaitForBufferRoomAsync(aborted);
                    if (!await StartAsync(ReceiveInto(body, size), output, pending, aborted))
                        return;
                }
                // Every whole frame of this read is handled: send what was written inline in one flush.
                if (!await FlushInlineAsync(output, aborted))
                {
                    arriving?.Return();
                    return;
                }
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty || arriving is not null)
                        logger.LogDebug("Connection {ConnectionId} closed mid-frame", connection.ConnectionId);
                    arriving?.Return();
                    return;
                }
            }
            finally
            {
                // Marking bytes examined would make ReadAtLeastAsync count only bytes arriving after them.
                if (needed > 0)
                    input.AdvanceTo(buffer.Start);
                else
                    input.AdvanceTo(buffer.Start, buffer.End);
            }
            if (arriving is { } frame)
            {
                if (!await ReadRestAsync(frame, arrived, aborted)
                    || !await StartAsync(frame, output, pending, aborted)
                    || !await FlushInlineAsync(output, aborted))
                    return;
            }
        }
    }

    /// <summary>Pipelined requests hold their buffers until answered: past the cap, stop reading until some are.</summary>
    private async ValueTask WaitForBufferRoomAsync(CancellationToken aborted)
    {
        while (Volatile.Read(ref _heldRequestBytes) > MaxHeldRequestBytes)
            await _bufferReleased.WaitAsync(aborted);
    }

    /// <summary>Reads the rest of a frame from the stream (the pipe holds nothing unread); false, releasing it, when the client went away first.</summary>
    private async ValueTask<bool> ReadRestAsync(RequestFrame frame, int arrived, CancellationToken aborted)
    {
        try
        {
            while (arrived < frame.Length)
            {
                var read = await connection.Stream.ReadAsync(frame.Memory[arrived..], aborted);
                if (read == 0)
                {
                    logger.LogDebug("Connection {ConnectionId} closed mid-frame", connection.ConnectionId);
                    frame.Return();
                    return false;
                }
                arrived += read;
            }
            return true;
        }
        catch
        {
            frame.Return();
            throw;
        }
    }

    /// <summary>Starts a frame's request and answers it here when it is done at once; false closes the connection.</summary>
    private async ValueTask<bool> StartAsync(RequestFrame frame, PipeWriter output, ChannelWriter<PendingResponse> pending, CancellationToken aborted)
    {
        if (!TryStart(frame, aborted, out var next))
            return false;
        // Answered already and nothing queued before it: write it here and spare the hand-off to the writing
        // loop (which, with _queued at 0, is idle and not touching the pipe).
        if (Volatile.Read(ref _queued) == 0 && next.Response.IsCompletedSuccessfully)
        {
            Complete(next, output);
            if (!_healthy || next.Context.CloseAfterResponse)
                return false;   // reading stops; the writing loop's last flush still sends what was written
            _unflushed = true;
            return output.UnflushedBytes <= FlushThresholdBytes || await FlushInlineAsync(output, aborted);
        }
        // From here the writing loop owns the pipe: hand it over with nothing of ours half-sent.
        if (!await FlushInlineAsync(output, aborted))
            return false;
        Interlocked.Increment(ref _queued);
        try
        {
            await pending.WriteAsync(next, aborted);
        }
        catch
        {
            Abandon(next);
            throw;
        }
        return true;
    }

    /// <summary>Flushes responses the reading loop wrote; false when the flush was cancelled.</summary>
    private async ValueTask<bool> FlushInlineAsync(PipeWriter output, CancellationToken aborted)
    {
        if (!_unflushed)
            return true;
        _unflushed = false;
        return !(await output.FlushAsync(aborted)).IsCanceled;
    }

    /// <summary>
    /// A buffer for a frame of <paramref name="length"/> bytes holding <paramref name="received"/>, its first
    /// bytes (or all of them). Produce frames of some size are placed for direct I/O when their start says where.
    /// </summary>
    private RequestFrame ReceiveInto(in ReadOnlySequence<byte> received, int length)
    {
        var frame = length >= PlacedFrameMinBytes && FindDiskPlacement(received) is { } placement
            ? RequestFrame.RentPlaced(length, placement.BodyOffset, placement.BlockOffset)
            : RequestFrame.Rent(length);
        received.CopyTo(frame.Memory.Span);
        return frame;
    }

    /// <summary>Where a frame's bytes that go to disk start (frame offset) and the block offset they want, from its first bytes.</summary>
    private DiskPlacement? FindDiskPlacement(in ReadOnlySequence<byte> received)
    {
        var prefixLength = (int)Math.Min(received.Length, PlacementPrefixBytes);
        if (prefixLength < RequestHeader.FixedPrefixLength)
            return null;
        var prefix = received.First.Length >= prefixLength ? received.First[..prefixLength] : received.Slice(0, prefixLength).ToArray();
        var apiKey = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(prefix.Span);
        var version = BinaryPrimitives.ReadInt16BigEndian(prefix.Span[2..]);
        if (!dispatcher.TryGetHandler(apiKey, out var handler) || !handler.RetainsRequestBody || version < handler.MinVersion || version > handler.MaxVersion)
            return null;
        try
        {
            var reader = new KafkaReader(prefix);
            RequestHeader.Read(ref reader);
            return handler.PlaceBody(version, prefix[reader.Position..]) is { } inBody
                ? inBody with { BodyOffset = reader.Position + inBody.BodyOffset }
                : null;
        }
        catch (KafkaProtocolException)
        {
            return null; // TryStart reports the malformed header
        }
    }

    /// <summary>Reads the frame's header and starts its handler; false closes the connection. Takes over the frame's buffer.</summary>
    private bool TryStart(RequestFrame frame, CancellationToken aborted, out PendingResponse started)
    {
        started = default;
        if (_session.RawTokens)
            return TryRawSaslToken(frame, aborted, out started);
        if (frame.Length < RequestHeader.FixedPrefixLength)
        {
            RejectConnection($"frame of {frame.Length} bytes is too short for a request header", null);
            frame.Return();
            return false;
        }
        var body = frame.Memory;
        var apiKey = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(body.Span);
        var version = BinaryPrimitives.ReadInt16BigEndian(body.Span[2..]);
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(body.Span[4..]);
        try
        {
            if (!_session.MayServe && apiKey is not (ApiKey.ApiVersions or ApiKey.SaslHandshake or ApiKey.SaslAuthenticate))
            {
                // Kafka's "Unexpected Kafka request during SASL handshake", or a session past its lifetime (KIP-368).
                RejectConnection(_session.Authenticated
                    ? $"{apiKey} request after the SASL session expired (the client must re-authenticate)"
                    : $"{apiKey} request before SASL authentication", null);
                frame.Return();
                return false;
            }
            if (!dispatcher.TryGetHandler(apiKey, out var handler))
            {
                RejectConnection($"unknown or unsupported API key {(short)apiKey}", null);
                frame.Return();
                return false;
            }
            if (version < handler.MinVersion || version > handler.MaxVersion)
            {
                if (apiKey == ApiKey.ApiVersions)
                {
                    // KIP-511: answer in v0 with UNSUPPORTED_VERSION and our ranges, so the client can pick a version.
                    var header = new RequestHeader(apiKey, 0, correlationId, null);
                    var context = new RequestContext(header, listener, connection.RemoteEndPoint, aborted, _session, authorizer);
                    frame.Return();
                    started = new PendingResponse(context, ValueTask.FromResult<IKafkaMessage?>(dispatcher.UnsupportedApiVersionsResponse()), null);
                    return true;
                }
                RejectConnection($"{apiKey} v{version} is not supported (supported: v{handler.MinVersion}-v{handler.MaxVersion})", null);
                frame.Return();
                return false;
            }
            var reader = new KafkaReader(body);
            var requestHeader = RequestHeader.Read(ref reader);
            var requestContext = new RequestContext(requestHeader, listener, connection.RemoteEndPoint, aborted, _session, authorizer);
            var response = handler.HandleAsync(requestContext, body[reader.Position..]);
            // Parsed requests hold copies of what they need, except produce batches, which are slices of the frame.
            if (!handler.RetainsRequestBody)
            {
                frame.Return();
                started = new PendingResponse(requestContext, response, null);
                return true;
            }
            Interlocked.Add(ref _heldRequestBytes, frame.HeldBytes);
            started = new PendingResponse(requestContext, response, frame);
            return true;
        }
        catch (Exception e)
        {
            // KafkaProtocolException for bytes that do not parse; anything else a request could make a codec throw
            // (bad UTF-8, impossible values) is the client's fault too, and costs only this connection.
            RejectConnection($"malformed {apiKey} v{version} request (correlation id {correlationId})", e.Message);
            frame.Return();
            return false;
        }
    }

    /// <summary>
    /// A SASL token sent raw after a v0 SaslHandshake (KIP-43's original framing: size, then the token). The answer
    /// goes back the same way; a failed exchange closes the connection without one, as Kafka does.
    /// </summary>
    private bool TryRawSaslToken(RequestFrame frame, CancellationToken aborted, out PendingResponse started)
    {
        started = default;
        var exchange = _session.Exchange!;
        try
        {
            var answer = exchange.Evaluate(frame.Memory.Span);
            if (exchange.IsComplete)
            {
                _session.Authenticate(exchange.User!);
                logger.LogInformation("Connection {ConnectionId} from {Remote} authenticated as {Principal} with {Mechanism} (raw SASL tokens) on {Listener}",
                    connection.ConnectionId, connection.RemoteEndPoint, _session.Principal, exchange.Mechanism, listener.Name);
            }
            var context = new RequestContext(new RequestHeader(ApiKey.SaslAuthenticate, 0, 0, null), listener, connection.RemoteEndPoint, aborted, _session, authorizer);
            started = new PendingResponse(context, ValueTask.FromResult<IKafkaMessage?>(new RawSaslToken(answer)), null);
            return true;
        }
        catch (Beltline.Security.Sasl.SaslAuthenticationException e)
        {
            RejectConnection($"SASL {exchange.Mechanism} authentication failed", e.Message);
            return false;
        }
        finally
        {
            frame.Return();
        }
    }

    /// <summary>A raw SASL token as the answer to one: written without a Kafka response header.</summary>
    private sealed class RawSaslToken(byte[] token) : IKafkaMessage
    {
        public void Write(ref KafkaWriter writer, short version) => writer.WriteRaw(token);
    }

    private void ReturnBuffer(PendingResponse item)
    {
        if (item.Frame is not { } frame)
            return;
        frame.Return();
        Interlocked.Add(ref _heldRequestBytes, -frame.HeldBytes);
        if (_bufferReleased.CurrentCount == 0)
            _bufferReleased.Release();
    }

    /// <summary>A started request that will never be answered (the connection went while queueing it): release what it holds once it ends.</summary>
    private void Abandon(PendingResponse item)
    {
        Interlocked.Decrement(ref _queued);
        _ = item.Response.AsTask().ContinueWith(_ =>
        {
            ReturnBuffer(item);
            item.Context.ReleaseResources();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void RejectConnection(string reason, string? detail)
    {
        metrics.ProtocolErrors.Add(1);
        logger.LogWarning("Closing connection {ConnectionId} from {Remote}: {Reason}{Detail}",
            connection.ConnectionId, connection.RemoteEndPoint, reason, detail is null ? "" : $" ({detail})");
    }

    private async Task WriteQueuedResponsesAsync(ChannelReader<PendingResponse> pending, PipeWriter output)
    {
        await foreach (var queued in pending.ReadAllAsync())
        {
            var item = queued;
            if (!item.Response.IsCompleted)
            {
                // A ValueTask is consumed once: wait on its task, then hand that (completed) task on.
                var task = item.Response.AsTask();
                await ((Task)task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                item = item with { Response = new ValueTask<IKafkaMessage?>(task) };
            }
            Complete(item, output);
            if (_healthy && (pending.Count == 0 || output.UnflushedBytes > FlushThresholdBytes || item.Context.CloseAfterResponse))
                _healthy = await FlushAsync(output);
            if (item.Context.CloseAfterResponse)
                _healthy = false;
            // Only now, written and flushed, may the reading loop write to the pipe again.
            Interlocked.Decrement(ref _queued);
            if (!_healthy)
                connection.Abort();
        }
        if (_healthy)
            await FlushAsync(output);
    }

    private static async Task<bool> FlushAsync(PipeWriter output)
    {
        try
        {
            return !(await output.FlushAsync()).IsCanceled;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes a finished request's response (if it has one and the connection is healthy) and releases what the
    /// request held. The response task must have completed.
    /// </summary>
    private void Complete(PendingResponse item, PipeWriter output)
    {
        IKafkaMessage? response = null;
        try
        {
            response = item.Response.Result;
        }
        catch (CloseConnectionException e)
        {
            logger.LogInformation("Closing connection {ConnectionId} from {Remote}: {Reason}", connection.ConnectionId, connection.RemoteEndPoint, e.Message);
            _healthy = false;
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Api} request on connection {ConnectionId} failed without a response", item.Context.Header.ApiKey, connection.ConnectionId);
            _healthy = false;
        }
        finally
        {
            ReturnBuffer(item);
        }
        try
        {
            if (_healthy && response is not null)
                WriteFrame(output, item.Context.Header, response);
            metrics.RequestHandled(item.Context.Header.ApiKey, System.Diagnostics.Stopwatch.GetElapsedTime(item.Context.ReceivedAt).TotalMilliseconds);
        }
        catch (Exception e)
        {
            if (e is not (IOException or InvalidOperationException))
                logger.LogError(e, "Writing the {Api} response on connection {ConnectionId} failed", item.Context.Header.ApiKey, connection.ConnectionId);
            _healthy = false;
        }
        finally
        {
            item.Context.ReleaseResources();
        }
    }

    /// <summary>
    /// Writes size, response header and body straight into the pipe. The size is only known at the end, so its
    /// four bytes are reserved first and filled in before the flush; nothing reaches the socket before FlushAsync.
    /// </summary>
    private static void WriteFrame(PipeWriter output, RequestHeader request, IKafkaMessage response)
    {
        var sizeSlot = output.GetMemory(FrameParser.SizePrefixLength)[..FrameParser.SizePrefixLength];
        output.Advance(FrameParser.SizePrefixLength);
        var writer = new KafkaWriter(output);
        if (response is not RawSaslToken)
            ResponseHeader.Write(ref writer, request.CorrelationId, ApiSpec.UsesFlexibleResponseHeader(request.ApiKey, request.ApiVersion));
        response.Write(ref writer, request.ApiVersion);
        writer.Commit();
        BinaryPrimitives.WriteInt32BigEndian(sizeSlot.Span, checked((int)writer.BytesWritten));
    }
}
