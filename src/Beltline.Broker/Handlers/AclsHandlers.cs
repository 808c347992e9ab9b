using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>Conversions between the wire's ACL records and the authorizer's, shared by the three ACL APIs.</summary>
internal static class AclWire
{
    public static AclEntry ToEntry(AclBinding b) =>
        new((ResourceType)b.ResourceType, b.ResourceName, (PatternType)b.PatternType, b.Principal, b.Host, (AclOperation)b.Operation, (AclPermission)b.Permission);

    public static AclBinding ToBinding(AclEntry e) =>
        new((sbyte)e.ResourceType, e.ResourceName, (sbyte)e.PatternType, e.Principal, e.Host, (sbyte)e.Operation, (sbyte)e.Permission);

    public static AclFilter ToFilter(AclBindingFilter f) =>
        new((ResourceType)f.ResourceType, f.ResourceName, (PatternType)f.PatternType, f.Principal, f.Host, (AclOperation)f.Operation, (AclPermission)f.Permission);

    /// <summary>Kafka's answer when no authorizer is configured, or the principal may not manage ACLs; null when it may.</summary>
    public static (ErrorCode Code, string Message)? Refusal(RequestContext context, AclOperation needed) =>
        context.Authorizer is null ? (ErrorCode.SecurityDisabled, "No Authorizer is configured on the broker")
        : !context.IsAllowed(needed, ResourceType.Cluster, AclEntry.ClusterName) ? (ErrorCode.ClusterAuthorizationFailed, "Cluster authorization failed.")
        : null;
}

/// <summary>CreateAcls (key 30) v0–3, KIP-140, KIP-290: adds ACLs; each creation answered on its own. Needs ALTER on the cluster.</summary>
internal sealed class CreateAclsHandler(AclStore acls, ILogger logger) : RequestHandler<CreateAclsRequest, CreateAclsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override bool AuthorizesItself => true;

    protected override ValueTask<CreateAclsResponse?> HandleAsync(RequestContext context, CreateAclsRequest request)
    {
        if (AclWire.Refusal(context, AclOperation.Alter) is { } refusal)
            return ValueTask.FromResult<CreateAclsResponse?>(new CreateAclsResponse { Results = [.. request.Creations.Select(_ => new CreateAclsResponse.Result(refusal.Code, refusal.Message))] });
        var response = new CreateAclsResponse();
        var valid = new List<AclEntry>();
        foreach (var entry in request.Creations.Select(AclWire.ToEntry))
        {
            var problem = entry.Problem();
            response.Results.Add(new CreateAclsResponse.Result(problem is null ? ErrorCode.None : ErrorCode.InvalidRequest, problem));
            if (problem is null)
                valid.Add(entry);
        }
        acls.Add(valid);
        foreach (var entry in valid)
            Logger.LogInformation("ACL added by {Principal}: {Acl}", context.Session.Principal, entry);
        return ValueTask.FromResult<CreateAclsResponse?>(response);
    }

    public override CreateAclsResponse ErrorResponse(CreateAclsRequest request, ErrorCode error) =>
        new() { Results = [.. request.Creations.Select(_ => new CreateAclsResponse.Result(error, null))] };
}

/// <summary>DescribeAcls (key 29) v0–3, KIP-140, KIP-290: the ACLs a filter matches, grouped by resource pattern. Needs DESCRIBE on the cluster.</summary>
internal sealed class DescribeAclsHandler(AclStore acls, ILogger logger) : RequestHandler<DescribeAclsRequest, DescribeAclsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override bool AuthorizesItself => true;

    protected override ValueTask<DescribeAclsResponse?> HandleAsync(RequestContext context, DescribeAclsRequest request)
    {
        if (AclWire.Refusal(context, AclOperation.Describe) is { } refusal)
            return ValueTask.FromResult<DescribeAclsResponse?>(new DescribeAclsResponse { ErrorCode = refusal.Code, ErrorMessage = refusal.Message });
        var found = acls.Find(AclWire.ToFilter(request.Filter));
        return ValueTask.FromResult<DescribeAclsResponse?>(new DescribeAclsResponse
        {
            Resources = [.. found.GroupBy(a => (a.ResourceType, a.ResourceName, a.PatternType)).Select(g => new DescribeAclsResponse.Resource(
                (sbyte)g.Key.ResourceType, g.Key.ResourceName, (sbyte)g.Key.PatternType,
                [.. g.Select(a => new DescribeAclsResponse.Acl(a.Principal, a.Host, (sbyte)a.Operation, (sbyte)a.Permission))]))],
        });
    }

    public override DescribeAclsResponse ErrorResponse(DescribeAclsRequest request, ErrorCode error) => new() { ErrorCode = error };
}

/// <summary>DeleteAcls (key 31) v0–3, KIP-140, KIP-290: removes what each filter matches and reports it. Needs ALTER on the cluster.</summary>
internal sealed class DeleteAclsHandler(AclStore acls, ILogger logger) : RequestHandler<DeleteAclsRequest, DeleteAclsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override bool AuthorizesItself => true;

    protected override ValueTask<DeleteAclsResponse?> HandleAsync(RequestContext context, DeleteAclsRequest request)
    {
        if (AclWire.Refusal(context, AclOperation.Alter) is { } refusal)
            return ValueTask.FromResult<DeleteAclsResponse?>(new DeleteAclsResponse { FilterResults = [.. request.Filters.Select(_ => new DeleteAclsResponse.FilterResult(refusal.Code, refusal.Message, []))] });
        var response = new DeleteAclsResponse();
        foreach (var filter in request.Filters)
        {
            var removed = acls.Remove(AclWire.ToFilter(filter));
            foreach (var entry in removed)
                Logger.LogInformation("ACL removed by {Principal}: {Acl}", context.Session.Principal, entry);
            response.FilterResults.Add(new DeleteAclsResponse.FilterResult(ErrorCode.None, null,
                [.. removed.Select(e => new DeleteAclsResponse.MatchingAcl(ErrorCode.None, null, AclWire.ToBinding(e)))]));
        }
        return ValueTask.FromResult<DeleteAclsResponse?>(response);
    }

    public override DeleteAclsResponse ErrorResponse(DeleteAclsRequest request, ErrorCode error) =>
        new() { FilterResults = [.. request.Filters.Select(_ => new DeleteAclsResponse.FilterResult(error, null, []))] };
}
