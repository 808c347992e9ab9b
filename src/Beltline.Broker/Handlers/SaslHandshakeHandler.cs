using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Sasl;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// SaslHandshake (key 17) v0–1, KIP-43, KIP-152: picks the mechanism for the SaslAuthenticate requests that follow.
/// A listener without SASL, or a mechanism it does not enable, gets UNSUPPORTED_SASL_MECHANISM and the list it has.
/// After v0 the tokens follow raw on the socket (size-prefixed, no Kafka header), which the connection then reads.
/// </summary>
internal sealed class SaslHandshakeHandler(CredentialStore credentials, ILogger logger) : RequestHandler<SaslHandshakeRequest, SaslHandshakeResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    /// <summary>Needs no ACL: clients must reach it before they can be anyone.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<SaslHandshakeResponse?> HandleAsync(RequestContext context, SaslHandshakeRequest request)
    {
        var enabled = context.Listener.SaslMechanisms;
        var response = new SaslHandshakeResponse { Mechanisms = [.. enabled] };
        if (!enabled.Contains(request.Mechanism))
        {
            Logger.LogInformation("Client {ClientId} at {Remote} asked for SASL {Mechanism} on {Listener}, which enables {Enabled}",
                context.Header.ClientId, context.RemoteEndPoint, request.Mechanism, context.Listener.Name, enabled.Count == 0 ? "none" : string.Join(", ", enabled));
            response.ErrorCode = ErrorCode.UnsupportedSaslMechanism;
        }
        else
        {
            context.Session.Exchange = SaslServers.Create(request.Mechanism, credentials);
            context.Session.RawTokens = context.ApiVersion == 0;
        }
        return ValueTask.FromResult<SaslHandshakeResponse?>(response);
    }

    public override SaslHandshakeResponse ErrorResponse(SaslHandshakeRequest request, ErrorCode error) => new() { ErrorCode = error, Mechanisms = [] };
}
