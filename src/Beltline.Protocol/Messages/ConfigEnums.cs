namespace Beltline.Protocol.Messages;

// Closed value sets shared by the config APIs: CreateTopics (key 19), DescribeConfigs (32), AlterConfigs (33)
// and IncrementalAlterConfigs (44). Values are Kafka's ConfigResource.Type and DescribeConfigsResponse.ConfigSource.

/// <summary>The int8 resource_type of a config resource.</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
}

/// <summary>The int8 config_source of a config entry or synonym.</summary>
public enum ConfigSource : sbyte
{
    /// <summary>The spec's default for versions that do not carry the field (DescribeConfigs v0, CreateTopics v0–4).</summary>
    NotSent = -1,
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
    DynamicBrokerLoggerConfig = 6,
    ClientMetricsConfig = 7,
    GroupConfig = 8,
}
