namespace Beltline.Protocol.Messages;

// IncrementalAlterConfigs (key 44), v0–1, flexible from v1. KIP-339: per-key set, delete, append, subtract.

/// <summary>
/// <code>
/// IncrementalAlterConfigs Request (Version: 0) => [resources] validate_only
/// IncrementalAlterConfigs Request (Version: 1) => [resources] validate_only TAG_BUFFER
///   resources => resource_type resource_name [configs] (TAG_BUFFER in v1)
///     configs => name config_operation value (TAG_BUFFER in v1)
///   configs.value => nullable
/// </code>
/// </summary>
public sealed class IncrementalAlterConfigsRequest : IKafkaMessage<IncrementalAlterConfigsRequest>
{
    public static ApiKey ApiKey => ApiKey.IncrementalAlterConfigs;

    public List<AlterConfigsResource> Resources { get; set; } = [];
    public bool ValidateOnly { get; set; }

    public static IncrementalAlterConfigsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 1;
        var request = new IncrementalAlterConfigsRequest
        {
            Resources = reader.ReadArray(ReadResource, version, flexible),
            ValidateOnly = reader.ReadBool(),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 1;
        writer.WriteArray(Resources, WriteResource, version, flexible);
        writer.WriteBool(ValidateOnly);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static AlterConfigsResource ReadResource(ref KafkaReader reader, short version)
    {
        var flexible = version >= 1;
        var resource = new AlterConfigsResource
        {
            ResourceType = (ConfigResourceType)reader.ReadInt8(),
            ResourceName = reader.ReadString(flexible),
            Configs = reader.ReadArray(ReadConfig, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return resource;
    }

    private static void WriteResource(ref KafkaWriter writer, AlterConfigsResource resource, short version)
    {
        var flexible = version >= 1;
        writer.WriteInt8((sbyte)resource.ResourceType);
        writer.WriteString(resource.ResourceName, flexible);
        writer.WriteArray(resource.Configs, WriteConfig, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static AlterableConfig ReadConfig(ref KafkaReader reader, short version)
    {
        var flexible = version >= 1;
        var config = new AlterableConfig
        {
            Name = reader.ReadString(flexible),
            ConfigOperation = (AlterConfigOpType)reader.ReadInt8(),
            Value = reader.ReadNullableString(flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return config;
    }

    private static void WriteConfig(ref KafkaWriter writer, AlterableConfig config, short version)
    {
        var flexible = version >= 1;
        writer.WriteString(config.Name, flexible);
        writer.WriteInt8((sbyte)config.ConfigOperation);
        writer.WriteNullableString(config.Value, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class AlterConfigsResource
    {
        public ConfigResourceType ResourceType { get; set; }
        public string ResourceName { get; set; } = "";
        public List<AlterableConfig> Configs { get; set; } = [];
    }

    public sealed class AlterableConfig
    {
        public string Name { get; set; } = "";
        public AlterConfigOpType ConfigOperation { get; set; }

        /// <summary>May be null; <see cref="AlterConfigOpType.Delete"/> ignores it.</summary>
        public string? Value { get; set; }
    }
}

/// <summary>
/// <code>
/// IncrementalAlterConfigs Response (Version: 0) => throttle_time_ms [responses]
/// IncrementalAlterConfigs Response (Version: 1) => throttle_time_ms [responses] TAG_BUFFER
///   responses => error_code error_message resource_type resource_name (TAG_BUFFER in v1)
///   error_message => nullable
/// </code>
/// </summary>
public sealed class IncrementalAlterConfigsResponse : IKafkaMessage<IncrementalAlterConfigsResponse>
{
    public static ApiKey ApiKey => ApiKey.IncrementalAlterConfigs;

    public int ThrottleTimeMs { get; set; }
    public List<AlterConfigsResourceResponse> Responses { get; set; } = [];

    public static IncrementalAlterConfigsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 1;
        var response = new IncrementalAlterConfigsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            Responses = reader.ReadArray(ReadResourceResponse, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 1;
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Responses, WriteResourceResponse, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static AlterConfigsResourceResponse ReadResourceResponse(ref KafkaReader reader, short version)
    {
        var flexible = version >= 1;
        var response = new AlterConfigsResourceResponse
        {
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(flexible),
            ResourceType = (ConfigResourceType)reader.ReadInt8(),
            ResourceName = reader.ReadString(flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    private static void WriteResourceResponse(ref KafkaWriter writer, AlterConfigsResourceResponse response, short version)
    {
        var flexible = version >= 1;
        writer.WriteInt16((short)response.ErrorCode);
        writer.WriteNullableString(response.ErrorMessage, flexible);
        writer.WriteInt8((sbyte)response.ResourceType);
        writer.WriteString(response.ResourceName, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class AlterConfigsResourceResponse
    {
        public ErrorCode ErrorCode { get; set; }

        /// <summary>Null when there was no error.</summary>
        public string? ErrorMessage { get; set; }

        public ConfigResourceType ResourceType { get; set; }
        public string ResourceName { get; set; } = "";
    }
}

/// <summary>The int8 config_operation of one incremental change.</summary>
public enum AlterConfigOpType : sbyte
{
    Set = 0,
    Delete = 1,

    /// <summary>Adds to a list-valued config.</summary>
    Append = 2,

    /// <summary>Removes from a list-valued config.</summary>
    Subtract = 3,
}
