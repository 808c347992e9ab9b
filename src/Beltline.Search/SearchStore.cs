using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Search;

/// <summary>
/// Every index of a data dir: <c>{data}/indices/{name}/</c> (index.json + lucene/) and the index templates in
/// <c>{data}/templates.json</c>. A background loop refreshes changed indices every <see cref="RefreshInterval"/>
/// (ES's 1 s default) and commits them every <see cref="CommitInterval"/>; disposing commits everything.
/// </summary>
public sealed partial class SearchStore : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SearchIndex> _indices = new(StringComparer.Ordinal);
    private readonly Lock _adminLock = new();   // index creation and deletion, template changes
    private readonly SortedDictionary<string, JsonObject> _templates = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private Task? _background;

    public string DataDir { get; }
    public TimeSpan RefreshInterval { get; }
    public TimeSpan CommitInterval { get; }

    private string IndicesDir => Path.Combine(DataDir, "indices");
    private string TemplatesFile => Path.Combine(DataDir, "templates.json");

    private SearchStore(string dataDir, TimeSpan refreshInterval, TimeSpan commitInterval, ILogger logger)
    {
        DataDir = dataDir;
        RefreshInterval = refreshInterval;
        CommitInterval = commitInterval;
        _logger = logger;
    }

    /// <summary>Opens (or starts) the store in <paramref name="dataDir"/>, reopening every index found there.</summary>
    public static SearchStore Open(string dataDir, TimeSpan? refreshInterval = null, TimeSpan? commitInterval = null, ILogger? logger = null, bool background = true)
    {
        var store = new SearchStore(dataDir, refreshInterval ?? TimeSpan.FromSeconds(1), commitInterval ?? TimeSpan.FromSeconds(5), logger ?? NullLogger.Instance);
        Directory.CreateDirectory(store.IndicesDir);
        foreach (var directory in Directory.EnumerateDirectories(store.IndicesDir))
        {
            if (!File.Exists(Path.Combine(directory, SearchIndex.MetaFile)))
                continue;   // a creation that never finished
            SearchIndex index;
            try
            {
                index = SearchIndex.Open(directory);
            }
            catch (Lucene.Net.Store.LockObtainFailedException)
            {
                foreach (var opened in store._indices.Values)
                    opened.Dispose();
                throw new InvalidOperationException($"The search data in {Path.GetFullPath(dataDir)} is in use by another process (Lucene's write.lock is held).");
            }
            store._indices[index.Name] = index;
        }
        if (File.Exists(store.TemplatesFile))
            foreach (var (name, template) in JsonNode.Parse(File.ReadAllBytes(store.TemplatesFile))!.AsObject())
                store._templates[name] = template!.AsObject();
        if (background)
            store._background = Task.Run(() => store.RunBackgroundAsync(store._stopping.Token));
        return store;
    }

    public IReadOnlyCollection<SearchIndex> Indices => _indices.Values.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();

    public SearchIndex? Find(string name) => _indices.GetValueOrDefault(name);

    public SearchIndex Get(string name) => Find(name) ?? throw SearchException.IndexNotFound(name);

    [GeneratedRegex("[\\\\/*?\"<>| ,#:]")]
    private static partial Regex InvalidNameCharacters();

    /// <summary>ES's index name rules.</summary>
    public static void ValidateName(string name)
    {
        string? problem = name switch
        {
            "" => "must not be empty",
            "." or ".." => "must not be '.' or '..'",
            _ when name.ToLowerInvariant() != name => "must be lowercase",
            _ when name[0] is '_' or '-' or '+' => "must not start with '_', '-', or '+'",
            _ when InvalidNameCharacters().IsMatch(name) => "must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]",
            _ when System.Text.Encoding.UTF8.GetByteCount(name) > 255 => "index name is too long",
            _ => null,
        };
        if (problem is not null)
            throw new SearchException(400, "invalid_index_name_exception", $"Invalid index name [{name}], {problem}",
                new JsonObject { ["index_uuid"] = "_na_", ["index"] = name });
    }

    /// <summary>Creates an index from a create-index body (settings, mappings), over the templates matching its name.</summary>
    public SearchIndex Create(string name, JsonObject? body)
    {
        ValidateName(name);
        lock (_adminLock)
        {
            if (_indices.TryGetValue(name, out var existing))
                throw new SearchException(400, "resource_already_exists_exception", $"index [{name}/{existing.Uuid}] already exists",
                    new JsonObject { ["index_uuid"] = existing.Uuid, ["index"] = name });
            var settings = new JsonObject { ["number_of_shards"] = "1", ["number_of_replicas"] = "1" };
            var mapping = new IndexMapping();
            var template = MatchingTemplate(name);
            if (template?["template"] is JsonObject fromTemplate)
                Apply(settings, mapping, fromTemplate);
            if (body is not null)
                Apply(settings, mapping, body);
            var directory = Path.Combine(IndicesDir, name);
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);   // leftovers of a creation that never finished
            var index = SearchIndex.Create(name, directory, settings, mapping);
            _indices[name] = index;
            _logger.LogInformation("Created index {Index}", name);
            return index;
        }
    }

    /// <summary>The index to write into, created on first use (ES's action.auto_create_index).</summary>
    public SearchIndex GetOrCreate(string name)
    {
        if (_indices.TryGetValue(name, out var index))
            return index;
        try
        {
            return Create(name, null);
        }
        catch (SearchException e) when (e.Type == "resource_already_exists_exception")
        {
            return Get(name);
        }
    }

    private static void Apply(JsonObject settings, IndexMapping mapping, JsonObject body)
    {
        if (body["settings"] is JsonObject given)
        {
            // Settings come flat ("number_of_shards"), nested under "index", or dotted ("index.number_of_shards").
            var flat = given["index"] is JsonObject nested ? nested : given;
            foreach (var (key, value) in flat)
                if (value is not JsonObject)
                    settings[key.StartsWith("index.", StringComparison.Ordinal) ? key[6..] : key] = value?.ToString();
        }
        if (body["mappings"] is JsonObject mappings)
            mapping.Update(mappings);
    }

    public void Delete(string name)
    {
        lock (_adminLock)
        {
            if (!_indices.TryRemove(name, out var index))
                throw SearchException.IndexNotFound(name);
            index.Abandon();
            Directory.Delete(index.Path, recursive: true);
            _logger.LogInformation("Deleted index {Index}", name);
        }
    }

    /// <summary>
    /// An index expression as ES reads it: comma lists, <c>*</c> wildcards, <c>_all</c>, <c>-name</c> exclusions.
    /// A missing concrete name is index_not_found; a wildcard that matches nothing is simply empty.
    /// </summary>
    public IReadOnlyList<SearchIndex> Resolve(string? expression, bool ignoreUnavailable = false)
    {
        if (string.IsNullOrEmpty(expression) || expression is "_all" or "*")
            return Indices.ToList();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in expression.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var exclude = raw.StartsWith('-') && names.Count > 0;
            var part = exclude ? raw[1..] : raw;
            if (part.Contains('*'))
            {
                var pattern = WildcardRegex(part);
                foreach (var name in _indices.Keys.Where(n => pattern.IsMatch(n) && !n.StartsWith('.')))
                    if (exclude) names.Remove(name); else names.Add(name);
            }
            else if (exclude)
                names.Remove(part);
            else if (_indices.ContainsKey(part))
                names.Add(part);
            else if (!ignoreUnavailable)
                throw SearchException.IndexNotFound(part);
        }
        return names.Select(n => _indices.GetValueOrDefault(n)).OfType<SearchIndex>().ToList();
    }

    internal static Regex WildcardRegex(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);

    // ---- index templates (composable _index_template; legacy _template bodies are stored in the same shape)

    public void PutTemplate(string name, JsonObject template)
    {
        if (template["index_patterns"] is null)
            throw new SearchException(400, "action_request_validation_exception", "Validation Failed: 1: index patterns are missing;");
        if (template["index_patterns"] is JsonValue single)
            template["index_patterns"] = new JsonArray(single.ToString());
        if (template["template"] is JsonObject { } inner && inner["mappings"] is JsonObject mappings)
            IndexMapping.FromJson(mappings);   // refuse a bad mapping now, not at index creation
        lock (_adminLock)
        {
            _templates[name] = template;
            SaveTemplates();
        }
    }

    public JsonObject? GetTemplate(string name)
    {
        lock (_adminLock)
            return _templates.GetValueOrDefault(name)?.DeepClone().AsObject();
    }

    public IReadOnlyList<(string Name, JsonObject Template)> Templates(string? pattern)
    {
        lock (_adminLock)
        {
            var regex = pattern is null ? null : WildcardRegex(pattern);
            return _templates.Where(t => regex is null || regex.IsMatch(t.Key)).Select(t => (t.Key, t.Value.DeepClone().AsObject())).ToList();
        }
    }

    public bool DeleteTemplate(string name)
    {
        lock (_adminLock)
        {
            var removed = _templates.Remove(name);
            if (removed)
                SaveTemplates();
            return removed;
        }
    }

    /// <summary>The template with the highest priority whose patterns match the name.</summary>
    private JsonObject? MatchingTemplate(string name) =>
        _templates.Values
            .Where(t => t["index_patterns"]!.AsArray().Any(p => WildcardRegex(p!.ToString()).IsMatch(name)))
            .OrderByDescending(t => t["priority"]?.GetValue<long>() ?? 0)
            .FirstOrDefault();

    private void SaveTemplates()
    {
        var json = new JsonObject();
        foreach (var (name, template) in _templates)
            json[name] = template.DeepClone();
        var temp = TemplatesFile + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, TemplatesFile, overwrite: true);
    }

    // ---- refresh and commit

    public void RefreshAll()
    {
        foreach (var index in _indices.Values)
            index.Refresh();
    }

    public void CommitAll()
    {
        foreach (var index in _indices.Values)
            index.Commit();
    }

    private async Task RunBackgroundAsync(CancellationToken cancellationToken)
    {
        var lastCommit = DateTime.UtcNow;
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var commit = DateTime.UtcNow - lastCommit >= CommitInterval;
                foreach (var index in _indices.Values)
                {
                    try
                    {
                        index.ScheduledRefresh();
                        if (commit && index.NeedsCommit)
                            index.Commit();
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException or SearchException)
                    {
                        _logger.LogWarning("Background refresh of {Index} failed: {Message}", index.Name, e.Message);
                    }
                }
                if (commit)
                    lastCommit = DateTime.UtcNow;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops the background loop, then commits and closes every index.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_background is not null)
            await _background;
        foreach (var index in _indices.Values)
            index.Dispose();
        _stopping.Dispose();
    }
}
