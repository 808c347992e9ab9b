using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// FindCoordinator (key 10) v0–4 (v4 batched, KIP-699). The group and transaction coordinators are not in this
/// broker yet, so every key gets COORDINATOR_NOT_AVAILABLE, a retriable answer. It is served at all because
/// librdkafka enables LZ4 only for brokers that list FindCoordinator.
/// </summary>
internal sealed class FindCoordinatorHandler(ILogger logger) : RequestHandler<FindCoordinatorRequest, FindCoordinatorResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request) =>
        ValueTask.FromResult<FindCoordinatorResponse?>(ErrorResponse(request, ErrorCode.CoordinatorNotAvailable));

    public override FindCoordinatorResponse ErrorResponse(FindCoordinatorRequest request, ErrorCode error) => new()
    {
        ErrorCode = error,
        ErrorMessage = "The coordinator is not available.",
        NodeId = -1,
        Coordinators = [.. request.CoordinatorKeys.Select(k => new FindCoordinatorResponse.Coordinator
        {
            Key = k, NodeId = -1, ErrorCode = error, ErrorMessage = "The coordinator is not available.",
        })],
    };
}
