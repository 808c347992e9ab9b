using System.Buffers;
using Beltline.Protocol;

namespace Beltline.Broker.Groups;

/// <summary>A committed offset as the coordinator keeps it and writes it to <c>__consumer_offsets</c>.</summary>
internal readonly record struct CommittedOffset(long Offset, int LeaderEpoch, string Metadata, long CommitTimestamp);

/// <summary>A member as the group metadata record stores it.</summary>
internal sealed record StoredMember(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost,
    int RebalanceTimeoutMs, int SessionTimeoutMs, byte[] Subscription, byte[] Assignment);

/// <summary>The group metadata record: the group as of its last completed generation.</summary>
internal sealed record StoredGroup(string ProtocolType, int Generation, string? Protocol, string? Leader, long CurrentStateTimestamp,
    IReadOnlyList<StoredMember> Members);

/// <summary>
/// Keys and values of <c>__consumer_offsets</c> in Kafka's own layout (its group coordinator's OffsetCommitKey,
/// OffsetCommitValue, GroupMetadataKey and GroupMetadataValue schemas), so the log reads the same with Kafka's
/// tools. Every key starts with an int16 version: 0 and 1 key an offset, 2 keys a group. A null value is a tombstone.
/// <code>
/// OffsetCommitKey (0-1)     => group topic partition
/// OffsetCommitValue (0)     => offset metadata commit_timestamp
/// OffsetCommitValue (1)     => offset metadata commit_timestamp expire_timestamp
/// OffsetCommitValue (2)     => offset metadata commit_timestamp
/// OffsetCommitValue (3)     => offset leader_epoch metadata commit_timestamp
/// OffsetCommitValue (4)     => offset leader_epoch metadata commit_timestamp TAG_BUFFER   (compact strings)
/// GroupMetadataKey (2)      => group
/// GroupMetadataValue (0-4)  => protocol_type generation protocol leader [current_state_timestamp (2+)] [members]
///   members => member_id [group_instance_id (3+)] client_id client_host [rebalance_timeout (1+)] session_timeout
///              subscription assignment                                  (4: compact, with TAG_BUFFERs)
/// </code>
/// We write OffsetCommitValue v3 and GroupMetadataValue v3, as Kafka 3.x does; we read every version.
/// </summary>
internal static class OffsetsTopicRecords
{
    public const string TopicName = "__consumer_offsets";

    private const short OffsetKeyVersion = 1;
    private const short GroupKeyVersion = 2;
    private const short OffsetValueVersion = 3;
    private const short GroupValueVersion = 3;

    /// <summary>Kafka's partitionFor: abs(String.hashCode) modulo the partition count, so a group lands where Kafka would put it.</summary>
    public static int PartitionFor(string groupId, int partitions)
    {
        var hash = 0;
        foreach (var c in groupId)
            hash = unchecked((31 * hash) + c);
        var positive = hash == int.MinValue ? 0 : Math.Abs(hash);
        return positive % partitions;
    }

    public static byte[] OffsetKey(string groupId, string topic, int partition) => Write((ref KafkaWriter w) =>
    {
        w.WriteInt16(OffsetKeyVersion);
        w.WriteString(groupId, compact: false);
        w.WriteString(topic, compact: false);
        w.WriteInt32(partition);
    });

    public static byte[] GroupKey(string groupId) => Write((ref KafkaWriter w) =>
    {
        w.WriteInt16(GroupKeyVersion);
        w.WriteString(groupId, compact: false);
    });

    public static byte[] OffsetValue(CommittedOffset offset) => Write((ref KafkaWriter w) =>
    {
        w.WriteInt16(OffsetValueVersion);
        w.WriteInt64(offset.Offset);
        w.WriteInt32(offset.LeaderEpoch);
        w.WriteString(offset.Metadata, compact: false);
        w.WriteInt64(offset.CommitTimestamp);
    });

