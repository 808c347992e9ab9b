namespace Beltline.Protocol.Messages;

// DescribeAcls (key 29), CreateAcls (key 30), DeleteAcls (key 31): v0–3, flexible from v2. KIP-140 (v0),
// KIP-290 (v1: pattern types, LITERAL and PREFIXED), KIP-482 (v2). A v0 request knows LITERAL patterns only.
// Wire enums (int8): resource 1 ANY, 2 TOPIC, 3 GROUP, 4 CLUSTER, 5 TRANSACTIONAL_ID, 6 DELEGATION_TOKEN, 7 USER;
// pattern 1 ANY, 2 MATCH, 3 LITERAL, 4 PREFIXED; operation 1 ANY, 2 ALL, 3 READ, 4 WRITE, 5 CREATE, 6 DELETE,
// 7 ALTER, 8 DESCRIBE, 9 CLUSTER_ACTION, 10 DESCRIBE_CONFIGS, 11 ALTER_CONFIGS, 12 IDEMPOTENT_WRITE; permission
// 1 ANY, 2 DENY, 3 ALLOW.

/// <summary>One ACL: a resource pattern and who may (or may not) do what on it from where.</summary>
public sealed record AclBinding(sbyte ResourceType, string ResourceName, sbyte PatternType, string Principal, string Host, sbyte Operation, sbyte Permission)
{
    public const sbyte LiteralPattern = 3;
}

/// <summary>What DescribeAcls and DeleteAcls match: null strings and the ANY values match everything.</summary>
public sealed record AclBindingFilter(sbyte ResourceType, string? ResourceName, sbyte PatternType, string? Principal, string? Host, sbyte Operation, sbyte Permission)
{
    internal static AclBindingFilter Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var resourceType = reader.ReadInt8();
        var name = reader.ReadNullableString(flexible);
        var pattern = version >= 1 ? reader.ReadInt8() : AclBinding.LiteralPattern;
        return new AclBindingFilter(resourceType, name, pattern, reader.ReadNullableString(flexible), reader.ReadNullableString(flexible), reader.ReadInt8(), reader.ReadInt8());
    }

    internal void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteInt8(ResourceType);
        writer.WriteNullableString(ResourceName, flexible);
        if (version >= 1)
            writer.WriteInt8(PatternType);
        writer.WriteNullableString(Principal, flexible);
        writer.WriteNullableString(Host, flexible);
        writer.WriteInt8(Operation);
        writer.WriteInt8(Permission);
    }
}

/// <summary>
/// <code>
/// CreateAcls Request (Version: 0) => [creations]
///   creations => resource_type resource_name principal host operation permission_type
/// CreateAcls Request (Version: 1) => [creations]
///   creations => resource_type resource_name resource_pattern_type principal host operation permission_type
/// CreateAcls Request (Version: 2-3) => [creations] TAG_BUFFER      (each creation ends with TAG_BUFFER)
/// </code>
/// </summary>
public sealed class CreateAclsRequest : IKafkaMessage<CreateAclsRequest>
{
    public static ApiKey ApiKey => ApiKey.CreateAcls;

    public List<AclBinding> Creations { get; set; } = [];

