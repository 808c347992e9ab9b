namespace Beltline.Protocol.Messages;

// InitProducerId (key 22), v0–5, flexible from v2. KIP-98; KIP-360 (v3 producer_id/producer_epoch to resume after
// an epoch error), KIP-588 (v4 PRODUCER_FENCED), KIP-890 (v5 TRANSACTION_ABORTABLE).
// v1 is byte-for-byte v0; v4 and v5 are byte-for-byte v3 and only add error codes.

/// <summary>
/// <code>
/// InitProducerId Request (Version: 0-1) => transactional_id transaction_timeout_ms
/// InitProducerId Request (Version: 2) => transactional_id transaction_timeout_ms TAG_BUFFER
/// InitProducerId Request (Version: 3-5) => transactional_id transaction_timeout_ms producer_id producer_epoch TAG_BUFFER
///   nullable: transactional_id
/// </code>
/// </summary>
public sealed class InitProducerIdRequest : IKafkaMessage<InitProducerIdRequest>
{
    public static ApiKey ApiKey => ApiKey.InitProducerId;

    /// <summary>v0+; null for an idempotent producer without transactions. The spec's default is "", not null.</summary>
    public string? TransactionalId { get; set; } = "";

    /// <summary>v0+; only meaningful with a transactional id.</summary>
    public int TransactionTimeoutMs { get; set; }

    /// <summary>v3+; the producer's current id, or -1 for a new producer.</summary>
    public long ProducerId { get; set; } = -1;

    /// <summary>v3+; the producer's current epoch, or -1 for a new producer.</summary>
    public short ProducerEpoch { get; set; } = -1;

    public static InitProducerIdRequest Read(ref KafkaReader reader, short version)
    {
        var flexible = version >= 2;
        var request = new InitProducerIdRequest
        {
            TransactionalId = reader.ReadNullableString(flexible),
            TransactionTimeoutMs = reader.ReadInt32(),
        };
        if (version >= 3)
        {
            request.ProducerId = reader.ReadInt64();
            request.ProducerEpoch = reader.ReadInt16();
        }
        if (flexible)
            reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        var flexible = version >= 2;
        writer.WriteNullableString(TransactionalId, flexible);
        writer.WriteInt32(TransactionTimeoutMs);
        if (version >= 3)
        {
            writer.WriteInt64(ProducerId);
            writer.WriteInt16(ProducerEpoch);
        }
        if (flexible)
            writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// InitProducerId Response (Version: 0-1) => throttle_time_ms error_code producer_id producer_epoch
/// InitProducerId Response (Version: 2-5) => throttle_time_ms error_code producer_id producer_epoch TAG_BUFFER
/// </code>
/// </summary>
public sealed class InitProducerIdResponse : IKafkaMessage<InitProducerIdResponse>
{
    public static ApiKey ApiKey => ApiKey.InitProducerId;

    /// <summary>v0+.</summary>
    public int ThrottleTimeMs { get; set; }

    /// <summary>v0+.</summary>
    public ErrorCode ErrorCode { get; set; }

    /// <summary>v0+.</summary>
    public long ProducerId { get; set; } = -1;

    /// <summary>v0+; the spec gives it no default, so 0.</summary>
    public short ProducerEpoch { get; set; }

    public static InitProducerIdResponse Read(ref KafkaReader reader, short version)
    {
        var response = new InitProducerIdResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ProducerId = reader.ReadInt64(),
            ProducerEpoch = reader.ReadInt16(),
        };
        if (version >= 2)
            reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteInt64(ProducerId);
        writer.WriteInt16(ProducerEpoch);
        if (version >= 2)
            writer.WriteEmptyTaggedFields();
    }
}
