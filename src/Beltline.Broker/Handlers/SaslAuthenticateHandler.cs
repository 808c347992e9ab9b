using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Sasl;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// SaslAuthenticate (key 36) v0–2, KIP-152; KIP-368 (v1: session lifetime). Carries one token of the mechanism picked
/// by SaslHandshake each way. A failure answers SASL_AUTHENTICATION_FAILED with Kafka's message and closes the
/// connection, as Kafka does; a request out of turn answers ILLEGAL_SASL_STATE and closes it too.
/// </summary>
internal sealed class SaslAuthenticateHandler(ILogger logger) : RequestHandler<SaslAuthenticateRequest, SaslAuthenticateResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    /// <summary>Needs no ACL: clients must reach it before they can be anyone.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<SaslAuthenticateResponse?> HandleAsync(RequestContext context, SaslAuthenticateRequest request)
    {
        var session = context.Session;
        if (session.Exchange is not { } exchange)
        {
            context.CloseAfterResponse = true;
            return Answer(new SaslAuthenticateResponse { ErrorCode = ErrorCode.IllegalSaslState, ErrorMessage = "SaslAuthenticate without a successful SaslHandshake first" });
        }
        try
        {
            var token = exchange.Evaluate(request.AuthBytes);
            var response = new SaslAuthenticateResponse { AuthBytes = token };
            if (exchange.IsComplete)
            {
                session.Authenticate(exchange.User!);
                response.SessionLifetimeMs = session.Lifetime is { } lifetime ? (long)lifetime.TotalMilliseconds : 0;
                Logger.LogInformation("Client {ClientId} at {Remote} authenticated as {Principal} with {Mechanism} on {Listener}",
                    context.Header.ClientId, context.RemoteEndPoint, session.Principal, exchange.Mechanism, context.Listener.Name);
            }
            return Answer(response);
        }
        catch (SaslAuthenticationException e)
        {
            Logger.LogWarning("SASL {Mechanism} authentication of client {ClientId} at {Remote} on {Listener} failed, connection closed: {Reason}",
                exchange.Mechanism, context.Header.ClientId, context.RemoteEndPoint, context.Listener.Name, e.Message);
            session.Exchange = null;
            context.CloseAfterResponse = true;
            return Answer(new SaslAuthenticateResponse { ErrorCode = ErrorCode.SaslAuthenticationFailed, ErrorMessage = e.Message });
        }
    }

    private static ValueTask<SaslAuthenticateResponse?> Answer(SaslAuthenticateResponse response) => ValueTask.FromResult<SaslAuthenticateResponse?>(response);

    public override SaslAuthenticateResponse ErrorResponse(SaslAuthenticateRequest request, ErrorCode error) => new() { ErrorCode = error };
}
