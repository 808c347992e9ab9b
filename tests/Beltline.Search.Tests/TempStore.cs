using System.Text;
using System.Text.Json.Nodes;

namespace Beltline.Search.Tests;

/// <summary>A store in a temporary directory with no background loop: tests refresh explicitly.</summary>
public sealed class TempStore : IAsyncDisposable
{
    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), "beltline-search-tests-" + Guid.NewGuid().ToString("N"));
    public SearchStore Store { get; private set; }

    public TempStore() => Store = SearchStore.Open(DataDir, background: false);

    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = SearchStore.Open(DataDir, background: false);
    }

    /// <summary>Indexes documents given as JSON text by id, then refreshes.</summary>
    public SearchIndex Index(string name, params (string Id, string Json)[] documents)
    {
        var index = Store.GetOrCreate(name);
        foreach (var (id, json) in documents)
            index.Index(id, Encoding.UTF8.GetBytes(json));
        index.Refresh();
        return index;
    }

    public JsonObject Search(string indices, string body) =>
        SearchExecutor.Search(Store.Resolve(indices), JsonNode.Parse(body)!.AsObject(), nowMillis: Now);

    /// <summary>The clock searches run at: 2024-01-01T12:00:00Z.</summary>
    public const long Now = 1_704_110_400_000;

    public static List<string> Ids(JsonObject response) =>
        response["hits"]!["hits"]!.AsArray().Select(h => h!["_id"]!.GetValue<string>()).ToList();

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(DataDir, recursive: true);
    }
}
