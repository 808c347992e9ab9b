using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>SaslHandshake (key 17) v0–1, KIP-43: no SASL mechanism is enabled on a PLAINTEXT listener.</summary>
internal sealed class SaslHandshakeHandler(ILogger logger) : RequestHandler<SaslHandshakeRequest, SaslHandshakeResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override ValueTask<SaslHandshakeResponse?> HandleAsync(RequestContext context, SaslHandshakeRequest request)
    {
        Logger.LogInformation("Client {ClientId} at {Remote} asked for SASL {Mechanism} on {Listener}, which has no SASL mechanism enabled",
            context.Header.ClientId, context.RemoteEndPoint, request.Mechanism, context.Listener.Name);
        return ValueTask.FromResult<SaslHandshakeResponse?>(ErrorResponse(request, ErrorCode.UnsupportedSaslMechanism));
    }

    public override SaslHandshakeResponse ErrorResponse(SaslHandshakeRequest request, ErrorCode error) => new() { ErrorCode = error, Mechanisms = [] };
}
