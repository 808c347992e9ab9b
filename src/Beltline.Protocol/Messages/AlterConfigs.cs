namespace Beltline.Protocol.Messages;

// AlterConfigs (key 33), v0–2, flexible from v2. KIP-133.
// Replaces a resource's whole set of overrides; IncrementalAlterConfigs changes single keys.

/// <summary>
/// <code>
/// AlterConfigs Request (Version: 0-1) => [resources] validate_only
/// AlterConfigs Request (Version: 2) => [resources] validate_only TAG_BUFFER
///   resources => resource_type resource_name [configs] (TAG_BUFFER in v2)
///     configs => name value (TAG_BUFFER in v2)
///   configs.value => nullable
/// </code>
/// </summary>
public sealed class AlterConfigsRequest : IKafkaMessage<AlterConfigsRequest>
{
    public static ApiKey ApiKey => ApiKey.AlterConfigs;

    public List<AlterConfigsResource> Resources { get; set; } = [];
    public bool ValidateOnly { get; set; }

    public static AlterConfigsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var request = new AlterConfigsRequest
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
        var flexible = version >= 2;
        writer.WriteArray(Resources, WriteResource, version, flexible);
        writer.WriteBool(ValidateOnly);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static AlterConfigsResource ReadResource(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
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
        var flexible = version >= 2;
        writer.WriteInt8((sbyte)resource.ResourceType);
        writer.WriteString(resource.ResourceName, flexible);
        writer.WriteArray(resource.Configs, WriteConfig, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static AlterableConfig ReadConfig(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var config = new AlterableConfig
        {
            Name = reader.ReadString(flexible),
            Value = reader.ReadNullableString(flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return config;
    }

    private static void WriteConfig(ref KafkaWriter writer, AlterableConfig config, short version)
    {
        var flexible = version >= 2;
        writer.WriteString(config.Name, flexible);
        writer.WriteNullableString(config.Value, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    public sealed class AlterConfigsResource
    {
        public ConfigResourceType ResourceType { get; set; }
        public string ResourceName { get; set; } = "";

        /// <summary>The resource's complete new set of overrides; keys left out revert to their defaults.</summary>
        public List<AlterableConfig> Configs { get; set; } = [];
    }

    public sealed class AlterableConfig
    {
        public string Name { get; set; } = "";
        public string? Value { get; set; }
    }
}

/// <summary>
/// <code>
/// AlterConfigs Response (Version: 0-1) => throttle_time_ms [responses]
/// AlterConfigs Response (Version: 2) => throttle_time_ms [responses] TAG_BUFFER
///   responses => error_code error_message resource_type resource_name (TAG_BUFFER in v2)
///   error_message => nullable
/// </code>
/// </summary>
public sealed class AlterConfigsResponse : IKafkaMessage<AlterConfigsResponse>
{
    public static ApiKey ApiKey => ApiKey.AlterConfigs;

    public int ThrottleTimeMs { get; set; }
    public List<AlterConfigsResourceResponse> Responses { get; set; } = [];

    public static AlterConfigsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var response = new AlterConfigsResponse
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
        var flexible = version >= 2;
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Responses, WriteResourceResponse, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static AlterConfigsResourceResponse ReadResourceResponse(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
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
        var flexible = version >= 2;
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
