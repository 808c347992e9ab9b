using System.Diagnostics.CodeAnalysis;
using Beltline.Protocol;
using Beltline.Protocol.Messages;

namespace Beltline.Broker.Handlers;

/// <summary>The APIs this broker serves, by key; also what ApiVersions advertises.</summary>
internal sealed class RequestDispatcher
{
    private readonly Dictionary<ApiKey, IRequestHandler> _handlers;

    public RequestDispatcher(IEnumerable<IRequestHandler> handlers)
    {
        _handlers = handlers.ToDictionary(h => h.ApiKey);
        SupportedVersions = [.. _handlers.Values.OrderBy(h => h.ApiKey).Select(h => new ApiVersionRange(h.ApiKey, h.MinVersion, h.MaxVersion))];
    }

    public IReadOnlyList<ApiVersionRange> SupportedVersions { get; }

    public bool TryGetHandler(ApiKey key, [NotNullWhen(true)] out IRequestHandler? handler) => _handlers.TryGetValue(key, out handler);

    /// <summary>ApiVersions v0 answer for a client that asked with a version we do not know (KIP-511).</summary>
    public ApiVersionsResponse UnsupportedApiVersionsResponse() =>
        new() { ErrorCode = ErrorCode.UnsupportedVersion, ApiKeys = [.. SupportedVersions] };
}
