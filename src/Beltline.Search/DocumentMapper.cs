using System.Globalization;
using System.Text.Json;
using Lucene.Net.Documents;
using Lucene.Net.Util;

namespace Beltline.Search;

/// <summary>
/// Turns a JSON source into a Lucene document by the index's mapping, adding fields ES's dynamic mapping would.
/// Each leaf is indexed for queries and, when ES would have doc values, given one (keywords: SortedSet, numbers,
/// dates, booleans: Numeric, first value of an array) for sorting and aggregations.
/// </summary>
public static class DocumentMapper
{
    public const string IdField = "_id";
    public const string SourceField = "_source";
    public const string VersionField = "_version";
    public const string SeqNoField = "_seq_no";
    /// <summary>Every path a document has a value at (ES's <c>_field_names</c>), for <c>exists</c>.</summary>
    public const string FieldNamesField = "_field_names";

    /// <summary>
    /// Numeric terms per value: Lucene 4's default step 4 indexes 16 terms per long, which made indexing several
    /// times slower; step 16 (ES 2.x's choice) indexes 4 and keeps range queries cheap. Queries must use the same step.
    /// </summary>
    public const int NumericPrecisionStep = 16;

    private static readonly FieldType LongType = new(Int64Field.TYPE_NOT_STORED) { NumericPrecisionStep = NumericPrecisionStep };
    private static readonly FieldType DoubleType = new(DoubleField.TYPE_NOT_STORED) { NumericPrecisionStep = NumericPrecisionStep };

    static DocumentMapper()
    {
        LongType.Freeze();
        DoubleType.Freeze();
    }

