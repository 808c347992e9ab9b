using System.Text;
using System.Text.Json.Nodes;

namespace Beltline.Search.Tests;

/// <summary>Writes, versions, real-time GET and persistence of one index.</summary>
public sealed class SearchIndexTests : IAsyncLifetime
{
    private readonly TempStore _temp = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _temp.DisposeAsync();

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Versions_results_and_real_time_get_before_any_refresh()
    {
        var index = _temp.Store.GetOrCreate("docs");
        Assert.Equal(new WriteResult("a", 1, 0, "created", 201), index.Index("a", Json("""{"n":1}""")));
        Assert.Equal(new WriteResult("a", 2, 1, "updated", 200), index.Index("a", Json("""{"n":2}""")));
        Assert.Equal("""{"n":2}""", Encoding.UTF8.GetString(index.Get("a")!.Source));   // not refreshed yet
        Assert.Equal(0, SearchExecutor.Count([index], null));                             // searches wait for a refresh

        index.Refresh();
        Assert.Equal(1, SearchExecutor.Count([index], null));
        Assert.Equal(2, index.Get("a")!.Version);   // now from the index itself
    }

    [Fact]
    public async Task A_search_idle_index_skips_scheduled_refreshes_until_it_is_searched()
    {
        var index = _temp.Store.Create("idle", JsonNode.Parse("""{"settings":{"index.search.idle.after":"50ms"}}""")!.AsObject());
        await Task.Delay(200);
        index.Index("a", Json("{}"));
        index.ScheduledRefresh();
        Assert.Equal(0, index.DocCounts().Live);                 // idle: the scheduled refresh did nothing
        Assert.Equal(1, SearchExecutor.Count([index], null));    // a search refreshes the idle index first

        index.Index("b", Json("{}"));
        index.ScheduledRefresh();                                // just searched: refreshed on schedule again
        Assert.Equal(2, index.DocCounts().Live);
    }

    [Fact]
    public void A_merged_segment_has_its_columns_built_before_searches_see_it()
    {
        var index = _temp.Store.GetOrCreate("merged");
        index.Index("a", Json("""{"n":1,"tag":"x","text":"words"}"""));
        index.Refresh();
        index.Index("b", Json("""{"n":2,"tag":"y","text":"more words"}"""));
        index.ForceMergeForTests();
        index.Refresh();

        var searcher = index.AcquireSearcher();
        try
        {
            var merged = Assert.Single(searcher.IndexReader.Leaves).AtomicReader;
            Assert.True(ColumnCache.IsBuilt(merged, "n"));
            Assert.True(ColumnCache.IsBuilt(merged, "tag.keyword"));
            Assert.False(ColumnCache.IsBuilt(merged, "text"));   // text has no doc values
        }
        finally
        {
            index.ReleaseSearcher(searcher);
        }
    }

    [Fact]
    public void Refresh_interval_minus_one_turns_scheduled_refreshes_off()
    {
        var index = _temp.Store.Create("manual", JsonNode.Parse("""{"settings":{"refresh_interval":"-1"}}""")!.AsObject());
        index.Index("a", Json("{}"));
        index.ScheduledRefresh();
        Assert.Equal(0, index.DocCounts().Live);
        index.Refresh();
        Assert.Equal(1, index.DocCounts().Live);
    }

    [Fact]
    public void Create_refuses_an_existing_id()
    {
        var index = _temp.Store.GetOrCreate("docs");
        index.Index("a", Json("{}"));
        var error = Assert.Throws<SearchException>(() => index.Index("a", Json("{}"), create: true));
        Assert.Equal(409, error.Status);
        Assert.Equal("version_conflict_engine_exception", error.Type);
    }

