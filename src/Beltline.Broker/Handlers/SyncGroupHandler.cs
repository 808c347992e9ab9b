using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// SyncGroup (key 14) v0–5: the leader hands in the assignment, every member gets its part; KIP-345 instance id
/// (v3+), KIP-559 protocol type and name checked (v5).
/// </summary>
internal sealed class SyncGroupHandler(BrokerNode node, ILogger logger) : RequestHandler<SyncGroupRequest, SyncGroupResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    /// <summary>READ on the group.</summary>
    protected override bool AuthorizesItself => true;

    protected override async ValueTask<SyncGroupResponse?> HandleAsync(RequestContext context, SyncGroupRequest request)
    {
        if (!context.IsAllowed(AclOperation.Read, ResourceType.Group, request.GroupId))
            return ErrorResponse(request, ErrorCode.GroupAuthorizationFailed);
        var version = context.ApiVersion;
        var result = await node.Groups.SyncAsync(request.GroupId, request.GenerationId, request.MemberId,
            version >= 3 ? request.GroupInstanceId : null, version >= 5 ? request.ProtocolType : null, version >= 5 ? request.ProtocolName : null,
            [.. request.Assignments.Select(a => (a.MemberId, a.Assignment.ToArray()))]).WaitAsync(context.Aborted);
        return new SyncGroupResponse
        {
            ErrorCode = result.Error,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
            Assignment = result.Assignment ?? [],
        };
    }

    public override SyncGroupResponse ErrorResponse(SyncGroupRequest request, ErrorCode error) => new() { ErrorCode = error };
}
