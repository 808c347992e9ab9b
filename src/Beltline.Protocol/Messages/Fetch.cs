using System.Text;

namespace Beltline.Protocol.Messages;

// Fetch (key 1), v0–16. v3 max_bytes (KIP-74), v4 isolation level + LSO (KIP-98), v5 log start offset,
// v7 fetch sessions (KIP-227), v9 current leader epoch (KIP-320), v11 rack id (KIP-392), v12 flexible,
// v13 topic ids (KIP-516), v15 replica state tag (KIP-903), v16 node endpoints tag (KIP-951).
// The broker serves v4+; v0–3 imply the old message formats.

/// <summary>
/// <code>
/// Fetch Request (Version: 4-6) => replica_id max_wait_ms min_bytes max_bytes isolation_level [topics]
///   topics => topic [partitions]
///     partitions => partition fetch_offset log_start_offset (v5+) partition_max_bytes
/// Fetch Request (Version: 7-8) => replica_id max_wait_ms min_bytes max_bytes isolation_level session_id session_epoch [topics] [forgotten_topics_data]
/// Fetch Request (Version: 9-11) => ... partitions + current_leader_epoch (v9+); rack_id at the end (v11+)
/// Fetch Request (Version: 12-16) => compact, TAG_BUFFER (tag 0 cluster_id; v15+ tag 1 replica_state);
///   partitions + last_fetched_epoch; v13+ topics and forgotten topics by topic_id; v15+ no replica_id field
/// Fetch Request (Version: 0-3) => replica_id max_wait_ms min_bytes [max_bytes (v3)] [topics]
/// </code>
/// </summary>
public sealed class FetchRequest : IKafkaMessage<FetchRequest>
{
    public static ApiKey ApiKey => ApiKey.Fetch;

    public string? ClusterId { get; set; }
    public int ReplicaId { get; set; } = -1;
    public long ReplicaEpoch { get; set; } = -1;
    public int MaxWaitMs { get; set; }
    public int MinBytes { get; set; }
    public int MaxBytes { get; set; } = int.MaxValue;
    public sbyte IsolationLevel { get; set; }
    public int SessionId { get; set; }
    public int SessionEpoch { get; set; } = -1;
    public List<FetchTopic> Topics { get; set; } = [];
    public List<FetchForgottenTopic> ForgottenTopics { get; set; } = [];
    public string RackId { get; set; } = "";

