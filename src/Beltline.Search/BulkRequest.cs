using System.Buffers;
using System.Text.Json;

namespace Beltline.Search;

/// <summary>
/// One action line of a bulk body (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/docs-bulk.html):
/// <code>
///   body   = { action "\n" [ source "\n" ] }
///   action = { ("index" | "create" | "update" | "delete") : { ["_index": s] ["_id": s] ["if_seq_no": n] … } }
///   source = document (index, create) | {"doc": …, ["doc_as_upsert": b], ["upsert": …]} (update) | none (delete)
/// </code>
/// Read with a <see cref="Utf8JsonReader"/> rather than into a JSON tree: a bulk request has a thousand of them.
/// </summary>
internal readonly record struct BulkAction(string Type, string? Index, string? Id, long? IfSeqNo)
{
    public bool HasSource => Type != "delete";

    public static BulkAction Parse(ReadOnlySpan<byte> line, int lineNumber)
    {
        var reader = new Utf8JsonReader(line);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !reader.Read())
                throw Malformed(lineNumber);
            if (reader.TokenType != JsonTokenType.PropertyName)
                throw SearchException.BadRequest($"Malformed action/metadata line [{lineNumber}], expected FIELD_NAME but found [{reader.TokenType}]");
            var type = reader.GetString()!;
            if (type is not ("index" or "create" or "delete" or "update"))
                throw SearchException.BadRequest($"Malformed action/metadata line [{lineNumber}], expected field [create], [delete], [index] or [update] but found [{type}]");
            reader.Read();
            string? index = null, id = null;
            long? ifSeqNo = null;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    reader.Read();
                    switch (name)
                    {
                        case "_index":
                            index = Scalar(ref reader);
                            break;
                        case "_id":
                            id = Scalar(ref reader);
                            break;
                        case "if_seq_no" when reader.TokenType == JsonTokenType.Number:
                            ifSeqNo = reader.GetInt64();
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }
            }
            else
                reader.Skip();
            if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
                throw SearchException.BadRequest($"Malformed action/metadata line [{lineNumber}], expected a simple value for field [{type}]");
            return new BulkAction(type, index, id, ifSeqNo);
        }
        catch (JsonException)
        {
            throw Malformed(lineNumber);
        }
    }

    /// <summary>A string, or a number's text (ES takes <c>"_id": 7</c> as "7"); null for JSON null.</summary>
    private static string? Scalar(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        JsonTokenType.StartObject or JsonTokenType.StartArray => throw new JsonException(),
        _ => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
    };

    private static SearchException Malformed(int lineNumber) =>
        SearchException.BadRequest($"Malformed action/metadata line [{lineNumber}], expected START_OBJECT or END_OBJECT");
}

/// <summary>
/// The bulk response, each item written to UTF-8 JSON as it completes instead of built as a JSON tree first:
/// <c>{"took": ms, "errors": bool, "items": [{type: result}, …]}</c>.
/// </summary>
internal sealed class BulkResponse : IDisposable
{
    private readonly ArrayBufferWriter<byte> _items = new(64 * 1024);
    private readonly Utf8JsonWriter _writer;

    /// <summary>Whether an item failed (a delete that found nothing is not a failure).</summary>
    public bool Errors { get; private set; }

    public BulkResponse()
    {
        _writer = new Utf8JsonWriter(_items);
        _writer.WriteStartArray();
    }

    public void Succeeded(string type, string index, WriteResult result)
    {
        _writer.WriteStartObject();
        _writer.WriteStartObject(type);
        _writer.WriteString("_index", index);
        _writer.WriteString("_type", "_doc");
        _writer.WriteString("_id", result.Id);
        _writer.WriteNumber("_version", result.Version);
        _writer.WriteString("result", result.Result);
        _writer.WriteStartObject("_shards");
        var noop = result.Result == "noop";
        _writer.WriteNumber("total", noop ? 0 : 2);
        _writer.WriteNumber("successful", noop ? 0 : 1);
        _writer.WriteNumber("failed", 0);
        _writer.WriteEndObject();
        _writer.WriteNumber("_seq_no", result.SeqNo);
        _writer.WriteNumber("_primary_term", 1);
        _writer.WriteNumber("status", result.Status);
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        if (result.Status >= 400 && result.Result != "not_found")
            Errors = true;
    }

    public void Failed(string type, string? index, string? id, SearchException error)
    {
        _writer.WriteStartObject();
        _writer.WriteStartObject(type);
        if (index is null)
            _writer.WriteNull("_index");
        else
            _writer.WriteString("_index", index);
        _writer.WriteString("_type", "_doc");
        if (id is null)
            _writer.WriteNull("_id");
        else
            _writer.WriteString("_id", id);
        _writer.WriteNumber("status", error.Status);
        _writer.WritePropertyName("error");
        error.Cause().WriteTo(_writer);
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        Errors = true;
    }

    /// <summary>The whole response body.</summary>
    public byte[] ToJson(long tookMillis)
    {
        _writer.WriteEndArray();
        _writer.Flush();
        var head = System.Text.Encoding.UTF8.GetBytes($"{{\"took\":{tookMillis},\"errors\":{(Errors ? "true" : "false")},\"items\":");
        var body = new byte[head.Length + _items.WrittenCount + 1];
        head.CopyTo(body, 0);
        _items.WrittenSpan.CopyTo(body.AsSpan(head.Length));
        body[^1] = (byte)'}';
        return body;
    }

    public void Dispose() => _writer.Dispose();
}
