using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Beltline.Search;

/// <summary>ES's <c>_source</c> option: false, a pattern, a list of patterns, or <c>{includes, excludes}</c> (with <c>*</c>).</summary>
public sealed class SourceFilter
{
    private readonly Regex[] _includes;
    private readonly Regex[] _excludes;
    private readonly string[] _includePatterns;

    public bool Enabled { get; }
    public bool IsIdentity => Enabled && _includes.Length == 0 && _excludes.Length == 0;

    private SourceFilter(bool enabled, string[] includes, string[] excludes)
    {
        Enabled = enabled;
        _includePatterns = includes;
        _includes = includes.Select(SearchStore.WildcardRegex).ToArray();
        _excludes = excludes.Select(SearchStore.WildcardRegex).ToArray();
    }

    public static readonly SourceFilter All = new(true, [], []);

    public static SourceFilter Parse(JsonNode? node) => node switch
    {
        null => All,
        JsonValue value when value.TryGetValue<bool>(out var enabled) => new SourceFilter(enabled, [], []),
        JsonValue value => new SourceFilter(true, Split(value.ToString()), []),
        JsonArray array => new SourceFilter(true, array.Select(p => p!.ToString()).ToArray(), []),
        JsonObject json => new SourceFilter(true, Patterns(json["includes"] ?? json["include"]), Patterns(json["excludes"] ?? json["exclude"])),
        _ => All,
    };

    /// <summary>From URL parameters <c>_source</c>, <c>_source_includes</c>, <c>_source_excludes</c>.</summary>
    public static SourceFilter FromQuery(string? source, string? includes, string? excludes)
    {
        if (source is "false")
            return new SourceFilter(false, [], []);
        var include = Split(includes ?? (source is null or "true" ? null : source));
        return new SourceFilter(true, include, Split(excludes));
    }

    private static string[] Split(string? text) => text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    private static string[] Patterns(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.Select(p => p!.ToString()).ToArray(),
        _ => [node.ToString()],
    };

    public JsonObject Apply(JsonObject source)
    {
        if (IsIdentity)
            return source;
        return Filter(source, "");
    }

    private JsonObject Filter(JsonObject json, string prefix)
    {
        var result = new JsonObject();
        foreach (var (key, value) in json)
        {
            var path = prefix + key;
            if (_excludes.Any(e => e.IsMatch(path)))
                continue;
            var included = _includes.Length == 0 || _includes.Any(i => i.IsMatch(path));
            if (value is JsonObject child)
            {
                // An object is kept whole when included, else searched for included fields below it.
                if (included)
                    result[key] = _excludes.Length == 0 ? child.DeepClone() : Filter(child, path + ".");
                else if (_includePatterns.Any(p => p.StartsWith(path + ".", StringComparison.Ordinal) || p.StartsWith('*')))
                {
                    var filtered = Filter(child, path + ".");
                    if (filtered.Count > 0)
                        result[key] = filtered;
                }
            }
            else if (included)
                result[key] = value?.DeepClone();
        }
        return result;
    }
}
