namespace Beltline.Protocol.Messages;

// DescribeConfigs (key 32), v0–4, flexible from v4. KIP-133; KIP-226 (v1 synonyms, config_source); KIP-569 (v3 config_type, documentation).

/// <summary>
/// <code>
/// DescribeConfigs Request (Version: 0) => [resources]
/// DescribeConfigs Request (Version: 1-2) => [resources] include_synonyms
/// DescribeConfigs Request (Version: 3) => [resources] include_synonyms include_documentation
/// DescribeConfigs Request (Version: 4) => [resources] include_synonyms include_documentation TAG_BUFFER
///   resources => resource_type resource_name [configuration_keys] (TAG_BUFFER in v4)
///   [configuration_keys] => nullable (null: every key)
/// </code>
/// </summary>
public sealed class DescribeConfigsRequest : IKafkaMessage<DescribeConfigsRequest>
{
    public static ApiKey ApiKey => ApiKey.DescribeConfigs;

    public List<DescribeConfigsResource> Resources { get; set; } = [];

    /// <summary>v1+.</summary>
    public bool IncludeSynonyms { get; set; }

    /// <summary>v3+.</summary>
    public bool IncludeDocumentation { get; set; }

    public static DescribeConfigsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var request = new DescribeConfigsRequest { Resources = reader.ReadArray(ReadResource, version, flexible) };
        if (version >= 1)
            request.IncludeSynonyms = reader.ReadBool();
        if (version >= 3)
            request.IncludeDocumentation = reader.ReadBool();
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 4;
        writer.WriteArray(Resources, WriteResource, version, flexible);
        if (version >= 1)
            writer.WriteBool(IncludeSynonyms);
        if (version >= 3)
            writer.WriteBool(IncludeDocumentation);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DescribeConfigsResource ReadResource(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var resource = new DescribeConfigsResource
        {
            ResourceType = (ConfigResourceType)reader.ReadInt8(),
            ResourceName = reader.ReadString(flexible),
            // The primitive string-array reader turns null into an empty list; here null and empty differ.
            ConfigurationKeys = reader.ReadNullableArray(ReadKey, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return resource;
    }

    private static void WriteResource(ref KafkaWriter writer, DescribeConfigsResource resource, short version)
    {
        var flexible = version >= 4;
        writer.WriteInt8((sbyte)resource.ResourceType);
        writer.WriteString(resource.ResourceName, flexible);
        writer.WriteArray(resource.ConfigurationKeys, WriteKey, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static string ReadKey(ref KafkaReader reader, short version) => reader.ReadString(compact: version >= 4);

    private static void WriteKey(ref KafkaWriter writer, string key, short version) => writer.WriteString(key, compact: version >= 4);

    public sealed class DescribeConfigsResource
    {
        public ConfigResourceType ResourceType { get; set; }
        public string ResourceName { get; set; } = "";

        /// <summary>The keys to describe; null for every key.</summary>
        public List<string>? ConfigurationKeys { get; set; }
    }
}

/// <summary>
/// <code>
/// DescribeConfigs Response (Version: 0) => throttle_time_ms [results]
///   results => error_code error_message resource_type resource_name [configs]
///     configs => name value read_only is_default is_sensitive
/// DescribeConfigs Response (Version: 1-2) => throttle_time_ms [results]
///   results => error_code error_message resource_type resource_name [configs]
///     configs => name value read_only config_source is_sensitive [synonyms]
///       synonyms => name value source
/// DescribeConfigs Response (Version: 3) => throttle_time_ms [results]
///   results => error_code error_message resource_type resource_name [configs]
///     configs => name value read_only config_source is_sensitive [synonyms] config_type documentation
///       synonyms => name value source
/// DescribeConfigs Response (Version: 4) => throttle_time_ms [results] TAG_BUFFER
///   results => error_code error_message resource_type resource_name [configs] TAG_BUFFER
///     configs => name value read_only config_source is_sensitive [synonyms] config_type documentation TAG_BUFFER
///       synonyms => name value source TAG_BUFFER
///   nullable: error_message, configs.value, configs.documentation, synonyms.value
/// </code>
/// </summary>
public sealed class DescribeConfigsResponse : IKafkaMessage<DescribeConfigsResponse>
{
    public static ApiKey ApiKey => ApiKey.DescribeConfigs;

    public int ThrottleTimeMs { get; set; }
    public List<DescribeConfigsResult> Results { get; set; } = [];

    public static DescribeConfigsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var response = new DescribeConfigsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            Results = reader.ReadArray(ReadResult, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 4;
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Results, WriteResult, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DescribeConfigsResult ReadResult(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var result = new DescribeConfigsResult
        {
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(flexible),
            ResourceType = (ConfigResourceType)reader.ReadInt8(),
            ResourceName = reader.ReadString(flexible),
            Configs = reader.ReadArray(ReadConfig, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return result;
    }

    private static void WriteResult(ref KafkaWriter writer, DescribeConfigsResult result, short version)
    {
        var flexible = version >= 4;
        writer.WriteInt16((short)result.ErrorCode);
        writer.WriteNullableString(result.ErrorMessage, flexible);
        writer.WriteInt8((sbyte)result.ResourceType);
        writer.WriteString(result.ResourceName, flexible);
        writer.WriteArray(result.Configs, WriteConfig, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DescribeConfigsResourceResult ReadConfig(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var config = new DescribeConfigsResourceResult
        {
            Name = reader.ReadString(flexible),
            Value = reader.ReadNullableString(flexible),
            ReadOnly = reader.ReadBool(),
        };
        if (version == 0)
            config.IsDefault = reader.ReadBool();
        else
            config.ConfigSource = (ConfigSource)reader.ReadInt8();
        config.IsSensitive = reader.ReadBool();
        if (version >= 1)
            config.Synonyms = reader.ReadArray(ReadSynonym, version, flexible);
        if (version >= 3)
        {
            config.ConfigType = (ConfigType)reader.ReadInt8();
            config.Documentation = reader.ReadNullableString(flexible);
        }
        if (flexible)
            reader.SkipTaggedFields();
        return config;
    }

    private static void WriteConfig(ref KafkaWriter writer, DescribeConfigsResourceResult config, short version)
    {
        var flexible = version >= 4;
        writer.WriteString(config.Name, flexible);
        writer.WriteNullableString(config.Value, flexible);
        writer.WriteBool(config.ReadOnly);
        if (version == 0)
            writer.WriteBool(config.IsDefault);
        else
            writer.WriteInt8((sbyte)config.ConfigSource);
        writer.WriteBool(config.IsSensitive);
        if (version >= 1)
            writer.WriteArray(config.Synonyms, WriteSynonym, version, flexible);
        if (version >= 3)
        {
            writer.WriteInt8((sbyte)config.ConfigType);
            writer.WriteNullableString(config.Documentation, flexible);
        }
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static DescribeConfigsSynonym ReadSynonym(ref KafkaReader reader, short version)
    {
        var flexible = version >= 4;
        var synonym = new DescribeConfigsSynonym
        {
            Name = reader.ReadString(flexible),
            Value = reader.ReadNullableString(flexible),
            Source = (ConfigSource)reader.ReadInt8(),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return synonym;
    }

    private static void WriteSynonym(ref KafkaWriter writer, DescribeConfigsSynonym synonym, short version)
    {
        var flexible = version >= 4;
        writer.WriteString(synonym.Name, flexible);
        writer.WriteNullableString(synonym.Value, flexible);
        writer.WriteInt8((sbyte)synonym.Source);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class DescribeConfigsResult
    {
        public ErrorCode ErrorCode { get; set; }

        /// <summary>Null when there was no error.</summary>
        public string? ErrorMessage { get; set; }

        public ConfigResourceType ResourceType { get; set; }
        public string ResourceName { get; set; } = "";
        public List<DescribeConfigsResourceResult> Configs { get; set; } = [];
    }

    public sealed class DescribeConfigsResourceResult
    {
        public string Name { get; set; } = "";

        /// <summary>Null for sensitive configs and for configs without a value.</summary>
        public string? Value { get; set; }

        public bool ReadOnly { get; set; }

        /// <summary>v0 only; later versions say it with <see cref="ConfigSource"/>.</summary>
        public bool IsDefault { get; set; }

        /// <summary>v1+.</summary>
        public ConfigSource ConfigSource { get; set; } = ConfigSource.NotSent;

        public bool IsSensitive { get; set; }

        /// <summary>v1+; filled only when the request asked for synonyms.</summary>
        public List<DescribeConfigsSynonym> Synonyms { get; set; } = [];

        /// <summary>v3+.</summary>
        public ConfigType ConfigType { get; set; }

        /// <summary>v3+; filled only when the request asked for documentation.</summary>
        public string? Documentation { get; set; }
    }

    public sealed class DescribeConfigsSynonym
    {
        public string Name { get; set; } = "";
        public string? Value { get; set; }
        public ConfigSource Source { get; set; }
    }
}

/// <summary>The int8 config_type of a described config (v3+).</summary>
public enum ConfigType : sbyte
{
    Unknown = 0,
    Boolean = 1,
    String = 2,
    Int = 3,
    Short = 4,
    Long = 5,
    Double = 6,
    List = 7,
    Class = 8,
    Password = 9,
}
