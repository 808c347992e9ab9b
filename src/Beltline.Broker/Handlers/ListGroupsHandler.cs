using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>ListGroups (key 16) v0–5: every group, filtered by state (v4+, KIP-518) and type (v5+, KIP-848: all ours are "classic").</summary>
internal sealed class ListGroupsHandler(BrokerNode node, ILogger logger) : RequestHandler<ListGroupsRequest, ListGroupsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override ValueTask<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request) =>
        ValueTask.FromResult<ListGroupsResponse?>(new ListGroupsResponse
        {
            Groups = [.. node.Groups.ListGroups(request.StatesFilter, request.TypesFilter).Select(g => new ListGroupsResponse.ListedGroup
            {
                GroupId = g.GroupId, ProtocolType = g.ProtocolType, GroupState = g.State, GroupType = g.GroupType,
            })],
        });

    public override ListGroupsResponse ErrorResponse(ListGroupsRequest request, ErrorCode error) => new() { ErrorCode = error };
}