    public static CreateAclsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var request = new CreateAclsRequest
        {
            Creations = reader.ReadArray(static (ref KafkaReader r, short v) =>
            {
                var flexibleItem = v >= 2;
                var binding = new AclBinding(r.ReadInt8(), r.ReadString(flexibleItem), v >= 1 ? r.ReadInt8() : AclBinding.LiteralPattern,
                    r.ReadString(flexibleItem), r.ReadString(flexibleItem), r.ReadInt8(), r.ReadInt8());
                if (flexibleItem)
                    r.SkipTaggedFields();
                return binding;
            }, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteArray(Creations, static (ref KafkaWriter w, AclBinding b, short v) =>
        {
            var flexibleItem = v >= 2;
            w.WriteInt8(b.ResourceType);
            w.WriteString(b.ResourceName, flexibleItem);
            if (v >= 1)
                w.WriteInt8(b.PatternType);
            w.WriteString(b.Principal, flexibleItem);
            w.WriteString(b.Host, flexibleItem);
            w.WriteInt8(b.Operation);
            w.WriteInt8(b.Permission);
            if (flexibleItem)
                w.WriteEmptyTaggedFields();
        }, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// CreateAcls Response (Version: 0-1) => throttle_time_ms [results]
///   results => error_code error_message          nullable: error_message
/// CreateAcls Response (Version: 2-3) => throttle_time_ms [results] TAG_BUFFER   (each result ends with TAG_BUFFER)
/// </code>
/// </summary>
public sealed class CreateAclsResponse : IKafkaMessage<CreateAclsResponse>
{
    public static ApiKey ApiKey => ApiKey.CreateAcls;

    public int ThrottleTimeMs { get; set; }
    public List<Result> Results { get; set; } = [];

    public sealed record Result(ErrorCode ErrorCode, string? ErrorMessage);

    public static CreateAclsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var response = new CreateAclsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            Results = reader.ReadArray(static (ref KafkaReader r, short v) =>
            {
                var result = new Result((ErrorCode)r.ReadInt16(), r.ReadNullableString(v >= 2));
                if (v >= 2)
                    r.SkipTaggedFields();
                return result;
            }, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Results, static (ref KafkaWriter w, Result r, short v) =>
        {
            w.WriteInt16((short)r.ErrorCode);
            w.WriteNullableString(r.ErrorMessage, v >= 2);
            if (v >= 2)
                w.WriteEmptyTaggedFields();
        }, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// DescribeAcls Request (Version: 0) => resource_type_filter resource_name_filter principal_filter host_filter operation permission_type
/// DescribeAcls Request (Version: 1) => resource_type_filter resource_name_filter pattern_type_filter principal_filter host_filter operation permission_type
/// DescribeAcls Request (Version: 2-3) => the v1 fields TAG_BUFFER
///   nullable: resource_name_filter, principal_filter, host_filter
/// </code>
/// </summary>
public sealed class DescribeAclsRequest : IKafkaMessage<DescribeAclsRequest>
{
    public static ApiKey ApiKey => ApiKey.DescribeAcls;

    public AclBindingFilter Filter { get; set; } = new(1, null, 1, null, null, 1, 1);

    public static DescribeAclsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new DescribeAclsRequest { Filter = AclBindingFilter.Read(ref reader, version) };
        if (version >= 2)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        Filter.Write(ref writer, version);
        if (version >= 2)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// DescribeAcls Response (Version: 0) => throttle_time_ms error_code error_message [resources]
///   resources => resource_type resource_name [acls]
///     acls => principal host operation permission_type
/// DescribeAcls Response (Version: 1) => the same, resources with pattern_type after resource_name
/// DescribeAcls Response (Version: 2-3) => the v1 fields, each structure ending with TAG_BUFFER
///   nullable: error_message
/// </code>
/// </summary>
public sealed class DescribeAclsResponse : IKafkaMessage<DescribeAclsResponse>
{
    public static ApiKey ApiKey => ApiKey.DescribeAcls;

    public int ThrottleTimeMs { get; set; }
    public ErrorCode ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public List<Resource> Resources { get; set; } = [];

    public sealed record Resource(sbyte ResourceType, string ResourceName, sbyte PatternType, List<Acl> Acls);

    public sealed record Acl(string Principal, string Host, sbyte Operation, sbyte Permission);

    public static DescribeAclsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var response = new DescribeAclsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(flexible),
            Resources = reader.ReadArray(static (ref KafkaReader r, short v) =>
            {
                var f = v >= 2;
                var type = r.ReadInt8();
                var name = r.ReadString(f);
                var pattern = v >= 1 ? r.ReadInt8() : AclBinding.LiteralPattern;
                var acls = r.ReadArray(static (ref KafkaReader r2, short v2) =>
                {
                    var acl = new Acl(r2.ReadString(v2 >= 2), r2.ReadString(v2 >= 2), r2.ReadInt8(), r2.ReadInt8());
                    if (v2 >= 2)
                        r2.SkipTaggedFields();
                    return acl;
                }, v, f);
                if (f)
                    r.SkipTaggedFields();
                return new Resource(type, name, pattern, acls);
            }, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteNullableString(ErrorMessage, flexible);
        writer.WriteArray(Resources, static (ref KafkaWriter w, Resource resource, short v) =>
        {
            var f = v >= 2;
            w.WriteInt8(resource.ResourceType);
            w.WriteString(resource.ResourceName, f);
            if (v >= 1)
                w.WriteInt8(resource.PatternType);
            w.WriteArray(resource.Acls, static (ref KafkaWriter w2, Acl acl, short v2) =>
            {
                w2.WriteString(acl.Principal, v2 >= 2);
                w2.WriteString(acl.Host, v2 >= 2);
                w2.WriteInt8(acl.Operation);
                w2.WriteInt8(acl.Permission);
                if (v2 >= 2)
                    w2.WriteEmptyTaggedFields();
            }, v, f);
            if (f)
                w.WriteEmptyTaggedFields();
        }, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// DeleteAcls Request (Version: 0-1) => [filters]      filters as in DescribeAcls of the same version
/// DeleteAcls Request (Version: 2-3) => [filters] TAG_BUFFER   (each filter ends with TAG_BUFFER)
/// </code>
/// </summary>
public sealed class DeleteAclsRequest : IKafkaMessage<DeleteAclsRequest>
{
    public static ApiKey ApiKey => ApiKey.DeleteAcls;

    public List<AclBindingFilter> Filters { get; set; } = [];

    public static DeleteAclsRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var request = new DeleteAclsRequest
        {
            Filters = reader.ReadArray(static (ref KafkaReader r, short v) =>
            {
                var filter = AclBindingFilter.Read(ref r, v);
                if (v >= 2)
                    r.SkipTaggedFields();
                return filter;
            }, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteArray(Filters, static (ref KafkaWriter w, AclBindingFilter filter, short v) =>
        {
            filter.Write(ref w, v);
            if (v >= 2)
                w.WriteEmptyTaggedFields();
        }, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// DeleteAcls Response (Version: 0) => throttle_time_ms [filter_results]
///   filter_results => error_code error_message [matching_acls]
///     matching_acls => error_code error_message resource_type resource_name principal host operation permission_type
/// DeleteAcls Response (Version: 1) => the same, matching_acls with pattern_type after resource_name
/// DeleteAcls Response (Version: 2-3) => the v1 fields, each structure ending with TAG_BUFFER
///   nullable: error_message
/// </code>
/// </summary>
public sealed class DeleteAclsResponse : IKafkaMessage<DeleteAclsResponse>
{
    public static ApiKey ApiKey => ApiKey.DeleteAcls;

    public int ThrottleTimeMs { get; set; }
    public List<FilterResult> FilterResults { get; set; } = [];

    public sealed record FilterResult(ErrorCode ErrorCode, string? ErrorMessage, List<MatchingAcl> MatchingAcls);

    public sealed record MatchingAcl(ErrorCode ErrorCode, string? ErrorMessage, AclBinding Acl);

    public static DeleteAclsResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var response = new DeleteAclsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            FilterResults = reader.ReadArray(static (ref KafkaReader r, short v) =>
            {
                var f = v >= 2;
                var code = (ErrorCode)r.ReadInt16();
                var message = r.ReadNullableString(f);
                var matching = r.ReadArray(static (ref KafkaReader r2, short v2) =>
                {
                    var f2 = v2 >= 2;
                    var code2 = (ErrorCode)r2.ReadInt16();
                    var message2 = r2.ReadNullableString(f2);
                    var acl = new AclBinding(r2.ReadInt8(), r2.ReadString(f2), v2 >= 1 ? r2.ReadInt8() : AclBinding.LiteralPattern,
                        r2.ReadString(f2), r2.ReadString(f2), r2.ReadInt8(), r2.ReadInt8());
                    if (f2)
                        r2.SkipTaggedFields();
                    return new MatchingAcl(code2, message2, acl);
                }, v, f);
                if (f)
                    r.SkipTaggedFields();
                return new FilterResult(code, message, matching);
            }, version, flexible),
        };
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(FilterResults, static (ref KafkaWriter w, FilterResult result, short v) =>
        {
            var f = v >= 2;
            w.WriteInt16((short)result.ErrorCode);
            w.WriteNullableString(result.ErrorMessage, f);
            w.WriteArray(result.MatchingAcls, static (ref KafkaWriter w2, MatchingAcl m, short v2) =>
            {
                var f2 = v2 >= 2;
                w2.WriteInt16((short)m.ErrorCode);
                w2.WriteNullableString(m.ErrorMessage, f2);
                w2.WriteInt8(m.Acl.ResourceType);
                w2.WriteString(m.Acl.ResourceName, f2);
                if (v2 >= 1)
                    w2.WriteInt8(m.Acl.PatternType);
                w2.WriteString(m.Acl.Principal, f2);
                w2.WriteString(m.Acl.Host, f2);
                w2.WriteInt8(m.Acl.Operation);
                w2.WriteInt8(m.Acl.Permission);
                if (f2)
                    w2.WriteEmptyTaggedFields();
            }, v, f);
            if (f)
                w.WriteEmptyTaggedFields();
        }, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}
