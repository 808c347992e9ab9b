using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// DescribeGroups (key 15) v0–5: state, protocol and members (metadata and assignment only when Stable, as Kafka);
/// an unknown group is reported Dead; KIP-430 authorized operations (v3+).
/// </summary>
internal sealed class DescribeGroupsHandler(BrokerNode node, ILogger logger) : RequestHandler<DescribeGroupsRequest, DescribeGroupsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    /// <summary>DESCRIBE on each group.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<DescribeGroupsResponse?> HandleAsync(RequestContext context, DescribeGroupsRequest request) =>
        ValueTask.FromResult<DescribeGroupsResponse?>(new DescribeGroupsResponse
        {
            Groups = [.. request.Groups.Select(id =>
            {
                if (!context.IsAllowed(AclOperation.Describe, ResourceType.Group, id))
                    return new DescribeGroupsResponse.DescribedGroup { ErrorCode = ErrorCode.GroupAuthorizationFailed, GroupId = id };
                var summary = node.Groups.DescribeGroup(id);
                return new DescribeGroupsResponse.DescribedGroup
                {
                    ErrorCode = summary.Error,
                    GroupId = id,
                    GroupState = summary.State,
                    ProtocolType = summary.ProtocolType,
                    ProtocolData = summary.Protocol,
                    Members = [.. summary.Members.Select(m => new DescribeGroupsResponse.DescribedGroupMember
                    {
                        MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, ClientId = m.ClientId, ClientHost = m.ClientHost,
                        MemberMetadata = m.Metadata, MemberAssignment = m.Assignment,
                    })],
                    AuthorizedOperations = request.IncludeAuthorizedOperations ? AuthorizedOperations.Group : int.MinValue,
                };
            })],
        });

    public override DescribeGroupsResponse ErrorResponse(DescribeGroupsRequest request, ErrorCode error) => new()
    {
        Groups = [.. request.Groups.Select(id => new DescribeGroupsResponse.DescribedGroup { GroupId = id, ErrorCode = error })],
    };
}
