using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;
using static Beltline.Protocol.Messages.DescribeConfigsResponse;

namespace Beltline.Broker.Handlers;

/// <summary>
/// DescribeConfigs (key 32) v0–4: topic and broker configs with their sources, synonyms (v1+, KIP-226) and
/// types and documentation (v3+, KIP-569). Broker loggers are described as an empty set.
/// </summary>
internal sealed class DescribeConfigsHandler(ConfigResources resources, ILogger logger) : RequestHandler<DescribeConfigsRequest, DescribeConfigsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    /// <summary>DESCRIBE_CONFIGS on each topic, or on the cluster for a broker.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<DescribeConfigsResponse?> HandleAsync(RequestContext context, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName };
            response.Results.Add(result);
            IReadOnlyList<DescribedConfig> configs = [];
            var error = ConfigResources.Refusal(context, AclOperation.DescribeConfigs, resource.ResourceType, resource.ResourceName) ?? resource.ResourceType switch
            {
                ConfigResourceType.Topic => resources.DescribeTopic(resource.ResourceName, out configs),
                ConfigResourceType.Broker => resources.DescribeBroker(resource.ResourceName, out configs),
                ConfigResourceType.BrokerLogger => Metadata.TopicError.None,
                _ => new Metadata.TopicError(ErrorCode.InvalidRequest, $"Unsupported resource type {resource.ResourceType}."),
            };
            result.ErrorCode = error.Code;
            result.ErrorMessage = error.Message;
            var wanted = resource.ConfigurationKeys is { } keys ? new HashSet<string>(keys) : null;
            foreach (var config in configs)
            {
                if (wanted is not null && !wanted.Contains(config.Name))
                    continue;
                result.Configs.Add(new DescribeConfigsResourceResult
                {
                    Name = config.Name,
                    Value = config.Value,
                    ReadOnly = config.ReadOnly,
                    IsDefault = config.Source == ConfigSource.DefaultConfig,
                    ConfigSource = config.Source,
                    Synonyms = request.IncludeSynonyms
                        ? [.. config.Synonyms.Select(s => new DescribeConfigsSynonym { Name = s.Name, Value = s.Value, Source = s.Source })]
                        : [],
                    ConfigType = config.Type,
                    Documentation = request.IncludeDocumentation ? config.Documentation : null,
                });
            }
        }
        return ValueTask.FromResult<DescribeConfigsResponse?>(response);
    }

    public override DescribeConfigsResponse ErrorResponse(DescribeConfigsRequest request, ErrorCode error) => new()
    {
        Results = [.. request.Resources.Select(r => new DescribeConfigsResult { ResourceType = r.ResourceType, ResourceName = r.ResourceName, ErrorCode = error })],
    };
}
