using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>Heartbeat (key 12) v0–4: keeps the member's session; REBALANCE_IN_PROGRESS tells it to rejoin (KIP-345 instance id v3+).</summary>
internal sealed class HeartbeatHandler(BrokerNode node, ILogger logger) : RequestHandler<HeartbeatRequest, HeartbeatResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    /// <summary>READ on the group.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request) =>
        ValueTask.FromResult<HeartbeatResponse?>(new HeartbeatResponse
        {
            ErrorCode = !context.IsAllowed(AclOperation.Read, ResourceType.Group, request.GroupId) ? ErrorCode.GroupAuthorizationFailed
                : node.Groups.Heartbeat(request.GroupId, request.GenerationId, request.MemberId, context.ApiVersion >= 3 ? request.GroupInstanceId : null),
        });

    public override HeartbeatResponse ErrorResponse(HeartbeatRequest request, ErrorCode error) => new() { ErrorCode = error };
}
