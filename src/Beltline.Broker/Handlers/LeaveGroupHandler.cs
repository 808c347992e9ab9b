using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// LeaveGroup (key 13) v0–5: one member (v0–2) or a batch of them, static members by instance id (v3+, KIP-345).
/// A batch gets one error per member; the top-level error is only for the single-member versions.
/// </summary>
internal sealed class LeaveGroupHandler(BrokerNode node, ILogger logger) : RequestHandler<LeaveGroupRequest, LeaveGroupResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    /// <summary>READ on the group.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<LeaveGroupResponse?> HandleAsync(RequestContext context, LeaveGroupRequest request)
    {
        if (!context.IsAllowed(AclOperation.Read, ResourceType.Group, request.GroupId))
            return ValueTask.FromResult<LeaveGroupResponse?>(ErrorResponse(request, ErrorCode.GroupAuthorizationFailed));
        if (context.ApiVersion < 3)
        {
            var error = node.Groups.Leave(request.GroupId, [(request.MemberId, null)])[0];
            return ValueTask.FromResult<LeaveGroupResponse?>(new LeaveGroupResponse { ErrorCode = error });
        }
        var errors = node.Groups.Leave(request.GroupId, [.. request.Members.Select(m => (m.MemberId, m.GroupInstanceId))]);
        return ValueTask.FromResult<LeaveGroupResponse?>(new LeaveGroupResponse
        {
            Members = [.. request.Members.Zip(errors, (m, e) => new LeaveGroupResponse.MemberResponse
            {
                MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, ErrorCode = e,
            })],
        });
    }

    public override LeaveGroupResponse ErrorResponse(LeaveGroupRequest request, ErrorCode error) => new()
    {
        ErrorCode = error,
        Members = [.. request.Members.Select(m => new LeaveGroupResponse.MemberResponse { MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, ErrorCode = error })],
    };
}
