using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// InitProducerId (key 22) v0–5, KIP-98 / KIP-360: an idempotent producer (no transactional id) always gets a new
/// producer id at epoch 0, as Kafka's coordinator answers; KIP-360's epoch bump (v3+, the producer's current id and
/// epoch given) gets a new id too, which resets its sequences just as well. Transactions are not available yet.
/// </summary>
internal sealed class InitProducerIdHandler(BrokerNode node, ILogger logger) : RequestHandler<InitProducerIdRequest, InitProducerIdResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    /// <summary>IDEMPOTENT_WRITE on the cluster, or WRITE on some topic.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        if (request.TransactionalId is not null)
            return ValueTask.FromResult<InitProducerIdResponse?>(ErrorResponse(request, ErrorCode.TransactionalIdAuthorizationFailed));
        // An idempotent producer needs IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (Kafka 3's rule).
        if (context.Authorizer is { } authorizer && !context.IsAllowed(AclOperation.IdempotentWrite, ResourceType.Cluster, AclEntry.ClusterName)
            && !authorizer.AuthorizeAny(context.Session.Principal, context.ClientHost, AclOperation.Write, ResourceType.Topic))
            return ValueTask.FromResult<InitProducerIdResponse?>(ErrorResponse(request, ErrorCode.ClusterAuthorizationFailed));
        var producerId = node.ProducerIds.NextId();
        Logger.LogDebug("Producer id {ProducerId} for {ClientId}", producerId, context.Header.ClientId);
        return ValueTask.FromResult<InitProducerIdResponse?>(new InitProducerIdResponse { ProducerId = producerId, ProducerEpoch = 0 });
    }

    public override InitProducerIdResponse ErrorResponse(InitProducerIdRequest request, ErrorCode error) =>
        new() { ErrorCode = error, ProducerId = -1, ProducerEpoch = -1 };
}
