using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>ListGroups (key 16) v0–5: every group, filtered by state (v4+, KIP-518) and type (v5+, KIP-848: all ours are "classic").</summary>
internal sealed class ListGroupsHandler(BrokerNode node, ILogger logger) : RequestHandler<ListGroupsRequest, ListGroupsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    /// <summary>Groups the principal may describe (all of them with DESCRIBE on the cluster).</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request) =>
        ValueTask.FromResult<ListGroupsResponse?>(new ListGroupsResponse
        {
            Groups = [.. node.Groups.ListGroups(request.StatesFilter, request.TypesFilter)
                .Where(g => context.IsAllowed(AclOperation.Describe, ResourceType.Cluster, AclEntry.ClusterName) || context.IsAllowed(AclOperation.Describe, ResourceType.Group, g.GroupId))
                .Select(g => new ListGroupsResponse.ListedGroup
            {
                GroupId = g.GroupId, ProtocolType = g.ProtocolType, GroupState = g.State, GroupType = g.GroupType,
            })],
        });

    public override ListGroupsResponse ErrorResponse(ListGroupsRequest request, ErrorCode error) => new() { ErrorCode = error };
}