    [Fact]
    public void Update_merges_and_detects_noops()
    {
        var index = _temp.Store.GetOrCreate("docs");
        index.Index("a", Json("""{"user":{"name":"x","age":1},"tags":["a"]}"""));
        index.Refresh();
        var updated = index.Update("a", JsonNode.Parse("""{"user":{"age":2},"tags":["b"]}""")!.AsObject(), false, null);
        Assert.Equal("updated", updated.Result);
        Assert.Equal("""{"user":{"name":"x","age":2},"tags":["b"]}""", Encoding.UTF8.GetString(index.Get("a")!.Source));
        Assert.Equal("noop", index.Update("a", JsonNode.Parse("""{"user":{"age":2}}""")!.AsObject(), false, null).Result);
        var missing = Assert.Throws<SearchException>(() => index.Update("b", new JsonObject { ["x"] = 1 }, false, null));
        Assert.Equal("document_missing_exception", missing.Type);
        Assert.Equal("created", index.Update("b", new JsonObject { ["x"] = 1 }, docAsUpsert: true, null).Result);
    }

    [Fact]
    public void Delete_then_get_finds_nothing()
    {
        var index = _temp.Store.GetOrCreate("docs");
        index.Index("a", Json("{}"));
        index.Refresh();
        Assert.Equal("deleted", index.Delete("a").Result);
        Assert.Null(index.Get("a"));
        Assert.Equal("not_found", index.Delete("a").Result);
        index.Refresh();
        Assert.Equal(0, SearchExecutor.Count([index], null));
    }

    [Fact]
    public async Task Documents_mappings_versions_and_templates_survive_reopening()
    {
        _temp.Store.PutTemplate("t", JsonNode.Parse("""{"index_patterns":["logs-*"],"template":{"mappings":{"properties":{"code":{"type":"keyword"}}}}}""")!.AsObject());
        var index = _temp.Store.GetOrCreate("docs");
        index.Index("a", Json("""{"when":"2024-01-01T00:00:00Z","n":5}"""));
        index.Index("a", Json("""{"when":"2024-01-01T00:00:00Z","n":6}"""));   // never refreshed: the close commits it

        await _temp.ReopenAsync();

        var reopened = _temp.Store.Get("docs");
        Assert.Equal(2, reopened.Get("a")!.Version);
        Assert.Equal("date", reopened.Mapping.Resolve("when")!.Type);
        Assert.Equal(1, SearchExecutor.Count([reopened], JsonNode.Parse("""{"term":{"n":6}}""")));
        Assert.Equal(new WriteResult("a", 3, 2, "updated", 200), reopened.Index("a", Json("""{"n":7}""")));
        Assert.Equal("keyword", _temp.Store.Create("logs-1", null).Mapping.Resolve("code")!.Type);
    }

    [Fact]
    public async Task Synced_writes_survive_a_crash_through_the_translog()
    {
        var index = _temp.Store.GetOrCreate("docs");
        index.Index("a", Json("{\n  \"n\": 1\n}"));   // a pretty-printed source stays one translog line
        index.Commit();
        index.Index("b", Json("""{"n":2}"""));
        index.Index("a", Json("""{"n":3}"""));
        index.Delete("b");
        index.Index("c", Json("""{"n":4,"new_field":"x"}"""));
        index.Sync();
        index.SimulateCrash();   // nothing after the first commit reached Lucene's disk

        await _temp.ReopenAsync();

        var reopened = _temp.Store.Get("docs");
        Assert.Equal("""{"n":3}""", Encoding.UTF8.GetString(reopened.Get("a")!.Source));
        Assert.Equal(2, reopened.Get("a")!.Version);
        Assert.Null(reopened.Get("b"));
        Assert.NotNull(reopened.Get("c"));
        reopened.Refresh();
        Assert.Equal(2, SearchExecutor.Count([reopened], null));
        Assert.Equal(1, SearchExecutor.Count([reopened], JsonNode.Parse("""{"term":{"new_field.keyword":"x"}}""")));
        Assert.Equal(5, reopened.Index("d", Json("{}")).SeqNo);   // sequence numbers continue past the replayed writes
    }

