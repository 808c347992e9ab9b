using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// FindCoordinator (key 10) v0–4 (v4 batched, KIP-699). This single node coordinates every group; the first
/// group lookup creates <c>__consumer_offsets</c>, as in Kafka. Transactions have no coordinator here yet, so a
/// transaction key gets COORDINATOR_NOT_AVAILABLE.
/// </summary>
internal sealed class FindCoordinatorHandler(BrokerNode node, ILogger logger) : RequestHandler<FindCoordinatorRequest, FindCoordinatorResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    /// <summary>DESCRIBE on the group (or transactional id).</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request)
    {
        var keys = context.ApiVersion >= 4 ? request.CoordinatorKeys : [request.Key];
        var (resourceType, failure) = request.KeyType == CoordinatorType.Group
            ? (ResourceType.Group, ErrorCode.GroupAuthorizationFailed)
            : (ResourceType.TransactionalId, ErrorCode.TransactionalIdAuthorizationFailed);
        if (keys.Any(key => !context.IsAllowed(AclOperation.Describe, resourceType, key)))
            return ValueTask.FromResult<FindCoordinatorResponse?>(ErrorResponse(request, failure, "Not authorized to find this coordinator."));
        var (error, message) = request.KeyType switch
        {
            CoordinatorType.Group when node.Groups.EnsureOffsetsTopic() is var e and not ErrorCode.None => (e, "The group coordinator is not available."),
            CoordinatorType.Group => (ErrorCode.None, null),
            _ => (ErrorCode.CoordinatorNotAvailable, "Transactions are not available on this broker yet."),
        };
        if (error != ErrorCode.None)
            return ValueTask.FromResult<FindCoordinatorResponse?>(ErrorResponse(request, error, message));
        var host = node.Options.EffectiveAdvertisedHost;
        var port = node.BoundPort(context.Listener);
        var response = context.ApiVersion >= 4
            ? new FindCoordinatorResponse
            {
                Coordinators = [.. request.CoordinatorKeys.Select(key => new FindCoordinatorResponse.Coordinator { Key = key, NodeId = node.NodeId, Host = host, Port = port })],
            }
            : new FindCoordinatorResponse { NodeId = node.NodeId, Host = host, Port = port };
        return ValueTask.FromResult<FindCoordinatorResponse?>(response);
    }

    public override FindCoordinatorResponse ErrorResponse(FindCoordinatorRequest request, ErrorCode error) =>
        ErrorResponse(request, error, null);

    private static FindCoordinatorResponse ErrorResponse(FindCoordinatorRequest request, ErrorCode error, string? message) => new()
    {
        ErrorCode = error,
        ErrorMessage = message,
        NodeId = -1,
        Port = -1,
        Coordinators = [.. request.CoordinatorKeys.Select(k => new FindCoordinatorResponse.Coordinator
        {
            Key = k, NodeId = -1, Port = -1, ErrorCode = error, ErrorMessage = message,
        })],
    };
}
