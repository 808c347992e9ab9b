using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;
using static Beltline.Protocol.Messages.IncrementalAlterConfigsResponse;

namespace Beltline.Broker.Handlers;

/// <summary>
/// IncrementalAlterConfigs (key 44) v0–1, KIP-339: SET, DELETE, and APPEND/SUBTRACT on list configs, applied to the
/// resource's current dynamic configs; validate_only supported.
/// </summary>
internal sealed class IncrementalAlterConfigsHandler(ConfigResources resources, ILogger logger)
    : RequestHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    /// <summary>ALTER_CONFIGS on each topic, or on the cluster for a broker.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var results = ConfigResources.AlterEach(request.Resources, r => (r.ResourceType, r.ResourceName), r => ConfigResources.Refusal(context, AclOperation.AlterConfigs, r.ResourceType, r.ResourceName) ?? Alter(r, request.ValidateOnly));
        return ValueTask.FromResult<IncrementalAlterConfigsResponse?>(new IncrementalAlterConfigsResponse
        {
            Responses = [.. results.Select(r => new AlterConfigsResourceResponse { ResourceType = r.Type, ResourceName = r.Name, ErrorCode = r.Error.Code, ErrorMessage = r.Error.Message })],
        });
    }

    private TopicError Alter(IncrementalAlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        var error = resources.Current(resource.ResourceType, resource.ResourceName, out var current);
        if (error.Failed)
            return error;
        if (resource.Configs.GroupBy(c => c.Name).Any(g => g.Count() > 1))
            return new TopicError(ErrorCode.InvalidRequest, "Each config may appear once per resource.");
        var updated = new Dictionary<string, string>(current);
        foreach (var config in resource.Configs)
        {
            var type = ConfigResources.TypeOf(resource.ResourceType, config.Name);
            if (type is null)
                return new TopicError(ErrorCode.InvalidConfig, $"Unknown config {config.Name}.");
            switch (config.ConfigOperation)
            {
                case AlterConfigOpType.Set when config.Value is not null:
                    updated[config.Name] = config.Value;
                    break;
                case AlterConfigOpType.Delete:
                    updated.Remove(config.Name);
                    break;
                case AlterConfigOpType.Append or AlterConfigOpType.Subtract when type != ConfigType.List:
                    return new TopicError(ErrorCode.InvalidConfig, $"Config value append/subtract is not allowed for config key {config.Name}, which is not a list.");
                case AlterConfigOpType.Append or AlterConfigOpType.Subtract when config.Value is not null:
                    var items = Split(resources.EffectiveValue(resource.ResourceType, resource.ResourceName, config.Name));
                    var change = Split(config.Value);
                    items = config.ConfigOperation == AlterConfigOpType.Append
                        ? [.. items, .. change.Where(c => !items.Contains(c))]
                        : [.. items.Where(i => !change.Contains(i))];
                    updated[config.Name] = string.Join(",", items);
                    break;
                default:
                    return new TopicError(ErrorCode.InvalidRequest, $"Invalid operation {config.ConfigOperation} with value {config.Value ?? "null"} for config {config.Name}.");
            }
        }
        return resources.Replace(resource.ResourceType, resource.ResourceName, updated, validateOnly);
    }

    private static List<string> Split(string list) => [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    public override IncrementalAlterConfigsResponse ErrorResponse(IncrementalAlterConfigsRequest request, ErrorCode error) => new()
    {
        Responses = [.. request.Resources.Select(r => new AlterConfigsResourceResponse { ResourceType = r.ResourceType, ResourceName = r.ResourceName, ErrorCode = error })],
    };
}
