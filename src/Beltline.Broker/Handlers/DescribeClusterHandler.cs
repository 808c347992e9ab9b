using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>DescribeCluster (key 60) v0–1, KIP-700 / KIP-919: cluster id, controller and brokers (this node).</summary>
internal sealed class DescribeClusterHandler(BrokerNode node, ILogger logger) : RequestHandler<DescribeClusterRequest, DescribeClusterResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    /// <summary>DESCRIBE on the cluster.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<DescribeClusterResponse?> HandleAsync(RequestContext context, DescribeClusterRequest request)
    {
        if (!context.IsAllowed(AclOperation.Describe, ResourceType.Cluster, AclEntry.ClusterName))
            return ValueTask.FromResult<DescribeClusterResponse?>(ErrorResponse(request, ErrorCode.ClusterAuthorizationFailed));
        if (request.EndpointType != EndpointType.Brokers)
            return ValueTask.FromResult<DescribeClusterResponse?>(ErrorResponse(request, ErrorCode.MismatchedEndpointType));
        var response = new DescribeClusterResponse
        {
            ClusterId = node.ClusterId,
            ControllerId = node.NodeId,
            EndpointType = request.EndpointType,
            Brokers = [new DescribeClusterResponse.DescribeClusterBroker { BrokerId = node.NodeId, Host = node.Options.EffectiveAdvertisedHost, Port = node.BoundPort(context.Listener) }],
        };
        if (request.IncludeClusterAuthorizedOperations)
            response.ClusterAuthorizedOperations = AuthorizedOperations.Cluster;
        return ValueTask.FromResult<DescribeClusterResponse?>(response);
    }

    public override DescribeClusterResponse ErrorResponse(DescribeClusterRequest request, ErrorCode error) =>
        new() { ErrorCode = error, EndpointType = request.EndpointType, ClusterId = node.ClusterId };
}
