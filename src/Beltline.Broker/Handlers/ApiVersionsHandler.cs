using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>ApiVersions (key 18) v0–3, KIP-35 / KIP-511: the version ranges of every API served here.</summary>
internal sealed class ApiVersionsHandler(Func<IReadOnlyList<ApiVersionRange>> supported, ILogger logger)
    : RequestHandler<ApiVersionsRequest, ApiVersionsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    /// <summary>Needs no ACL: clients must reach it before they can be anyone.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<ApiVersionsResponse?> HandleAsync(RequestContext context, ApiVersionsRequest request) =>
        ValueTask.FromResult<ApiVersionsResponse?>(new ApiVersionsResponse { ApiKeys = [.. supported()] });

    public override ApiVersionsResponse ErrorResponse(ApiVersionsRequest request, ErrorCode error) => new() { ErrorCode = error };
}
