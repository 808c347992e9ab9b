using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>Serves one API: the versions the broker advertises for it, and the request → response work.</summary>
internal interface IRequestHandler
{
    ApiKey ApiKey { get; }

    /// <summary>Advertised range. Versions below what is implemented (old message formats) are answered with UNSUPPORTED_VERSION.</summary>
    short MinVersion { get; }

    short MaxVersion { get; }

    /// <summary>Whether the parsed request keeps slices of the request frame (produce batches), which must then live until it is answered.</summary>
    bool RetainsRequestBody { get; }

    /// <summary>
    /// For requests whose bytes are written to disk as received (produce batches): judging by the first bytes of
    /// the body, where those bytes start in it and the direct-I/O block offset they should sit at in memory to be
    /// written without a copy; null for no preference.
    /// </summary>
    DiskPlacement? PlaceBody(short version, ReadOnlyMemory<byte> bodyPrefix);

    /// <summary>
    /// Parses the body (a malformed one throws <see cref="KafkaProtocolException"/> synchronously, which closes the
    /// connection) and starts the work. A null result means "send no response" (produce with acks=0).
    /// </summary>
    ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body);
}

/// <summary>Bytes at <paramref name="BodyOffset"/> of a request body that go to disk, best placed in memory at <paramref name="BlockOffset"/> within a block.</summary>
internal readonly record struct DiskPlacement(int BodyOffset, int BlockOffset);

/// <summary>
/// Base of every API handler: parse at the request's version, run, and turn a failure into the API's own
/// error response (every topic/partition carrying UNKNOWN_SERVER_ERROR, as Kafka's getErrorResponse) so one
/// bad request never takes the connection, let alone the broker, down.
/// </summary>
internal abstract class RequestHandler<TRequest, TResponse>(ILogger logger) : IRequestHandler
    where TRequest : IKafkaMessage<TRequest>
    where TResponse : class, IKafkaMessage
{
    public ApiKey ApiKey => TRequest.ApiKey;

    public abstract short MinVersion { get; }

    public abstract short MaxVersion { get; }

    public virtual bool RetainsRequestBody => false;

    public virtual DiskPlacement? PlaceBody(short version, ReadOnlyMemory<byte> bodyPrefix) => null;

    protected ILogger Logger { get; } = logger;

    /// <summary>Whether the handler checks the ACLs itself (or needs none); others serve super users only when an authorizer is on.</summary>
    protected virtual bool AuthorizesItself => false;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body)
    {
        var reader = new KafkaReader(body);
        var request = TRequest.Read(ref reader, context.ApiVersion);
        if (context.Authorizer is { } authorizer && !AuthorizesItself && !authorizer.SuperUsers.Contains(context.Session.Principal))
        {
            // An API that does not check ACLs yet is for super users only: with an authorizer, nothing is open by default.
            Logger.LogInformation("{Api} from {Principal} refused: only super users may use it", ApiKey, context.Session.Principal);
            return ErrorResponse(request, ErrorCode.ClusterAuthorizationFailed) is { } refused
                ? ValueTask.FromResult<IKafkaMessage?>(refused)
                : ValueTask.FromException<IKafkaMessage?>(new CloseConnectionException($"{ApiKey} is for super users only"));
        }
        ValueTask<TResponse?> work;
        try
        {
            work = HandleAsync(context, request);
        }
        catch (CloseConnectionException e)
        {
            return ValueTask.FromException<IKafkaMessage?>(e);
        }
        catch (Exception e)
        {
            return Fail(context, request, e);
        }
        return work.IsCompletedSuccessfully ? ValueTask.FromResult<IKafkaMessage?>(work.Result) : AwaitAsync(context, request, work);
    }

    private async ValueTask<IKafkaMessage?> AwaitAsync(RequestContext context, TRequest request, ValueTask<TResponse?> work)
    {
        try
        {
            return await work;
        }
        catch (CloseConnectionException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.Aborted.IsCancellationRequested)
        {
            return ErrorResponse(request, ErrorCode.RequestTimedOut);
        }
        catch (Exception e)
        {
            return await Fail(context, request, e);
        }
    }

    private ValueTask<IKafkaMessage?> Fail(RequestContext context, TRequest request, Exception e)
    {
        Logger.LogError(e, "{Api} v{Version} from {Client} ({ClientId}) failed; answering UNKNOWN_SERVER_ERROR",
            ApiKey, context.ApiVersion, context.RemoteEndPoint, context.Header.ClientId);
        return ErrorResponse(request, ErrorCode.UnknownServerError) is { } response
            ? ValueTask.FromResult<IKafkaMessage?>(response)
            : ValueTask.FromException<IKafkaMessage?>(new CloseConnectionException($"{ApiKey} failed and has no response to carry the error"));
    }

    protected abstract ValueTask<TResponse?> HandleAsync(RequestContext context, TRequest request);

    /// <summary>
    /// The response that reports <paramref name="error"/> for every part of <paramref name="request"/>; null when
    /// the request gets no response (the connection is then closed instead).
    /// </summary>
    public abstract TResponse? ErrorResponse(TRequest request, ErrorCode error);
}