    public static FetchRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 12;
        var request = new FetchRequest();
        if (version <= 14)
            request.ReplicaId = reader.ReadInt32();
        request.MaxWaitMs = reader.ReadInt32();
        request.MinBytes = reader.ReadInt32();
        if (version >= 3)
            request.MaxBytes = reader.ReadInt32();
        if (version >= 4)
            request.IsolationLevel = reader.ReadInt8();
        if (version >= 7)
        {
            request.SessionId = reader.ReadInt32();
            request.SessionEpoch = reader.ReadInt32();
        }
        request.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (version >= 7)
            request.ForgottenTopics = reader.ReadArray(ReadForgottenTopic, version, flexible);
        if (version >= 11)
            request.RackId = reader.ReadString(flexible);
        if (flexible)
        {
            var count = reader.ReadUnsignedVarInt();
            for (var i = 0; i < count; i++)
            {
                var (tag, size) = reader.ReadTaggedFieldHeader();
                var start = reader.Position;
                if (tag == 0)
                    request.ClusterId = reader.ReadNullableString(compact: true);
                else if (tag == 1 && version >= 15)
                {
                    request.ReplicaId = reader.ReadInt32();
                    request.ReplicaEpoch = reader.ReadInt64();
                    reader.SkipTaggedFields();
                }
                else
                    reader.Skip(size);
                // A size that disagrees with the field would leave the reader inside or past it, misreading what follows.
                if (reader.Position - start != size)
                    throw new KafkaProtocolException($"Fetch request tag {tag} claims {size} bytes but holds {reader.Position - start}.");
            }
        }
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 12;
        if (version <= 14)
            writer.WriteInt32(ReplicaId);
        writer.WriteInt32(MaxWaitMs);
        writer.WriteInt32(MinBytes);
        if (version >= 3)
            writer.WriteInt32(MaxBytes);
        if (version >= 4)
            writer.WriteInt8(IsolationLevel);
        if (version >= 7)
        {
            writer.WriteInt32(SessionId);
            writer.WriteInt32(SessionEpoch);
        }
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (version >= 7)
            writer.WriteArray(ForgottenTopics, WriteForgottenTopic, version, flexible);
        if (version >= 11)
            writer.WriteString(RackId, flexible);
        if (flexible)
        {
            // Like any tagged field, ReplicaState is sent when it differs from its default (-1, -1).
            var writeReplicaState = version >= 15 && (ReplicaId != -1 || ReplicaEpoch != -1);
            writer.WriteUnsignedVarInt((ClusterId is null ? 0 : 1) + (writeReplicaState ? 1 : 0));
            if (ClusterId is not null)
            {
                var length = Encoding.UTF8.GetByteCount(ClusterId);
                writer.WriteUnsignedVarInt(0);
                writer.WriteUnsignedVarInt(KafkaWriter.VarIntSize((uint)length + 1) + length);
                writer.WriteString(ClusterId, compact: true);
            }
            if (writeReplicaState)
            {
                writer.WriteUnsignedVarInt(1);
                writer.WriteUnsignedVarInt(4 + 8 + 1);
                writer.WriteInt32(ReplicaId);
                writer.WriteInt64(ReplicaEpoch);
                writer.WriteEmptyTaggedFields();
            }
        }
    }

    private static FetchTopic ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 12;
        var topic = new FetchTopic();
        if (version >= 13)
            topic.TopicId = reader.ReadUuid();
        else
            topic.Topic = reader.ReadString(flexible);
        topic.Partitions = reader.ReadArray(ReadPartition, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, FetchTopic topic, short version)
    {
        var flexible = version >= 12;
        if (version >= 13)
            writer.WriteUuid(topic.TopicId);
        else
            writer.WriteString(topic.Topic, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static FetchPartition ReadPartition(ref KafkaReader reader, short version)
    {
        var partition = new FetchPartition { Partition = reader.ReadInt32() };
        if (version >= 9)
            partition.CurrentLeaderEpoch = reader.ReadInt32();
        partition.FetchOffset = reader.ReadInt64();
        if (version >= 12)
            partition.LastFetchedEpoch = reader.ReadInt32();
        if (version >= 5)
            partition.LogStartOffset = reader.ReadInt64();
        partition.PartitionMaxBytes = reader.ReadInt32();
        if (version >= 12)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, FetchPartition partition, short version)
    {
        writer.WriteInt32(partition.Partition);
        if (version >= 9)
            writer.WriteInt32(partition.CurrentLeaderEpoch);
        writer.WriteInt64(partition.FetchOffset);
        if (version >= 12)
            writer.WriteInt32(partition.LastFetchedEpoch);
        if (version >= 5)
            writer.WriteInt64(partition.LogStartOffset);
        writer.WriteInt32(partition.PartitionMaxBytes);
        if (version >= 12)
            writer.WriteEmptyTaggedFields();
    }

    private static FetchForgottenTopic ReadForgottenTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 12;
        var topic = new FetchForgottenTopic();
        if (version >= 13)
            topic.TopicId = reader.ReadUuid();
        else
            topic.Topic = reader.ReadString(flexible);
        topic.Partitions = reader.ReadInt32Array(flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteForgottenTopic(ref KafkaWriter writer, FetchForgottenTopic topic, short version)
    {
        var flexible = version >= 12;
        if (version >= 13)
            writer.WriteUuid(topic.TopicId);
        else
            writer.WriteString(topic.Topic, flexible);
        writer.WriteInt32Array(topic.Partitions, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

public sealed class FetchTopic
{
    /// <summary>Topic name (v0–12).</summary>
    public string Topic { get; set; } = "";
    /// <summary>Topic id (v13+).</summary>
    public KafkaUuid TopicId { get; set; }
    public List<FetchPartition> Partitions { get; set; } = [];
}

public sealed class FetchPartition
{
    public int Partition { get; set; }
    public int CurrentLeaderEpoch { get; set; } = -1;
    public long FetchOffset { get; set; }
    public int LastFetchedEpoch { get; set; } = -1;
    public long LogStartOffset { get; set; } = -1;
    public int PartitionMaxBytes { get; set; }
}

public sealed class FetchForgottenTopic
{
    public string Topic { get; set; } = "";
    public KafkaUuid TopicId { get; set; }
    public List<int> Partitions { get; set; } = [];
}

/// <summary>
/// <code>
/// Fetch Response (Version: 4) => throttle_time_ms [responses]
///   responses => topic [partitions]
///     partitions => partition_index error_code high_watermark last_stable_offset log_start_offset (v5+)
///                   [aborted_transactions] preferred_read_replica (v11+) records
///       aborted_transactions => producer_id first_offset
/// Fetch Response (Version: 7-11) => throttle_time_ms error_code session_id [responses]
/// Fetch Response (Version: 12-16) => same, compact, TAG_BUFFER; v13+ responses by topic_id
///   partition tags (never sent by a single broker): 0 diverging_epoch, 1 current_leader, 2 snapshot_id;
///   response tag (v16+): 0 node_endpoints
/// Fetch Response (Version: 0-3) => throttle_time_ms (v1+) [responses], partitions => partition_index error_code high_watermark records
/// </code>
/// </summary>
public sealed class FetchResponse : IKafkaMessage<FetchResponse>
{
    public static ApiKey ApiKey => ApiKey.Fetch;

    public int ThrottleTimeMs { get; set; }
    public ErrorCode ErrorCode { get; set; }
    public int SessionId { get; set; }
    public List<FetchTopicResponse> Topics { get; set; } = [];

    public static FetchResponse Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 12;
        var response = new FetchResponse();
        if (version >= 1)
            response.ThrottleTimeMs = reader.ReadInt32();
        if (version >= 7)
        {
            response.ErrorCode = (ErrorCode)reader.ReadInt16();
            response.SessionId = reader.ReadInt32();
        }
        response.Topics = reader.ReadArray(ReadTopic, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 12;
        if (version >= 1)
            writer.WriteInt32(ThrottleTimeMs);
        if (version >= 7)
        {
            writer.WriteInt16((short)ErrorCode);
            writer.WriteInt32(SessionId);
        }
        writer.WriteArray(Topics, WriteTopic, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static FetchTopicResponse ReadTopic(ref KafkaReader reader, short version)
    {
        var flexible = version >= 12;
        var topic = new FetchTopicResponse();
        if (version >= 13)
            topic.TopicId = reader.ReadUuid();
        else
            topic.Topic = reader.ReadString(flexible);
        topic.Partitions = reader.ReadArray(ReadPartition, version, flexible);
        if (flexible)
            reader.SkipTaggedFields();
        return topic;
    }

    private static void WriteTopic(ref KafkaWriter writer, FetchTopicResponse topic, short version)
    {
        var flexible = version >= 12;
        if (version >= 13)
            writer.WriteUuid(topic.TopicId);
        else
            writer.WriteString(topic.Topic, flexible);
        writer.WriteArray(topic.Partitions, WritePartition, version, flexible);
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static FetchPartitionResponse ReadPartition(ref KafkaReader reader, short version)
    {
        var flexible = version >= 12;
        var partition = new FetchPartitionResponse
        {
            PartitionIndex = reader.ReadInt32(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            HighWatermark = reader.ReadInt64(),
        };
        if (version >= 4)
        {
            partition.LastStableOffset = reader.ReadInt64();
            if (version >= 5)
                partition.LogStartOffset = reader.ReadInt64();
            partition.AbortedTransactions = reader.ReadNullableArray(ReadAbortedTransaction, version, flexible);
        }
        if (version >= 11)
            partition.PreferredReadReplica = reader.ReadInt32();
        var records = reader.ReadNullableBytes(flexible);
        partition.Records = records is { } bytes ? new MemoryPayload(bytes) : null;
        if (flexible)
            reader.SkipTaggedFields();
        return partition;
    }

    private static void WritePartition(ref KafkaWriter writer, FetchPartitionResponse partition, short version)
    {
        var flexible = version >= 12;
        writer.WriteInt32(partition.PartitionIndex);
        writer.WriteInt16((short)partition.ErrorCode);
        writer.WriteInt64(partition.HighWatermark);
        if (version >= 4)
        {
            writer.WriteInt64(partition.LastStableOffset);
            if (version >= 5)
                writer.WriteInt64(partition.LogStartOffset);
            writer.WriteArray(partition.AbortedTransactions, WriteAbortedTransaction, version, flexible);
        }
        if (version >= 11)
            writer.WriteInt32(partition.PreferredReadReplica);
        if (partition.Records is null)
            writer.WriteArrayLength(-1, flexible);
        else
        {
            writer.WriteArrayLength(partition.Records.Length, flexible);
            writer.WriteRaw(partition.Records.Length, partition.Records);
        }
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }

    private static FetchAbortedTransaction ReadAbortedTransaction(ref KafkaReader reader, short version)
    {
        var aborted = new FetchAbortedTransaction(reader.ReadInt64(), reader.ReadInt64());
        if (version >= 12)
            reader.SkipTaggedFields();
        return aborted;
    }

    private static void WriteAbortedTransaction(ref KafkaWriter writer, FetchAbortedTransaction aborted, short version)
    {
        writer.WriteInt64(aborted.ProducerId);
        writer.WriteInt64(aborted.FirstOffset);
        if (version >= 12)
            writer.WriteEmptyTaggedFields();
    }
}

public sealed class FetchTopicResponse
{
    public string Topic { get; set; } = "";
    public KafkaUuid TopicId { get; set; }
    public List<FetchPartitionResponse> Partitions { get; set; } = [];
}

public sealed class FetchPartitionResponse
{
    public int PartitionIndex { get; set; }
    public ErrorCode ErrorCode { get; set; }
    public long HighWatermark { get; set; } = -1;
    public long LastStableOffset { get; set; } = -1;
    public long LogStartOffset { get; set; } = -1;
    public List<FetchAbortedTransaction>? AbortedTransactions { get; set; }
    public int PreferredReadReplica { get; set; } = -1;

    /// <summary>Whole record batches; empty (not null) when there is nothing to return.</summary>
    public IRawPayload? Records { get; set; }
}

public readonly record struct FetchAbortedTransaction(long ProducerId, long FirstOffset);