    public static byte[] GroupValue(StoredGroup group) => Write((ref KafkaWriter w) =>
    {
        w.WriteInt16(GroupValueVersion);
        w.WriteString(group.ProtocolType, compact: false);
        w.WriteInt32(group.Generation);
        w.WriteNullableString(group.Protocol, compact: false);
        w.WriteNullableString(group.Leader, compact: false);
        w.WriteInt64(group.CurrentStateTimestamp);
        w.WriteArrayLength(group.Members.Count, compact: false);
        foreach (var m in group.Members)
        {
            w.WriteString(m.MemberId, compact: false);
            w.WriteNullableString(m.GroupInstanceId, compact: false);
            w.WriteString(m.ClientId, compact: false);
            w.WriteString(m.ClientHost, compact: false);
            w.WriteInt32(m.RebalanceTimeoutMs);
            w.WriteInt32(m.SessionTimeoutMs);
            w.WriteBytes(m.Subscription, compact: false);
            w.WriteBytes(m.Assignment, compact: false);
        }
    });

    /// <summary>A decoded record of the offsets topic: an offset (<see cref="Topic"/> set) or a group; null values are tombstones.</summary>
    public sealed record Entry(string GroupId, string? Topic, int Partition, CommittedOffset? Offset, StoredGroup? Group)
    {
        public bool IsOffset => Topic is not null;
    }

    /// <summary>Decodes one record; throws <see cref="KafkaProtocolException"/> on bytes that fit no known schema.</summary>
    public static Entry Read(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte>? value)
    {
        var reader = new KafkaReader(key);
        var keyVersion = reader.ReadInt16();
        switch (keyVersion)
        {
            case 0 or 1:
            {
                var group = reader.ReadString(compact: false);
                var topic = reader.ReadString(compact: false);
                var partition = reader.ReadInt32();
                return new Entry(group, topic, partition, value is { } v ? ReadOffsetValue(v) : null, null);
            }
            case 2:
            {
                var group = reader.ReadString(compact: false);
                return new Entry(group, null, -1, null, value is { } v ? ReadGroupValue(v) : null);
            }
            default:
                throw new KafkaProtocolException($"Unknown __consumer_offsets key version {keyVersion}.");
        }
    }

    private static CommittedOffset ReadOffsetValue(ReadOnlyMemory<byte> value)
    {
        var reader = new KafkaReader(value);
        var version = reader.ReadInt16();
        if (version is < 0 or > 4)
            throw new KafkaProtocolException($"Unknown offset commit value version {version}.");
        var flexible = version >= 4;
        var offset = reader.ReadInt64();
        var leaderEpoch = version >= 3 ? reader.ReadInt32() : -1;
        var metadata = reader.ReadString(flexible);
        var commitTimestamp = reader.ReadInt64();
        if (version == 1)
            reader.ReadInt64(); // expire_timestamp: retention is the broker's offsets.retention.minutes
        if (flexible)
            reader.SkipTaggedFields();
        return new CommittedOffset(offset, leaderEpoch, metadata, commitTimestamp);
    }

    private static StoredGroup ReadGroupValue(ReadOnlyMemory<byte> value)
    {
        var reader = new KafkaReader(value);
        var version = reader.ReadInt16();
        if (version is < 0 or > 4)
            throw new KafkaProtocolException($"Unknown group metadata value version {version}.");
        var flexible = version >= 4;
        var protocolType = reader.ReadString(flexible);
        var generation = reader.ReadInt32();
        var protocol = reader.ReadNullableString(flexible);
        var leader = reader.ReadNullableString(flexible);
        var timestamp = version >= 2 ? reader.ReadInt64() : -1;
        var count = reader.ReadArrayLength(flexible);
        var members = new List<StoredMember>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            var memberId = reader.ReadString(flexible);
            var instanceId = version >= 3 ? reader.ReadNullableString(flexible) : null;
            var clientId = reader.ReadString(flexible);
            var clientHost = reader.ReadString(flexible);
            var rebalanceTimeout = version >= 1 ? reader.ReadInt32() : -1;
            var sessionTimeout = reader.ReadInt32();
            if (rebalanceTimeout < 0)
                rebalanceTimeout = sessionTimeout; // v0 had one timeout for both
            var subscription = reader.ReadBytes(flexible).ToArray();
            var assignment = reader.ReadBytes(flexible).ToArray();
            if (flexible)
                reader.SkipTaggedFields();
            members.Add(new StoredMember(memberId, instanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment));
        }
        if (flexible)
            reader.SkipTaggedFields();
        return new StoredGroup(protocolType, generation, protocol, leader, timestamp, members);
    }

    private delegate void BodyWriter(ref KafkaWriter writer);


    private static byte[] Write(BodyWriter write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new KafkaWriter(buffer);
        write(ref writer);
        writer.Commit();
        return buffer.WrittenSpan.ToArray();
    }
}
