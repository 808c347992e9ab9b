using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Lucene.Net.Documents;
using Lucene.Net.Util;

namespace Beltline.Search;

/// <summary>
/// Turns a JSON source into a Lucene document by the index's mapping, adding fields ES's dynamic mapping would.
/// Each leaf is indexed for queries and, when ES would have doc values, given one: keywords as their UTF-8 bytes and
/// numbers, dates and booleans as 8 sortable bytes, both in SortedSet doc values, which hold every value of an array.
/// One mapper per index, used under its write lock: Lucene fields are reused from document to document, as Lucene
/// advises, because a fresh field builds a fresh token stream (reflection over its attributes) for every value.
/// </summary>
public sealed class DocumentMapper
{
    public const string IdField = "_id";
    public const string SourceField = "_source";
    public const string VersionField = "_version";
    public const string SeqNoField = "_seq_no";
    /// <summary>Every path a document has a value at (ES's <c>_field_names</c>), for <c>exists</c>.</summary>
    public const string FieldNamesField = "_field_names";

    private readonly FieldPool _fields = new();
    private readonly MapContext _context = new();
    private readonly Document _document = new();

    /// <summary>The document to index; <paramref name="mappingChanged"/> says new fields were added to the mapping.</summary>
    /// <remarks>The document and its fields are reused by the next call: index it before mapping another.</remarks>
    public Document Map(string id, ReadOnlyMemory<byte> source, IndexMapping mapping, long version, long seqNo, out bool mappingChanged)
    {
        _fields.Reset();
        var document = _document;
        document.Fields.Clear();
        document.Add(_fields.Id(id));
        document.Add(_fields.Source(source));
        document.Add(_fields.StoredLong(VersionField, version));
        document.Add(_fields.StoredLong(SeqNoField, seqNo));
        var context = _context;
        context.Start(document, mapping, id, _fields);
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
        // Only a document that mapped whole changes the mapping, as ES applies mapping updates of accepted documents only.
        foreach (var (path, field) in context.Pending)
            mapping.AddDynamic(path, field);
        mappingChanged = context.Pending.Count > 0;
        return document;
    }

    /// <summary>A numeric doc value as SortedSet bytes: big-endian with the sign bit flipped, so byte order is numeric order.</summary>
    internal static void WriteSortable(long raw, Span<byte> eightBytes) =>
        BinaryPrimitives.WriteUInt64BigEndian(eightBytes, (ulong)raw ^ 0x8000_0000_0000_0000UL);

    internal static long ReadSortable(BytesRef bytes) =>
        (long)(BinaryPrimitives.ReadUInt64BigEndian(bytes.Bytes.AsSpan(bytes.Offset, sizeof(long))) ^ 0x8000_0000_0000_0000UL);

    /// <summary>The state of the document being mapped, reused from one document to the next.</summary>
    private sealed class MapContext
    {
        public Document Document { get; private set; } = null!;
        public IndexMapping Mapping { get; private set; } = null!;
        public string Id { get; private set; } = "";
        public FieldPool Fields { get; private set; } = null!;
        /// <summary>Fields this document introduces, in the order found (parents before children).</summary>
        public List<(string Path, FieldMapping Field)> Pending { get; } = [];
        public Dictionary<string, FieldMapping> PendingByPath { get; } = new(StringComparer.Ordinal);
        public HashSet<string> FieldNames { get; } = new(StringComparer.Ordinal);

        public void Start(Document document, IndexMapping mapping, string id, FieldPool fields)
        {
            Document = document;
            Mapping = mapping;
            Id = id;
            Fields = fields;
            Pending.Clear();
            PendingByPath.Clear();
            FieldNames.Clear();
        }
    }

    /// <summary>
    /// Lucene fields kept per name and kind and handed out again for each document: the n-th value of a field in a
    /// document gets the n-th field object of its slot.
    /// </summary>
    private sealed class FieldPool
    {
        private enum Use { Id, Source, StoredLong, Text, Keyword, KeywordValues, NumberValues, FieldName }

        private sealed class Slot
        {
            public readonly List<Field> Fields = [];
            public int Used;
        }

        private readonly Dictionary<(string Name, Use Use), Slot> _slots = new();
        private readonly List<Slot> _touched = [];

        public void Reset()
        {
            foreach (var slot in _touched)
                slot.Used = 0;
            _touched.Clear();
        }

