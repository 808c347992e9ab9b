using System.Collections.Frozen;
using System.Text.Json.Nodes;

namespace Beltline.Search;

/// <summary>How a leaf field is indexed and read back; decides queries, sorting and aggregations.</summary>
public enum FieldKind { Text, Keyword, Integer, Floating, Date, Boolean, Object }

/// <summary>One field of a mapping: its ES type, its sub-properties (objects) and multi-fields (<c>fields</c>).</summary>
public sealed class FieldMapping
{
    public required string Type { get; init; }
    public SortedDictionary<string, FieldMapping>? Properties { get; set; }
    public SortedDictionary<string, FieldMapping>? Fields { get; init; }
    public int? IgnoreAbove { get; init; }
    public string? Format { get; init; }

    private FieldKind? _kind;

    /// <summary>How the type is indexed; worked out once (the mapper asks for every value of every document).</summary>
    public FieldKind Kind => _kind ??= KindOf(Type);

    public static FieldKind KindOf(string type) => type switch
    {
        "text" or "match_only_text" => FieldKind.Text,
        "keyword" or "constant_keyword" or "ip" or "wildcard" => FieldKind.Keyword,
        "long" or "integer" or "short" or "byte" or "unsigned_long" => FieldKind.Integer,
        "double" or "float" or "half_float" or "scaled_float" => FieldKind.Floating,
        "date" or "date_nanos" => FieldKind.Date,
        "boolean" => FieldKind.Boolean,
        "object" or "nested" => FieldKind.Object,
        _ => throw new SearchException(400, "mapper_parsing_exception", $"No handler for type [{type}] declared on field"),
    };

    public static FieldMapping Parse(string name, JsonObject json)
    {
        var type = json["type"]?.GetValue<string>() ?? (json["properties"] is not null ? "object" : null)
            ?? throw new SearchException(400, "mapper_parsing_exception", $"No type specified for field [{name}]");
        try
        {
            KindOf(type);
        }
        catch (SearchException)
        {
            throw new SearchException(400, "mapper_parsing_exception", $"No handler for type [{type}] declared on field [{name}]");
        }
        return new FieldMapping
        {
            Type = type,
            Properties = json["properties"] is JsonObject properties ? ParseProperties(properties) : type is "object" or "nested" ? [] : null,
            Fields = json["fields"] is JsonObject fields ? ParseProperties(fields) : null,
            IgnoreAbove = json["ignore_above"]?.GetValue<int>(),
            Format = json["format"]?.GetValue<string>(),
        };
    }

    public static SortedDictionary<string, FieldMapping> ParseProperties(JsonObject json)
    {
        var result = new SortedDictionary<string, FieldMapping>(StringComparer.Ordinal);
        foreach (var (name, value) in json)
        {
            if (value is not JsonObject field)
                throw new SearchException(400, "mapper_parsing_exception", $"Expected map for property [fields] on field [{name}]");
            // A dotted name ("a.b") is an object a with a property b, as in ES.
            var dot = name.IndexOf('.');
            if (dot > 0)
            {
                var parent = name[..dot];
                if (!result.TryGetValue(parent, out var parentMapping))
                    result[parent] = parentMapping = new FieldMapping { Type = "object", Properties = [] };
                Merge(parentMapping.Properties!, ParseProperties(new JsonObject { [name[(dot + 1)..]] = field.DeepClone() }), parent + ".");
            }
            else
                result[name] = Parse(name, field);
        }
        return result;
    }

    /// <summary>Adds <paramref name="update"/>'s fields into <paramref name="target"/>; a type change is refused as ES does.</summary>
    public static void Merge(SortedDictionary<string, FieldMapping> target, SortedDictionary<string, FieldMapping> update, string prefix = "")
    {
        foreach (var (name, field) in update)
        {
            if (!target.TryGetValue(name, out var existing))
            {
                target[name] = field;
                continue;
            }
            if (existing.Type != field.Type)
                throw SearchException.BadRequest($"mapper [{prefix}{name}] cannot be changed from type [{existing.Type}] to [{field.Type}]");
            if (field.Properties is not null)
                Merge(existing.Properties ??= [], field.Properties, prefix + name + ".");
            if (field.Fields is not null && existing.Fields is not null)
                Merge(existing.Fields, field.Fields, prefix + name + ".");
        }
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (Type != "object")
            json["type"] = Type;
        if (Format is not null)
            json["format"] = Format;
        if (IgnoreAbove is { } ignoreAbove)
            json["ignore_above"] = ignoreAbove;
        if (Fields is { Count: > 0 })
            json["fields"] = PropertiesToJson(Fields);
        if (Properties is not null && (Properties.Count > 0 || Type == "object"))
            json["properties"] = PropertiesToJson(Properties);
        return json;
    }

