using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging;
using static Beltline.Protocol.Messages.AlterConfigsResponse;

namespace Beltline.Broker.Handlers;

/// <summary>AlterConfigs (key 33) v0–2: replaces all dynamic configs of a topic or of the broker; validate_only supported.</summary>
internal sealed class AlterConfigsHandler(ConfigResources resources, ILogger logger) : RequestHandler<AlterConfigsRequest, AlterConfigsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request)
    {
        var duplicates = request.Resources.GroupBy(r => (r.ResourceType, r.ResourceName)).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var response = new AlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var error = duplicates.Contains((resource.ResourceType, resource.ResourceName))
                ? new TopicError(ErrorCode.InvalidRequest, "Duplicate resource in request.")
                : Alter(resource, request.ValidateOnly);
            response.Responses.Add(new AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = error.Code,
                ErrorMessage = error.Message,
            });
        }
        return ValueTask.FromResult<AlterConfigsResponse?>(response);
    }

    private TopicError Alter(AlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        var configs = new Dictionary<string, string>();
        foreach (var config in resource.Configs)
        {
            if (config.Value is null)
                return new TopicError(ErrorCode.InvalidRequest, $"Null value not supported for config {config.Name}.");
            if (!configs.TryAdd(config.Name, config.Value))
                return new TopicError(ErrorCode.InvalidRequest, $"Duplicate config {config.Name}.");
        }
        return resources.Replace(resource.ResourceType, resource.ResourceName, configs, validateOnly);
    }

    public override AlterConfigsResponse ErrorResponse(AlterConfigsRequest request, ErrorCode error) => new()
    {
        Responses = [.. request.Resources.Select(r => new AlterConfigsResourceResponse { ResourceType = r.ResourceType, ResourceName = r.ResourceName, ErrorCode = error })],
    };
}
