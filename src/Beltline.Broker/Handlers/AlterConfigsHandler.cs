using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;
using static Beltline.Protocol.Messages.AlterConfigsResponse;

namespace Beltline.Broker.Handlers;

/// <summary>AlterConfigs (key 33) v0–2: replaces all dynamic configs of a topic or of the broker; validate_only supported.</summary>
internal sealed class AlterConfigsHandler(ConfigResources resources, ILogger logger) : RequestHandler<AlterConfigsRequest, AlterConfigsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    /// <summary>ALTER_CONFIGS on each topic, or on the cluster for a broker.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request)
    {
        var results = ConfigResources.AlterEach(request.Resources, r => (r.ResourceType, r.ResourceName), r => ConfigResources.Refusal(context, AclOperation.AlterConfigs, r.ResourceType, r.ResourceName) ?? Alter(r, request.ValidateOnly));
        return ValueTask.FromResult<AlterConfigsResponse?>(new AlterConfigsResponse
        {
            Responses = [.. results.Select(r => new AlterConfigsResourceResponse { ResourceType = r.Type, ResourceName = r.Name, ErrorCode = r.Error.Code, ErrorMessage = r.Error.Message })],
        });
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
