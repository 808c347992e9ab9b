using Beltline.Broker.Groups;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// JoinGroup (key 11) v0–9: KIP-62 rebalance timeout (v1), KIP-394 member id required (v4+), KIP-345 static
/// membership (v5+), KIP-814 skip_assignment (v9). The response waits for the rebalance to complete.
/// A group.protocol=consumer client (KIP-848) never gets here: it asks for ConsumerGroupHeartbeat, which is not served.
/// </summary>
internal sealed class JoinGroupHandler(BrokerNode node, ILogger logger) : RequestHandler<JoinGroupRequest, JoinGroupResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    /// <summary>READ on the group.</summary>
    protected override bool AuthorizesItself => true;

    protected override async ValueTask<JoinGroupResponse?> HandleAsync(RequestContext context, JoinGroupRequest request)
    {
        if (!context.IsAllowed(AclOperation.Read, ResourceType.Group, request.GroupId))
            return ErrorResponse(request, ErrorCode.GroupAuthorizationFailed);
        var version = context.ApiVersion;
        var result = await node.Groups.JoinAsync(request.GroupId, request.MemberId, version >= 5 ? request.GroupInstanceId : null,
            requireKnownMemberId: version >= 4, context.Header.ClientId ?? "", ClientHost.Of(context.RemoteEndPoint),
            version >= 1 ? request.RebalanceTimeoutMs : -1, request.SessionTimeoutMs, request.ProtocolType,
            [.. request.Protocols.Select(p => (p.Name, p.Metadata.ToArray()))]).WaitAsync(context.Aborted);
        if (result.Error is not (ErrorCode.None or ErrorCode.MemberIdRequired))
            Logger.LogDebug("JoinGroup {Group} from {ClientId}: {Error}", request.GroupId, context.Header.ClientId, result.Error);
        return new JoinGroupResponse
        {
            ErrorCode = result.Error,
            GenerationId = result.GenerationId,
            ProtocolType = result.ProtocolType,
            // Null only exists from v7; older versions carry "" for "no protocol".
            ProtocolName = result.ProtocolName ?? (version >= 7 ? null : ""),
            Leader = result.LeaderId,
            SkipAssignment = result.SkipAssignment,
            MemberId = result.MemberId,
            Members = [.. result.Members.Select(m => new JoinGroupResponse.Member { MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, Metadata = m.Metadata })],
        };
    }

    public override JoinGroupResponse ErrorResponse(JoinGroupRequest request, ErrorCode error) =>
        new() { ErrorCode = error, MemberId = request.MemberId, ProtocolName = "" };
}
