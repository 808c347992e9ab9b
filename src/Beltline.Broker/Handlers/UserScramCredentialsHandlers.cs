using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Sasl;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>KIP-554's wire numbers of the SCRAM mechanisms.</summary>
internal static class ScramWire
{
    public static sbyte Of(ScramMechanism mechanism) => mechanism == ScramMechanism.Sha256 ? (sbyte)1 : (sbyte)2;

    public static ScramMechanism? From(sbyte value) => value switch { 1 => ScramMechanism.Sha256, 2 => ScramMechanism.Sha512, _ => null };

    /// <summary>Kafka's ceiling on SCRAM iterations.</summary>
    public const int MaxIterations = 16384;
}

/// <summary>
/// DescribeUserScramCredentials (key 50) v0, KIP-554: each user's mechanisms and iterations, never salts or keys;
/// a null or empty list asks for every user (librdkafka sends an empty one).
/// </summary>
internal sealed class DescribeUserScramCredentialsHandler(CredentialStore credentials, ILogger logger)
    : RequestHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    /// <summary>DESCRIBE on the cluster.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<DescribeUserScramCredentialsResponse?> HandleAsync(RequestContext context, DescribeUserScramCredentialsRequest request)
    {
        if (!context.IsAllowed(AclOperation.Describe, ResourceType.Cluster, AclEntry.ClusterName))
            return ValueTask.FromResult<DescribeUserScramCredentialsResponse?>(new DescribeUserScramCredentialsResponse
            {
                ErrorCode = ErrorCode.ClusterAuthorizationFailed,
                ErrorMessage = "Cluster authorization failed.",
            });
        var users = credentials.List().ToDictionary(u => u.User, u => u.Credentials, StringComparer.Ordinal);
        var response = new DescribeUserScramCredentialsResponse();
        var requested = request.Users is { Count: > 0 } named ? named : null;
        var duplicates = requested?.GroupBy(u => u, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var user in requested?.Distinct(StringComparer.Ordinal) ?? users.Keys)
        {
            var result = new DescribeUserScramCredentialsResponse.UserResult { User = user };
            if (duplicates.Contains(user))
                (result.ErrorCode, result.ErrorMessage) = (ErrorCode.DuplicateResource, "Cannot describe SCRAM credentials for the same user twice in a single request");
            else if (!users.TryGetValue(user, out var infos))
                (result.ErrorCode, result.ErrorMessage) = (ErrorCode.ResourceNotFound, "Attempt to describe a user credential that does not exist");
            else
                result.CredentialInfos = [.. infos.Select(c => new DescribeUserScramCredentialsResponse.CredentialInfo(ScramWire.Of(c.Mechanism), c.Iterations))];
            response.Results.Add(result);
        }
        return ValueTask.FromResult<DescribeUserScramCredentialsResponse?>(response);
    }

    public override DescribeUserScramCredentialsResponse ErrorResponse(DescribeUserScramCredentialsRequest request, ErrorCode error) =>
        new() { ErrorCode = error };
}

/// <summary>
/// AlterUserScramCredentials (key 51) v0, KIP-554: upserts credentials from the salted passwords clients send and
/// deletes them, one result per user; a user's changes apply only when all of them are valid.
/// </summary>
internal sealed class AlterUserScramCredentialsHandler(CredentialStore credentials, ILogger logger)
    : RequestHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    /// <summary>ALTER on the cluster.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<AlterUserScramCredentialsResponse?> HandleAsync(RequestContext context, AlterUserScramCredentialsRequest request)
    {
        if (!context.IsAllowed(AclOperation.Alter, ResourceType.Cluster, AclEntry.ClusterName))
            return ValueTask.FromResult<AlterUserScramCredentialsResponse?>(ErrorResponse(request, ErrorCode.ClusterAuthorizationFailed));
        var response = new AlterUserScramCredentialsResponse();
        var users = request.Deletions.Select(d => d.Name).Concat(request.Upsertions.Select(u => u.Name)).Distinct(StringComparer.Ordinal);
        foreach (var user in users)
        {
            var deletions = request.Deletions.Where(d => d.Name == user).ToList();
            var upsertions = request.Upsertions.Where(u => u.Name == user).ToList();
            var problem = Validate(user, deletions, upsertions);
            if (problem is { } error)
            {
                response.Results.Add(new(user, error.Code, error.Message));
                continue;
            }
            foreach (var deletion in deletions)
                credentials.Delete(user, ScramWire.From(deletion.Mechanism)!.Value);
            foreach (var upsertion in upsertions)
            {
                var mechanism = ScramWire.From(upsertion.Mechanism)!.Value;
                credentials.Set(user, mechanism, ScramCredential.FromSaltedPassword(mechanism, upsertion.Salt, upsertion.Iterations, upsertion.SaltedPassword));
            }
            Logger.LogInformation("SCRAM credentials of {User} changed by {Principal}: {Upserted} upserted, {Deleted} deleted",
                user, context.Session.Principal, upsertions.Count, deletions.Count);
            response.Results.Add(new(user, ErrorCode.None, null));
        }
        return ValueTask.FromResult<AlterUserScramCredentialsResponse?>(response);
    }

    private (ErrorCode Code, string Message)? Validate(string user, List<AlterUserScramCredentialsRequest.Deletion> deletions, List<AlterUserScramCredentialsRequest.Upsertion> upsertions)
    {
        if (user.Length == 0)
            return (ErrorCode.UnacceptableCredential, "Username must not be empty");
        var mechanisms = deletions.Select(d => d.Mechanism).Concat(upsertions.Select(u => u.Mechanism)).ToList();
        if (mechanisms.Any(m => ScramWire.From(m) is null))
            return (ErrorCode.UnsupportedSaslMechanism, "Unknown SCRAM mechanism");
        if (mechanisms.Count != mechanisms.Distinct().Count())
            return (ErrorCode.DuplicateResource, "A user credential cannot be altered twice in the same request");
        if (upsertions.Any(u => u.Iterations < ScramMechanisms.MinIterations))
            return (ErrorCode.UnacceptableCredential, "Too few iterations");
        if (upsertions.Any(u => u.Iterations > ScramWire.MaxIterations))
            return (ErrorCode.UnacceptableCredential, "Too many iterations");
        if (upsertions.Any(u => u.Salt.Length == 0 || u.SaltedPassword.Length == 0))
            return (ErrorCode.UnacceptableCredential, "Salt and salted password must not be empty");
        if (deletions.Any(d => credentials.Find(user, ScramWire.From(d.Mechanism)!.Value) is null))
            return (ErrorCode.ResourceNotFound, "Attempt to delete a user credential that does not exist");
        return null;
    }

    public override AlterUserScramCredentialsResponse ErrorResponse(AlterUserScramCredentialsRequest request, ErrorCode error) => new()
    {
        Results = [.. request.Deletions.Select(d => d.Name).Concat(request.Upsertions.Select(u => u.Name)).Distinct().Select(u => new AlterUserScramCredentialsResponse.Result(u, error, null))],
    };
}
