using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// ConsumerGroupHeartbeat (key 68) v0–1, KIP-848: served only to refuse it clearly. This broker runs the classic
/// protocol; a client with group.protocol=consumer gets UNSUPPORTED_VERSION with a message saying what to set,
/// which librdkafka raises as a fatal error. (Not listing the API at all leaves such a client retrying silently.)
/// </summary>
internal sealed class ConsumerGroupHeartbeatHandler(ILogger logger) : RequestHandler<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>(logger)
{
    public const string Refusal = "This broker runs the classic consumer group protocol only (KIP-848 is not available): set group.protocol=classic.";

    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    /// <summary>Needs no ACL: it refuses everyone the same way.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<ConsumerGroupHeartbeatResponse?> HandleAsync(RequestContext context, ConsumerGroupHeartbeatRequest request)
    {
        Logger.LogWarning("Client {ClientId} asked to join group {Group} with the KIP-848 consumer protocol; refused", context.Header.ClientId, request.GroupId);
        return ValueTask.FromResult<ConsumerGroupHeartbeatResponse?>(ErrorResponse(request, ErrorCode.UnsupportedVersion));
    }

    public override ConsumerGroupHeartbeatResponse ErrorResponse(ConsumerGroupHeartbeatRequest request, ErrorCode error) =>
        new() { ErrorCode = error, ErrorMessage = error == ErrorCode.UnsupportedVersion ? Refusal : null, MemberId = request.MemberId };
}