    public static JsonObject PropertiesToJson(SortedDictionary<string, FieldMapping> properties)
    {
        var json = new JsonObject();
        foreach (var (name, field) in properties)
            json[name] = field.ToJson();
        return json;
    }

    /// <summary>ES's dynamic mapping of a string: text with a <c>.keyword</c> subfield (ignore_above 256).</summary>
    public static FieldMapping DynamicText() => new()
    {
        Type = "text",
        Fields = new SortedDictionary<string, FieldMapping>(StringComparer.Ordinal) { ["keyword"] = new FieldMapping { Type = "keyword", IgnoreAbove = 256 } },
    };
}

/// <summary>
/// An index's mapping: the property tree ES shows, and a flat view (<c>a.b</c>, <c>name.keyword</c>) that
/// queries and aggregations resolve fields through. The flat view is swapped whole when fields are added,
/// so readers never see a half-made tree.
/// </summary>
public sealed class IndexMapping
{
    private readonly SortedDictionary<string, FieldMapping> _properties;
    private volatile FrozenDictionary<string, FieldMapping> _leaves;

    /// <summary>"true" (add fields), "false" (keep them unindexed) or "strict" (refuse the document).</summary>
    public string Dynamic { get; private set; } = "true";
    public bool DateDetection { get; private set; } = true;

    public IndexMapping(SortedDictionary<string, FieldMapping>? properties = null)
    {
        _properties = properties ?? new SortedDictionary<string, FieldMapping>(StringComparer.Ordinal);
        _leaves = Flatten(_properties);
    }

    public static IndexMapping FromJson(JsonObject? mappings)
    {
        var mapping = new IndexMapping();
        if (mappings is not null)
            mapping.Update(mappings);
        return mapping;
    }

    /// <summary>Merges a <c>mappings</c> body (<c>properties</c>, <c>dynamic</c>, <c>date_detection</c>).</summary>
    public void Update(JsonObject mappings)
    {
        // ES 6 bodies nest the mapping under a type name ("_doc"); accept them.
        if (mappings["properties"] is null && mappings.Count == 1 && mappings.First().Value is JsonObject typed && typed["properties"] is not null)
            mappings = typed;
        lock (_properties)
        {
            if (mappings["properties"] is JsonObject properties)
                FieldMapping.Merge(_properties, FieldMapping.ParseProperties(properties));
            if (mappings["dynamic"] is { } dynamic)
                Dynamic = dynamic.ToString().ToLowerInvariant();
            if (mappings["date_detection"] is { } detection)
                DateDetection = detection.GetValue<bool>();
            _leaves = Flatten(_properties);
        }
    }

    /// <summary>Adds one field found in a document (dynamic mapping); the caller persists the mapping.</summary>
    internal void AddDynamic(string path, FieldMapping field)
    {
        lock (_properties)
        {
            var parts = path.Split('.');
            var level = _properties;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!level.TryGetValue(parts[i], out var parent))
                    level[parts[i]] = parent = new FieldMapping { Type = "object", Properties = [] };
                level = parent.Properties ??= [];
            }
            level.TryAdd(parts[^1], field);
            _leaves = Flatten(_properties);
        }
    }

    /// <summary>The field at a dotted path, multi-fields included (<c>name.keyword</c>); null when unmapped.</summary>
    public FieldMapping? Resolve(string path) => _leaves.GetValueOrDefault(path);

    public IEnumerable<KeyValuePair<string, FieldMapping>> Leaves => _leaves;

    public JsonObject ToJson()
    {
        lock (_properties)
        {
            var json = new JsonObject();
            if (Dynamic != "true")
                json["dynamic"] = Dynamic;
            if (!DateDetection)
                json["date_detection"] = false;
            if (_properties.Count > 0)
                json["properties"] = FieldMapping.PropertiesToJson(_properties);
            return json;
        }
    }

    private static FrozenDictionary<string, FieldMapping> Flatten(SortedDictionary<string, FieldMapping> properties)
    {
        var leaves = new Dictionary<string, FieldMapping>(StringComparer.Ordinal);
        void Walk(SortedDictionary<string, FieldMapping> level, string prefix)
        {
            foreach (var (name, field) in level)
            {
                var path = prefix + name;
                leaves[path] = field;
                if (field.Properties is not null)
                    Walk(field.Properties, path + ".");
                if (field.Fields is not null)
                    foreach (var (sub, subField) in field.Fields)
                        leaves[path + "." + sub] = subField;
            }
        }
        Walk(properties, "");
        return leaves.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
