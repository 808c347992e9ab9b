using System.Buffers;
using System.Text.Json;
using Confluent.Kafka;

namespace Beltline.Line.Clickstream;

/// <summary>
/// A click as JSON with the original's field names, in its order:
/// <c>{"ip":…,"eventtimestamp":…,"devicetype":…,"event_type":…,"product_type":…,"userid":…,"globalseq":…,"prevglobalseq":…}</c>.
/// The producer takes any <see cref="ISerializer{T}"/>, so an Avro serializer with a schema registry can replace it.
/// </summary>
public sealed class ClickEventJsonSerializer : ISerializer<ClickEvent>
{
    public static ClickEventJsonSerializer Instance { get; } = new();

    // One writer per thread, reset per event: the generator threads serialize concurrently.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public byte[] Serialize(ClickEvent data, SerializationContext context) => ToJson(data);

    public static byte[] ToJson(in ClickEvent click)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var json = t_writer ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteString(Names.Ip, click.Ip);
        json.WriteNumber(Names.EventTimestamp, click.EventTimestamp);
        json.WriteString(Names.DeviceType, click.DeviceType);
        json.WriteString(Names.EventType, click.EventType);
        json.WriteString(Names.ProductType, click.ProductType);
        json.WriteNumber(Names.UserId, click.UserId);
        json.WriteNumber(Names.GlobalSeq, click.GlobalSeq);
        json.WriteNumber(Names.PrevGlobalSeq, click.PrevGlobalSeq);
        json.WriteEndObject();
        json.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a click back (tests, tools); a missing or mistyped field throws <see cref="JsonException"/> or <see cref="KeyNotFoundException"/>.</summary>
    public static ClickEvent FromJson(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var root = document.RootElement;
        return new ClickEvent(
            root.GetProperty(Names.Ip.EncodedUtf8Bytes).GetString()!,
            root.GetProperty(Names.EventTimestamp.EncodedUtf8Bytes).GetInt64(),
            root.GetProperty(Names.DeviceType.EncodedUtf8Bytes).GetString()!,
            root.GetProperty(Names.EventType.EncodedUtf8Bytes).GetString()!,
            root.GetProperty(Names.ProductType.EncodedUtf8Bytes).GetString()!,
            root.GetProperty(Names.UserId.EncodedUtf8Bytes).GetInt64(),
            root.GetProperty(Names.GlobalSeq.EncodedUtf8Bytes).GetInt64(),
            root.GetProperty(Names.PrevGlobalSeq.EncodedUtf8Bytes).GetInt64());
    }

    private static class Names
    {
        public static readonly JsonEncodedText Ip = JsonEncodedText.Encode("ip");
        public static readonly JsonEncodedText EventTimestamp = JsonEncodedText.Encode("eventtimestamp");
        public static readonly JsonEncodedText DeviceType = JsonEncodedText.Encode("devicetype");
        public static readonly JsonEncodedText EventType = JsonEncodedText.Encode("event_type");
        public static readonly JsonEncodedText ProductType = JsonEncodedText.Encode("product_type");
        public static readonly JsonEncodedText UserId = JsonEncodedText.Encode("userid");
        public static readonly JsonEncodedText GlobalSeq = JsonEncodedText.Encode("globalseq");
        public static readonly JsonEncodedText PrevGlobalSeq = JsonEncodedText.Encode("prevglobalseq");
    }
}
