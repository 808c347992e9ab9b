using System.Text.Json.Nodes;

namespace Beltline.Search.Tests;

/// <summary>The query DSL against a real (temporary) Lucene index: which documents match, in which order.</summary>
public sealed class QueryTests : IAsyncLifetime
{
    private readonly TempStore _temp = new();

    public Task InitializeAsync()
    {
        _temp.Store.Create("sessions", JsonNode.Parse("""
            {"mappings":{"properties":{
              "deptList":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},
              "userId":{"type":"long"},"eventCount":{"type":"integer"},"ratio":{"type":"double"},
              "windowEndTime":{"type":"date"},"checkout":{"type":"boolean"},"note":{"type":"keyword"}}}}
            """)!.AsObject());
        _temp.Index("sessions",
            ("1", """{"deptList":["laptops","cameras"],"userId":1000,"eventCount":3,"ratio":0.5,"windowEndTime":"2024-01-01T11:30:00Z","checkout":true,"note":"x"}"""),
            ("2", """{"deptList":["cell phones"],"userId":2000,"eventCount":7,"ratio":1.5,"windowEndTime":"2024-01-01T10:00:00Z","checkout":false}"""),
            ("3", """{"deptList":["ear phones","laptops"],"userId":3000,"eventCount":1,"ratio":2.5,"windowEndTime":1704106800000,"checkout":true}"""),
            ("4", """{"deptList":["soundbars"],"userId":4000,"eventCount":5,"windowEndTime":"2023-12-31T12:00:00Z","checkout":false}"""));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _temp.DisposeAsync();

    private List<string> Matching(string query) =>
        TempStore.Ids(_temp.Search("sessions", $$"""{"query":{{query}},"sort":["_doc"],"size":100}""")).Order().ToList();

    [Fact]
    public void Match_all() => Assert.Equal(["1", "2", "3", "4"], Matching("""{"match_all":{}}"""));

    [Fact]
    public void Match_analyzes_text_and_ors_the_terms() =>
        Assert.Equal(["1", "2", "3"], Matching("""{"match":{"deptList":"Laptops phones"}}"""));

    [Fact]
    public void Match_with_operator_and() =>
        Assert.Equal(["3"], Matching("""{"match":{"deptList":{"query":"ear phones","operator":"and"}}}"""));

    [Fact]
    public void Match_phrase_keeps_word_order() =>
        Assert.Equal(["2"], Matching("""{"match_phrase":{"deptList":"cell phones"}}"""));

    [Fact]
    public void Term_on_a_keyword_subfield_is_exact()
    {
        Assert.Equal(["2"], Matching("""{"term":{"deptList.keyword":"cell phones"}}"""));
        Assert.Empty(Matching("""{"term":{"deptList.keyword":"Cell Phones"}}"""));
    }

    [Fact]
    public void Term_on_numbers_dates_and_booleans()
    {
        Assert.Equal(["2"], Matching("""{"term":{"userId":2000}}"""));
        Assert.Equal(["2"], Matching("""{"term":{"userId":{"value":"2000"}}}"""));
        Assert.Equal(["3"], Matching("""{"term":{"ratio":2.5}}"""));
        Assert.Equal(["1", "3"], Matching("""{"term":{"checkout":true}}"""));
        Assert.Equal(["2"], Matching("""{"term":{"windowEndTime":"2024-01-01T10:00:00Z"}}"""));
    }

    [Fact]
    public void Terms() => Assert.Equal(["1", "4"], Matching("""{"terms":{"userId":[1000,4000,9999]}}"""));

    [Fact]
    public void Range_on_numbers()
    {
        Assert.Equal(["1", "4"], Matching("""{"range":{"eventCount":{"gte":3,"lte":5}}}"""));
        Assert.Equal(["4"], Matching("""{"range":{"eventCount":{"gt":3,"lt":7}}}"""));
        Assert.Equal(["2", "3"], Matching("""{"range":{"ratio":{"gt":0.5}}}"""));
    }

    [Fact]
    public void Range_on_dates_with_iso_strings_epoch_millis_and_date_math()
    {
        Assert.Equal(["1", "3"], Matching("""{"range":{"windowEndTime":{"gte":"now-1h"}}}"""));
        Assert.Equal(["1", "2", "3"], Matching("""{"range":{"windowEndTime":{"gte":"now/d"}}}"""));
        Assert.Equal(["4"], Matching("""{"range":{"windowEndTime":{"lt":"now/d"}}}"""));
        Assert.Equal(["2"], Matching("""{"range":{"windowEndTime":{"gte":1704103200000,"lt":"2024-01-01T11:00:00Z"}}}"""));
        Assert.Equal(["2", "4"], Matching("""{"range":{"windowEndTime":{"lte":"2024-01-01T10:00:00Z"}}}"""));
    }

    [Fact]
    public void Exists()
    {
        Assert.Equal(["1", "2", "3"], Matching("""{"exists":{"field":"ratio"}}"""));
        Assert.Equal(["1"], Matching("""{"exists":{"field":"note"}}"""));
    }

    [Fact]
    public void Doc_value_queries_on_arrays_objects_booleans_and_deleted_documents()
    {
        var index = _temp.Index("mixed",
            ("a", """{"scores":[1,50],"user":{"id":7},"text":"hello"}"""),
            ("b", """{"scores":[20],"user":{"name":"x"}}"""),
            ("c", """{"scores":3,"flag":true}"""));
        List<string> Match(string query) =>
            TempStore.Ids(_temp.Search("mixed", $$"""{"query":{{query}},"sort":["_doc"]}""")).Order().ToList();

        Assert.Equal(["a", "b"], Match("""{"range":{"scores":{"gte":10}}}"""));   // any value of an array counts
        Assert.Equal(["a"], Match("""{"term":{"scores":1}}"""));
        Assert.Equal(["a", "b"], Match("""{"exists":{"field":"user"}}"""));       // an object with a number only counts
        Assert.Equal(["a"], Match("""{"exists":{"field":"user.id"}}"""));
        Assert.Equal(["b"], Match("""{"exists":{"field":"user.name.keyword"}}"""));
        Assert.Equal(["a"], Match("""{"exists":{"field":"text"}}"""));
        Assert.Equal(["c"], Match("""{"range":{"flag":{"gt":false}}}"""));

        index.Delete("a");
        index.Refresh();
        Assert.Equal(["b"], Match("""{"range":{"scores":{"gte":10}}}"""));
    }

    [Fact]
    public void Bool_must_filter_should_must_not()
    {
        Assert.Equal(["1"], Matching("""{"bool":{"must":{"match":{"deptList":"laptops"}},"filter":[{"term":{"checkout":true}}],"must_not":[{"range":{"eventCount":{"lt":2}}}]}}"""));
        Assert.Equal(["2", "4"], Matching("""{"bool":{"should":[{"term":{"userId":2000}},{"term":{"userId":4000}}]}}"""));
        Assert.Equal(["2", "3", "4"], Matching("""{"bool":{"must_not":{"term":{"userId":1000}}}}"""));
        Assert.Equal(["1", "3"], Matching("""{"bool":{"filter":{"term":{"checkout":true}},"should":{"term":{"userId":1}}}}"""));
    }

    [Fact]
    public void Prefix_constant_score_ids_and_match_none()
    {
        Assert.Equal(["1", "2"], Matching("""{"prefix":{"deptList.keyword":"c"}}"""));   // cameras, cell phones
        Assert.Equal(["1", "3"], Matching("""{"constant_score":{"filter":{"term":{"checkout":true}},"boost":1.2}}"""));
        Assert.Equal(["2", "4"], Matching("""{"ids":{"values":["4","2","9"]}}"""));
        Assert.Empty(Matching("""{"match_none":{}}"""));
    }

    [Fact]
    public void Unmapped_fields_match_nothing() => Assert.Empty(Matching("""{"term":{"nope":"x"}}"""));

    [Fact]
    public void Unknown_query_is_a_parsing_exception()
    {
        var error = Assert.Throws<SearchException>(() => Matching("""{"fuzzy_banana":{}}"""));
        Assert.Equal("parsing_exception", error.Type);
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void Sort_paging_and_total()
    {
        var response = _temp.Search("sessions", """{"sort":[{"eventCount":{"order":"desc"}}],"from":1,"size":2}""");
        Assert.Equal(["4", "1"], TempStore.Ids(response));
        Assert.Equal(4, response["hits"]!["total"]!["value"]!.GetValue<long>());
        Assert.Equal("eq", response["hits"]!["total"]!["relation"]!.GetValue<string>());
        Assert.Equal(5, response["hits"]!["hits"]![0]!["sort"]![0]!.GetValue<long>());
    }

    [Fact]
    public void Search_after_pages_through_a_sort()
    {
        // ES docs, search_after: the last hit's sort values (with a unique tie-breaker) start the next page.
        var first = _temp.Search("sessions", """{"size":2,"sort":[{"checkout":"desc"},{"userId":"asc"}]}""");
        Assert.Equal(["1", "3"], TempStore.Ids(first));
        var last = first["hits"]!["hits"]![1]!["sort"]!.ToJsonString();
        Assert.Equal("[1,3000]", last);
        var second = _temp.Search("sessions", $$"""{"size":2,"sort":[{"checkout":"desc"},{"userId":"asc"}],"search_after":{{last}}}""");
        Assert.Equal(["2", "4"], TempStore.Ids(second));
        Assert.Empty(TempStore.Ids(_temp.Search("sessions", """{"size":2,"sort":[{"checkout":"desc"},{"userId":"asc"}],"search_after":[0,4000]}""")));
        Assert.Throws<SearchException>(() => _temp.Search("sessions", """{"search_after":[1]}"""));
    }

    [Fact]
    public void A_result_window_past_10000_is_refused()
    {
        var error = Assert.Throws<SearchException>(() => _temp.Search("sessions", """{"from":9995,"size":10}"""));
        Assert.StartsWith("Result window is too large, from + size must be less than or equal to: [10000] but was [10005]", error.Reason);
    }

    [Fact]
    public void Sort_on_keyword_and_date()
    {
        // By the smallest term ascending (cameras, cell phones, ear phones, soundbars), the largest descending.
        Assert.Equal(["1", "2", "3", "4"], TempStore.Ids(_temp.Search("sessions", """{"sort":[{"deptList.keyword":"asc"}]}""")));
        Assert.Equal(["4", "1", "3", "2"], TempStore.Ids(_temp.Search("sessions", """{"sort":[{"deptList.keyword":"desc"}]}""")));
        Assert.Equal(["4", "2", "3", "1"], TempStore.Ids(_temp.Search("sessions", """{"sort":["windowEndTime"]}""")));
    }

    [Fact]
    public void Sort_on_a_text_field_is_refused()
    {
        var error = Assert.Throws<SearchException>(() => _temp.Search("sessions", """{"sort":["deptList"]}"""));
        Assert.Contains("Text fields are not optimised", error.Reason);
    }

    [Fact]
    public void Scores_order_hits_when_no_sort_is_given()
    {
        var response = _temp.Search("sessions", """{"query":{"match":{"deptList":"laptops cameras"}}}""");
        Assert.Equal("1", TempStore.Ids(response)[0]);   // matches both words
        Assert.True(response["hits"]!["max_score"]!.GetValue<float>() > 0);
    }

    [Fact]
    public void Source_filtering()
    {
        var hit = _temp.Search("sessions", """{"query":{"ids":{"values":["1"]}},"_source":{"includes":["user*","ratio"],"excludes":["ratio"]}}""")["hits"]!["hits"]![0]!;
        Assert.Equal("""{"userId":1000}""", hit["_source"]!.ToJsonString());
        var none = _temp.Search("sessions", """{"query":{"ids":{"values":["1"]}},"_source":false}""")["hits"]!["hits"]![0]!;
        Assert.Null(none["_source"]);
    }

    [Fact]
    public void Track_total_hits_caps_or_drops_the_total()
    {
        var capped = _temp.Search("sessions", """{"track_total_hits":2}""");
        Assert.Equal("""{"value":2,"relation":"gte"}""", capped["hits"]!["total"]!.ToJsonString());
        var dropped = _temp.Search("sessions", """{"track_total_hits":false}""");
        Assert.Null(dropped["hits"]!["total"]);
    }
}
