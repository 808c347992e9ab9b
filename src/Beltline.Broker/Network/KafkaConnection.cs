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
    CancellationToken brokerStopping)
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

    /// <summary>A started request; <see cref="Buffer"/> is its frame when the request still needs it (produce batches).</summary>
    private readonly record struct PendingResponse(RequestContext Context, ValueTask<IKafkaMessage?> Response, byte[]? Buffer);

    private readonly SemaphoreSlim _bufferReleased = new(0);
    private long _heldRequestBytes;

    /// <summary>Responses queued for the writing loop and not yet written and flushed by it.</summary>
    private int _queued;

    /// <summary>Cleared when the connection must close (a write failed, or a request can only be answered by closing).</summary>
    private volatile bool _healthy = true;

    public async Task RunAsync()
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(brokerStopping);
        var pending = Channel.CreateBounded<PendingResponse>(new BoundedChannelOptions(MaxInFlight) { SingleReader = true, SingleWriter = true });
        var writer = WriteQueuedResponsesAsync(pending.Reader, connection.Output);
        metrics.ConnectionOpened();
        logger.LogDebug("Connection {ConnectionId} from {Remote} on {Listener}", connection.ConnectionId, connection.RemoteEndPoint, listener.Name);
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
        // keeps a 1 MB produce request from costing hundreds of wake-ups.
        var needed = 0;
        var unflushed = false;
        while (true)
        {
            var result = needed > 0 ? await input.ReadAtLeastAsync(needed, aborted) : await input.ReadAsync(aborted);
            var buffer = result.Buffer;
            try
            {
                while (true)
                {
                    var status = FrameParser.TryReadFrame(ref buffer, maxFrameBytes, out var body, out var size);
                    if (status == FrameStatus.Incomplete)
                    {
                        needed = buffer.Length < FrameParser.SizePrefixLength ? 0 : FrameParser.SizePrefixLength + size;
                        break;
                    }
                    if (status != FrameStatus.Complete)
                    {
                        RejectConnection(status == FrameStatus.TooLarge
                            ? $"frame of {size} bytes exceeds the limit of {maxFrameBytes} (socket.request.max.bytes)"
                            : $"invalid frame size {size}", null);
                        return;
                    }
                    while (Volatile.Read(ref _heldRequestBytes) > MaxHeldRequestBytes)
                        await _bufferReleased.WaitAsync(aborted);
                    if (!TryStart(body, aborted, out var next))
                        return;
                    // Answered already and nothing queued before it: write it here and spare the hand-off to the
                    // writing loop (which, with _queued at 0, is idle and not touching the pipe).
                    if (Volatile.Read(ref _queued) == 0 && next.Response.IsCompletedSuccessfully)
                    {
                        Complete(next, output);
                        if (!_healthy)
                            return;
                        unflushed = true;
                        if (output.UnflushedBytes > FlushThresholdBytes)
                        {
                            unflushed = false;
                            if ((await output.FlushAsync(aborted)).IsCanceled)
                                return;
                        }
                        continue;
                    }
                    // From here the writing loop owns the pipe: hand it over with nothing of ours half-sent.
                    if (unflushed)
                    {
                        unflushed = false;
                        if ((await output.FlushAsync(aborted)).IsCanceled)
                            return;
                    }
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
                }
                // Every whole frame of this read is handled: send what was written inline in one flush.
                if (unflushed)
                {
                    unflushed = false;
                    if ((await output.FlushAsync(aborted)).IsCanceled)
                        return;
                }
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                        logger.LogDebug("Connection {ConnectionId} closed mid-frame ({Bytes} bytes unread)", connection.ConnectionId, buffer.Length);
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
        }
    }

    /// <summary>Copies the frame out of the pipe, reads its header and starts its handler; false closes the connection.</summary>
    private bool TryStart(in ReadOnlySequence<byte> frame, CancellationToken aborted, out PendingResponse started)
    {
        started = default;
        if (frame.Length < RequestHeader.FixedPrefixLength)
        {
            RejectConnection($"frame of {frame.Length} bytes is too short for a request header", null);
            return false;
        }
        // Contiguous copy: codecs read spans, and produce batches are patched in place and outlive the pipe segment.
        var buffer = ArrayPool<byte>.Shared.Rent((int)frame.Length);
        frame.CopyTo(buffer);
        var body = buffer.AsMemory(0, (int)frame.Length);
        var apiKey = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(body.Span);
        var version = BinaryPrimitives.ReadInt16BigEndian(body.Span[2..]);
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(body.Span[4..]);
        try
        {
            if (!dispatcher.TryGetHandler(apiKey, out var handler))
            {
                RejectConnection($"unknown or unsupported API key {(short)apiKey}", null);
                ArrayPool<byte>.Shared.Return(buffer);
                return false;
            }
            if (version < handler.MinVersion || version > handler.MaxVersion)
            {
                if (apiKey == ApiKey.ApiVersions)
                {
                    // KIP-511: answer in v0 with UNSUPPORTED_VERSION and our ranges, so the client can pick a version.
                    var header = new RequestHeader(apiKey, 0, correlationId, null);
                    var context = new RequestContext(header, listener, connection.RemoteEndPoint, aborted);
                    ArrayPool<byte>.Shared.Return(buffer);
                    started = new PendingResponse(context, ValueTask.FromResult<IKafkaMessage?>(dispatcher.UnsupportedApiVersionsResponse()), null);
                    return true;
                }
                RejectConnection($"{apiKey} v{version} is not supported (supported: v{handler.MinVersion}-v{handler.MaxVersion})", null);
                ArrayPool<byte>.Shared.Return(buffer);
                return false;
            }
            var reader = new KafkaReader(body);
            var requestHeader = RequestHeader.Read(ref reader);
            var requestContext = new RequestContext(requestHeader, listener, connection.RemoteEndPoint, aborted);
            var response = handler.HandleAsync(requestContext, body[reader.Position..]);
            // Parsed requests hold copies of what they need, except produce batches, which are slices of the frame.
            if (!handler.RetainsRequestBody)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                started = new PendingResponse(requestContext, response, null);
                return true;
            }
            Interlocked.Add(ref _heldRequestBytes, buffer.Length);
            started = new PendingResponse(requestContext, response, buffer);
            return true;
        }
        catch (Exception e)
        {
            // KafkaProtocolException for bytes that do not parse; anything else a request could make a codec throw
            // (bad UTF-8, impossible values) is the client's fault too, and costs only this connection.
            RejectConnection($"malformed {apiKey} v{version} request (correlation id {correlationId})", e.Message);
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }
    }

    private void ReturnBuffer(PendingResponse item)
    {
        if (item.Buffer is null)
            return;
        ArrayPool<byte>.Shared.Return(item.Buffer);
        Interlocked.Add(ref _heldRequestBytes, -item.Buffer.Length);
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
            if (_healthy && (pending.Count == 0 || output.UnflushedBytes > FlushThresholdBytes))
                _healthy = await FlushAsync(output);
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
        ResponseHeader.Write(ref writer, request.CorrelationId, ApiSpec.UsesFlexibleResponseHeader(request.ApiKey, request.ApiVersion));
        response.Write(ref writer, request.ApiVersion);
        writer.Commit();
        BinaryPrimitives.WriteInt32BigEndian(sizeSlot.Span, checked((int)writer.BytesWritten));
    }
}