    /// <summary>The document to index; <paramref name="mappingChanged"/> says new fields were added to the mapping.</summary>
    public static Document Map(string id, ReadOnlyMemory<byte> source, IndexMapping mapping, long version, long seqNo, out bool mappingChanged)
    {
        var document = new Document
        {
            new StringField(IdField, id, Field.Store.YES),
            new StoredField(SourceField, source.ToArray()),
            new NumericDocValuesField(VersionField, version),
            new NumericDocValuesField(SeqNoField, seqNo),
        };
        var context = new MapContext(document, mapping, id);
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(source);
        }
        catch (JsonException e)
        {
            throw new SearchException(400, "mapper_parsing_exception", $"failed to parse: {e.Message}");
        }
        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                throw new SearchException(400, "mapper_parsing_exception", "failed to parse, document is empty");
            MapObject(json.RootElement, "", context);
        }
        AddNumericDocValues(context);
        // Only a document that mapped whole changes the mapping, as ES applies mapping updates of accepted documents only.
        foreach (var (path, field) in context.Pending)
            mapping.AddDynamic(path, field);
        mappingChanged = context.Pending.Count > 0;
        return document;
    }

    /// <summary>Suffix of the field holding every value of a numeric array (NumericDocValues hold one value a document).</summary>
    public const string AllValuesSuffix = "#all";

    /// <summary>
    /// The first value as NumericDocValues (single-valued in Lucene 4.8); an array's values all, packed as
    /// little-endian longs, in a BinaryDocValues field beside it, only for documents with more than one.
    /// </summary>
    private static void AddNumericDocValues(MapContext context)
    {
        foreach (var (path, values) in context.Numbers)
        {
            context.Document.Add(new NumericDocValuesField(path, values[0]));
            if (values.Count < 2)
                continue;
            var packed = new byte[values.Count * sizeof(long)];
            for (var i = 0; i < values.Count; i++)
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(packed.AsSpan(i * sizeof(long)), values[i]);
            context.Document.Add(new BinaryDocValuesField(path + AllValuesSuffix, new BytesRef(packed)));
        }
    }

    private sealed class MapContext(Document document, IndexMapping mapping, string id)
    {
        public Document Document { get; } = document;
        public IndexMapping Mapping { get; } = mapping;
        public string Id { get; } = id;
        /// <summary>Fields this document introduces, in the order found (parents before children).</summary>
        public List<(string Path, FieldMapping Field)> Pending { get; } = [];
        public Dictionary<string, FieldMapping> PendingByPath { get; } = new(StringComparer.Ordinal);
        public HashSet<string> FieldNames { get; } = new(StringComparer.Ordinal);
        /// <summary>Every numeric doc value per path (doubles as their bits), added as doc values once the document is read.</summary>
        public Dictionary<string, List<long>> Numbers { get; } = new(StringComparer.Ordinal);

        public void AddNumber(string path, long raw)
        {
            if (!Numbers.TryGetValue(path, out var values))
                Numbers[path] = values = new List<long>(1);
            values.Add(raw);
        }
    }

    private static void MapObject(JsonElement element, string prefix, MapContext context)
    {
        foreach (var property in element.EnumerateObject())
            MapValue(property.Value, prefix + property.Name, context);
    }

    private static void MapValue(JsonElement value, string path, MapContext context)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                    MapValue(item, path, context);
                return;
        }
        var field = context.Mapping.Resolve(path) ?? context.PendingByPath.GetValueOrDefault(path);
        if (field is null)
        {
            field = DynamicFor(value, context.Mapping);
            if (field is null)
                return;
            if (context.Mapping.Dynamic == "strict")
                throw new SearchException(400, "strict_dynamic_mapping_exception",
                    $"mapping set to strict, dynamic introduction of [{path[(path.LastIndexOf('.') + 1)..]}] within [_doc] is not allowed");
            if (context.Mapping.Dynamic == "false")
                return;
            context.Pending.Add((path, field));
            context.PendingByPath[path] = field;
        }
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (field.Kind != FieldKind.Object)
                throw Unparsable(path, field, value, context.Id);
            MarkPresent(path, context);
            MapObject(value, path + ".", context);
            return;
        }
        if (field.Kind == FieldKind.Object)
            throw new SearchException(400, "mapper_parsing_exception",
                $"object mapping for [{path}] tried to parse field [{path[(path.LastIndexOf('.') + 1)..]}] as object, but found a concrete value");
        MapLeaf(value, path, field, context);
        if (field.Fields is not null)
            foreach (var (sub, subField) in field.Fields)
                MapLeaf(value, path + "." + sub, subField, context);
    }

    private static FieldMapping? DynamicFor(JsonElement value, IndexMapping mapping) => value.ValueKind switch
    {
        JsonValueKind.Object => new FieldMapping { Type = "object", Properties = [] },
        JsonValueKind.True or JsonValueKind.False => new FieldMapping { Type = "boolean" },
        JsonValueKind.Number => value.TryGetInt64(out _) ? new FieldMapping { Type = "long" } : new FieldMapping { Type = "double" },
        JsonValueKind.String when mapping.DateDetection && DateFormats.LooksLikeDate(value.GetString()!) && DateFormats.TryParse(value.GetString()!, out _)
            => new FieldMapping { Type = "date" },
        JsonValueKind.String => FieldMapping.DynamicText(),
        _ => null,
    };

    private static void MapLeaf(JsonElement value, string path, FieldMapping field, MapContext context)
    {
        var document = context.Document;
        switch (field.Kind)
        {
            case FieldKind.Text:
                document.Add(new TextField(path, ScalarText(value), Field.Store.NO));
                break;
            case FieldKind.Keyword:
                var text = ScalarText(value);
                if (field.IgnoreAbove is { } limit && text.Length > limit)
                    return;   // ES keeps the value in _source only
                document.Add(new StringField(path, text, Field.Store.NO));
                document.Add(new SortedSetDocValuesField(path, new BytesRef(text)));
                break;
            case FieldKind.Integer:
                if (!TryInteger(value, out var integer))
                    throw Unparsable(path, field, value, context.Id);
                document.Add(new Int64Field(path, integer, LongType));
                context.AddNumber(path, integer);
                break;
            case FieldKind.Floating:
                if (!TryDouble(value, out var number))
                    throw Unparsable(path, field, value, context.Id);
                document.Add(new DoubleField(path, number, DoubleType));
                context.AddNumber(path, BitConverter.DoubleToInt64Bits(number));
                break;
            case FieldKind.Date:
                long millis;
                if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var epoch))
                    millis = epoch;
                else if (value.ValueKind != JsonValueKind.String || !DateFormats.TryParse(value.GetString()!, out millis))
                    throw Unparsable(path, field, value, context.Id);
                document.Add(new Int64Field(path, millis, LongType));
                context.AddNumber(path, millis);
                break;
            case FieldKind.Boolean:
                bool flag;
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    flag = value.GetBoolean();
                else if (value.ValueKind == JsonValueKind.String && value.GetString() is "true" or "false")
                    flag = value.GetString() == "true";
                else if (value.ValueKind == JsonValueKind.String && value.GetString() == "")
                    flag = false;
                else
                    throw Unparsable(path, field, value, context.Id);
                document.Add(new StringField(path, flag ? "true" : "false", Field.Store.NO));
                context.AddNumber(path, flag ? 1 : 0);
                break;
        }
        MarkPresent(path, context);
    }

    private static void MarkPresent(string path, MapContext context)
    {
        // Parents count as present too: exists on an object matches when any field under it has a value.
        while (context.FieldNames.Add(path))
        {
            context.Document.Add(new StringField(FieldNamesField, path, Field.Store.NO));
            var dot = path.LastIndexOf('.');
            if (dot < 0)
                break;
            path = path[..dot];
        }
    }

    private static string ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    /// <summary>A whole number from a JSON number or numeric string; fractions are truncated as ES's coerce does.</summary>
    internal static bool TryInteger(JsonElement value, out long result)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out result))
                return true;
            if (value.TryGetDouble(out var d) && d is >= long.MinValue and <= long.MaxValue)
            {
                result = (long)d;
                return true;
            }
            return false;
        }
        result = 0;
        return value.ValueKind == JsonValueKind.String && TryInteger(value.GetString()!, out result);
    }

    internal static bool TryInteger(string text, out long result)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result))
            return true;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d is >= long.MinValue and <= long.MaxValue)
        {
            result = (long)d;
            return true;
        }
        return false;
    }

    internal static bool TryDouble(JsonElement value, out double result)
    {
        if (value.ValueKind == JsonValueKind.Number)
            return value.TryGetDouble(out result);
        result = 0;
        return value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out result);
    }

    private static SearchException Unparsable(string path, FieldMapping field, JsonElement value, string id) =>
        new(400, "mapper_parsing_exception",
            $"failed to parse field [{path}] of type [{field.Type}] in document with id '{id}'. Preview of field's value: '{(value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText())}'");
}