    [Fact]
    public async Task A_torn_translog_tail_is_ignored()
    {
        var index = _temp.Store.GetOrCreate("docs");
        index.Index("a", Json("""{"n":1}"""));
        index.Sync();
        index.SimulateCrash();
        await File.AppendAllTextAsync(Path.Combine(index.Path, Translog.FileName), "{\"id\":\"b\",\"seq\":1,\"v\":1,\"src\":{\"n\"");

        await _temp.ReopenAsync();

        Assert.NotNull(_temp.Store.Get("docs").Get("a"));
        Assert.Null(_temp.Store.Get("docs").Get("b"));
    }

    [Fact]
    public void Aggregations_see_updates_deletes_and_merges_after_their_columns_were_cached()
    {
        var index = _temp.Store.GetOrCreate("docs");
        for (var i = 0; i < 10; i++)
        {
            index.Index(i.ToString(), Json($$"""{"n":{{i}},"tag":"t{{i % 2}}"}"""));
            index.Refresh();   // one small segment per document, for the merge below
        }
        double Sum() => _temp.Search("docs", """{"size":0,"aggs":{"s":{"sum":{"field":"n"}}}}""")["aggregations"]!["s"]!["value"]!.GetValue<double>();
        string Tags() => _temp.Search("docs", """{"size":0,"aggs":{"t":{"terms":{"field":"tag.keyword"}}}}""")["aggregations"]!["t"]!["buckets"]!.ToJsonString();
        Assert.Equal(45, Sum());
        Assert.Equal("""[{"key":"t0","doc_count":5},{"key":"t1","doc_count":5}]""", Tags());

        index.Index("3", Json("""{"n":100,"tag":"t0"}"""));
        index.Delete("4");
        index.Refresh();
        Assert.Equal(45 - 3 + 100 - 4, Sum());
        Assert.Equal("""[{"key":"t0","doc_count":5},{"key":"t1","doc_count":4}]""", Tags());

        index.ForceMergeForTests();
        index.Refresh();
        Assert.Equal(45 - 3 + 100 - 4, Sum());
        Assert.Equal("""[{"key":"t0","doc_count":5},{"key":"t1","doc_count":4}]""", Tags());
    }

    [Fact]
    public void A_data_dir_in_use_is_refused_with_a_clear_error()
    {
        _temp.Store.GetOrCreate("docs");
        var error = Assert.Throws<InvalidOperationException>(() => SearchStore.Open(_temp.DataDir, background: false));
        Assert.Contains("in use by another process", error.Message);
    }

    [Fact]
    public void Index_names_follow_ES_rules()
    {
        Assert.Equal("invalid_index_name_exception", Assert.Throws<SearchException>(() => _temp.Store.Create("Upper", null)).Type);
        Assert.Equal("invalid_index_name_exception", Assert.Throws<SearchException>(() => _temp.Store.Create("_under", null)).Type);
        _temp.Store.Create("ok", null);
        Assert.Equal("resource_already_exists_exception", Assert.Throws<SearchException>(() => _temp.Store.Create("ok", null)).Type);
    }

    [Fact]
    public void Wildcards_comma_lists_and_exclusions_resolve_indices()
    {
        foreach (var name in new[] { "logs-1", "logs-2", "metrics" })
            _temp.Store.Create(name, null);
        Assert.Equal(["logs-1", "logs-2"], _temp.Store.Resolve("logs-*").Select(i => i.Name));
        Assert.Equal(["logs-2", "metrics"], _temp.Store.Resolve("metrics,logs-2").Select(i => i.Name));
        Assert.Equal(["logs-2", "metrics"], _temp.Store.Resolve("*,-logs-1").Select(i => i.Name));
        Assert.Empty(_temp.Store.Resolve("nothing-*"));
        Assert.Equal("index_not_found_exception", Assert.Throws<SearchException>(() => _temp.Store.Resolve("logs-1,nope")).Type);
    }
}
