namespace Beltline.Protocol.Records;

/// <summary>One record read out of a batch, with its offset and timestamp made absolute.</summary>
/// <remarks>Key, value and header values are slices of the batch (or of its decompressed records), not copies.</remarks>
public sealed class Record(
    long offset,
    long timestamp,
    ReadOnlyMemory<byte>? key,
    ReadOnlyMemory<byte>? value,
    IReadOnlyList<RecordHeader> headers)
{
    public long Offset { get; } = offset;

    /// <summary>The record's own timestamp, or the batch's append time when the batch is LogAppendTime.</summary>
    public long Timestamp { get; } = timestamp;

    public ReadOnlyMemory<byte>? Key { get; } = key;
    public ReadOnlyMemory<byte>? Value { get; } = value;
    public IReadOnlyList<RecordHeader> Headers { get; } = headers;
}

/// <summary>A record header: a UTF-8 key and a nullable byte value.</summary>
public readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value)
{
    /// <summary>Keeps a null array null; the implicit byte[] to ReadOnlyMemory conversion would make it empty.</summary>
    public RecordHeader(string key, byte[]? value)
        : this(key, value is null ? null : (ReadOnlyMemory<byte>?)value)
    {
    }
}