        /// <summary>The next field of the slot to reuse, or null when the document needs one more than the slot holds.</summary>
        private Field? Next(string name, Use use, out Slot slot)
        {
            if (!_slots.TryGetValue((name, use), out slot!))
                _slots[(name, use)] = slot = new Slot();
            if (slot.Used == 0)
                _touched.Add(slot);
            return slot.Used < slot.Fields.Count ? slot.Fields[slot.Used++] : null;
        }

        private static Field Keep(Slot slot, Field field)
        {
            slot.Fields.Add(field);
            slot.Used++;
            return field;
        }

        public Field Id(string id) => Next(IdField, Use.Id, out var slot) is { } field
            ? Set(field, id)
            : Keep(slot, new StringField(IdField, id, Field.Store.YES));

        public Field Source(ReadOnlyMemory<byte> source)
        {
            var bytes = MemoryMarshal.TryGetArray(source, out var segment) ? segment : new ArraySegment<byte>(source.ToArray());
            var value = new BytesRef(bytes.Array, bytes.Offset, bytes.Count);
            if (Next(SourceField, Use.Source, out var slot) is not { } field)
                return Keep(slot, new StoredField(SourceField, value));
            field.SetBytesValue(value);
            return field;
        }

        public Field StoredLong(string name, long value)
        {
            if (Next(name, Use.StoredLong, out var slot) is not { } field)
                return Keep(slot, new StoredField(name, value));
            field.SetInt64Value(value);
            return field;
        }

        public Field Text(string name, string text) => Next(name, Use.Text, out var slot) is { } field
            ? Set(field, text)
            : Keep(slot, new TextField(name, text, Field.Store.NO));

        public Field Keyword(string name, string text) => Next(name, Use.Keyword, out var slot) is { } field
            ? Set(field, text)
            : Keep(slot, new StringField(name, text, Field.Store.NO));

        public Field FieldName(string path) => Next(FieldNamesField, Use.FieldName, out var slot) is { } field
            ? Set(field, path)
            : Keep(slot, new StringField(FieldNamesField, path, Field.Store.NO));

        public Field KeywordValue(string name, string text)
        {
            var field = Next(name, Use.KeywordValues, out var slot) ?? Keep(slot, new SortedSetDocValuesField(name, new BytesRef()));
            // The field's own BytesRef is refilled: doc values copy the bytes when the document is indexed.
            var bytes = (BytesRef)field.GetBinaryValue();
            bytes.CopyChars(text);
            return field;
        }

        public Field NumberValue(string name, long raw)
        {
            var field = Next(name, Use.NumberValues, out var slot) ?? Keep(slot, new SortedSetDocValuesField(name, new BytesRef(new byte[sizeof(long)])));
            WriteSortable(raw, field.GetBinaryValue().Bytes);
            return field;
        }

        private static Field Set(Field field, string value)
        {
            field.SetStringValue(value);
            return field;
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
        var fields = context.Fields;
        switch (field.Kind)
        {
            case FieldKind.Text:
                document.Add(fields.Text(path, ScalarText(value)));
                break;
            case FieldKind.Keyword:
                var text = ScalarText(value);
                if (field.IgnoreAbove is { } limit && text.Length > limit)
                    return;   // ES keeps the value in _source only
                document.Add(fields.Keyword(path, text));
                document.Add(fields.KeywordValue(path, text));
                break;
            case FieldKind.Integer:
                if (!TryInteger(value, out var integer))
                    throw Unparsable(path, field, value, context.Id);
                document.Add(fields.NumberValue(path, integer));
                break;
            case FieldKind.Floating:
                if (!TryDouble(value, out var number))
                    throw Unparsable(path, field, value, context.Id);
                document.Add(fields.NumberValue(path, BitConverter.DoubleToInt64Bits(number)));
                break;
            case FieldKind.Date:
                long millis;
                if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var epoch))
                    millis = epoch;
                else if (value.ValueKind != JsonValueKind.String || !DateFormats.TryParse(value.GetString()!, out millis))
                    throw Unparsable(path, field, value, context.Id);
                document.Add(fields.NumberValue(path, millis));
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
                document.Add(fields.NumberValue(path, flag ? 1 : 0));
                break;
        }
        // Fields with doc values answer exists from them, as in ES: only text leaves and objects need _field_names.
        if (field.Kind == FieldKind.Text)
            MarkPresent(path, context);
        else if (path.LastIndexOf('.') is var dot and > 0)
            MarkPresent(path[..dot], context);
    }

    private static void MarkPresent(string path, MapContext context)
    {
        // Parents count as present too: exists on an object matches when any field under it has a value.
        while (context.FieldNames.Add(path))
        {
            context.Document.Add(context.Fields.FieldName(path));
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
