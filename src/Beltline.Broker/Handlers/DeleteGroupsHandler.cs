using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>DeleteGroups (key 42) v0–2, KIP-229: empty groups are removed with their offsets; others get NON_EMPTY_GROUP.</summary>
internal sealed class DeleteGroupsHandler(BrokerNode node, ILogger logger) : RequestHandler<DeleteGroupsRequest, DeleteGroupsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    /// <summary>DELETE on each group.</summary>
    protected override bool AuthorizesItself => true;

    protected override async ValueTask<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request)
    {
        var response = new DeleteGroupsResponse();
        foreach (var groupId in request.GroupsNames)
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult
            {
                GroupId = groupId,
                ErrorCode = context.IsAllowed(AclOperation.Delete, ResourceType.Group, groupId) ? await node.Groups.DeleteGroupAsync(groupId) : ErrorCode.GroupAuthorizationFailed,
            });
        return response;
    }

    public override DeleteGroupsResponse ErrorResponse(DeleteGroupsRequest request, ErrorCode error) => new()
    {
        Results = [.. request.GroupsNames.Select(g => new DeleteGroupsResponse.DeletableGroupResult { GroupId = g, ErrorCode = error })],
    };
}
