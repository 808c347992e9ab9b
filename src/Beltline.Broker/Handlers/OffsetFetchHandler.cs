using Beltline.Broker.Groups;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security.Acls;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Handlers;

/// <summary>
/// OffsetFetch (key 9) v0–9: committed offsets of the requested partitions, or of every partition (null topics,
/// v2+); KIP-320 leader epoch (v5+); KIP-709 batched groups (v8+). A partition with no commit reads offset -1.
/// </summary>
internal sealed class OffsetFetchHandler(BrokerNode node, ILogger logger) : RequestHandler<OffsetFetchRequest, OffsetFetchResponse>(logger)
{
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    /// <summary>DESCRIBE on the group.</summary>
    protected override bool AuthorizesItself => true;

    protected override ValueTask<OffsetFetchResponse?> HandleAsync(RequestContext context, OffsetFetchRequest request)
    {
        var groups = context.ApiVersion >= 8 ? request.Groups.Select(g => g.GroupId) : [request.GroupId];
        if (groups.Any(group => !context.IsAllowed(AclOperation.Describe, ResourceType.Group, group)))
            return ValueTask.FromResult<OffsetFetchResponse?>(ErrorResponse(request, ErrorCode.GroupAuthorizationFailed));
        if (context.ApiVersion >= 8)
        {
            return ValueTask.FromResult<OffsetFetchResponse?>(new OffsetFetchResponse
            {
                Groups = [.. request.Groups.Select(g => new OffsetFetchResponse.Group
                {
                    GroupId = g.GroupId,
                    Topics = [.. ByTopic(Fetch(g.GroupId, g.Topics?.Select(t => (t.Name, t.PartitionIndexes))), (name, partitions) => new OffsetFetchResponse.GroupTopic
                    {
                        Name = name,
                        Partitions = [.. partitions.Select(o => new OffsetFetchResponse.GroupPartition
                        {
                            PartitionIndex = o.Partition, CommittedOffset = o.Offset, CommittedLeaderEpoch = o.LeaderEpoch, Metadata = o.Metadata, ErrorCode = o.Error,
                        })],
                    })],
                })],
            });
        }
        return ValueTask.FromResult<OffsetFetchResponse?>(new OffsetFetchResponse
        {
            Topics = [.. ByTopic(Fetch(request.GroupId, request.Topics?.Select(t => (t.Name, t.PartitionIndexes))), (name, partitions) => new OffsetFetchResponse.Topic
            {
                Name = name,
                Partitions = [.. partitions.Select(o => new OffsetFetchResponse.Partition
                {
                    PartitionIndex = o.Partition, CommittedOffset = o.Offset, CommittedLeaderEpoch = o.LeaderEpoch, Metadata = o.Metadata, ErrorCode = o.Error,
                })],
            })],
        });
    }

    private IReadOnlyList<FetchedOffset> Fetch(string groupId, IEnumerable<(string Name, List<int> Partitions)>? topics) =>
        node.Groups.FetchOffsets(groupId, topics?.SelectMany(t => t.Partitions.Select(p => (t.Name, p))).ToList());

    /// <summary>Groups offsets by topic, keeping the order topics first appear in.</summary>
    private static IEnumerable<T> ByTopic<T>(IReadOnlyList<FetchedOffset> offsets, Func<string, IEnumerable<FetchedOffset>, T> build) =>
        offsets.GroupBy(o => o.Topic, StringComparer.Ordinal).Select(g => build(g.Key, g));

    public override OffsetFetchResponse ErrorResponse(OffsetFetchRequest request, ErrorCode error) => new()
    {
        ErrorCode = error,
        Topics = [.. (request.Topics ?? []).Select(t => new OffsetFetchResponse.Topic
        {
            Name = t.Name,
            Partitions = [.. t.PartitionIndexes.Select(p => new OffsetFetchResponse.Partition { PartitionIndex = p, CommittedOffset = -1, ErrorCode = error })],
        })],
        Groups = [.. request.Groups.Select(g => new OffsetFetchResponse.Group { GroupId = g.GroupId, ErrorCode = error })],
    };
}
