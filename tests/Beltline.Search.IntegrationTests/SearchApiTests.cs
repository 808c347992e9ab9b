using System.Net;
using System.Text.Json.Nodes;

namespace Beltline.Search.IntegrationTests;

/// <summary><c>_search</c>, <c>_count</c> and aggregations over HTTP, the way the workshop's dashboard asks.</summary>
public sealed class SearchApiTests : IAsyncLifetime
{
    private readonly SearchServerFixture _es = new();

    public async Task InitializeAsync()
    {
        await _es.InitializeAsync();
        await _es.OkAsync("PUT", "/departments_count", """
            {"mappings":{"properties":{
              "departmentName":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},
              "departmentCount":{"type":"integer"},"windowBeginTime":{"type":"date"},"windowEndTime":{"type":"date"}}}}
            """);
        string[] departments = ["laptops", "cameras", "ear phones", "cell phones", "soundbars", "AirPods"];
        var lines = new List<string>();
        for (var window = 0; window < 6; window++)
            for (var d = 0; d <= window % departments.Length; d++)
            {
                lines.Add($"{{\"index\":{{\"_index\":\"departments_count\",\"_id\":\"{window}-{d}\"}}}}");
                lines.Add($"{{\"departmentName\":\"{departments[d]}\",\"departmentCount\":{window + d + 1},\"windowBeginTime\":{1_704_067_200_000L + window * 10_000L},\"windowEndTime\":{1_704_067_210_000L + window * 10_000L}}}");
            }
        await _es.OkAsync("POST", "/_bulk?refresh=wait_for", string.Join('\n', lines) + "\n", "application/x-ndjson");
        await _es.OkAsync("PUT", "/other/_doc/1?refresh=true", """{"departmentName":"laptops","departmentCount":100}""");
    }

    public Task DisposeAsync() => _es.DisposeAsync();

    [Fact]
    public async Task Search_response_shape()
    {
        var response = await _es.OkAsync("GET", "/departments_count/_search", """{"query":{"match":{"departmentName":"laptops"}}}""");
        Assert.False(response["timed_out"]!.GetValue<bool>());
        Assert.Equal("""{"total":1,"successful":1,"skipped":0,"failed":0}""", response["_shards"]!.ToJsonString());
        Assert.Equal("""{"value":6,"relation":"eq"}""", response["hits"]!["total"]!.ToJsonString());
        var hit = response["hits"]!["hits"]![0]!;
        Assert.Equal("departments_count", hit["_index"]!.GetValue<string>());
        Assert.Equal("laptops", hit["_source"]!["departmentName"]!.GetValue<string>());
        Assert.True(hit["_score"]!.GetValue<double>() > 0);
        Assert.True(response["took"]!.GetValue<long>() >= 0);
    }

    [Fact]
    public async Task Bool_range_with_date_math_sort_paging_and_source()
    {
        var response = await _es.OkAsync("POST", "/departments_count/_search", """
            {
              "query": { "bool": {
                "filter": [ { "range": { "windowEndTime": { "gte": "2024-01-01T00:00:30Z", "lte": "2024-01-01T00:00:30Z||+10s" } } } ],
                "must_not": [ { "term": { "departmentName.keyword": "laptops" } } ] } },
              "sort": [ { "departmentCount": "desc" }, { "departmentName.keyword": "asc" } ],
              "from": 1, "size": 2,
              "_source": ["departmentName", "departmentCount"]
            }
            """);
        // Windows ending at :30 (3 departments) and :40 (4): 7 documents, 5 without laptops.
        Assert.Equal(5, response["hits"]!["total"]!["value"]!.GetValue<long>());
        var hits = response["hits"]!["hits"]!.AsArray();
        Assert.Equal(["""{"departmentName":"ear phones","departmentCount":6}""", """{"departmentName":"cameras","departmentCount":5}"""],
            hits.Select(h => h!["_source"]!.ToJsonString()));
        Assert.Equal("""[6,"ear phones"]""", hits[0]!["sort"]!.ToJsonString());
        Assert.Null(response["hits"]!["max_score"]);
    }

    [Fact]
    public async Task Range_relative_to_now_finds_nothing_in_the_future_and_everything_in_the_past()
    {
        Assert.Equal(0, (await _es.OkAsync("POST", "/departments_count/_count", """{"query":{"range":{"windowEndTime":{"gte":"now-1h"}}}}"""))["count"]!.GetValue<long>());
        Assert.Equal(21, (await _es.OkAsync("POST", "/departments_count/_count", """{"query":{"range":{"windowEndTime":{"lt":"now/d"}}}}"""))["count"]!.GetValue<long>());
    }

    [Fact]
    public async Task Count_terms_exists_and_wildcard_index_lists()
    {
        Assert.Equal(21, (await _es.OkAsync("GET", "/departments_count/_count"))["count"]!.GetValue<long>());
        Assert.Equal(22, (await _es.OkAsync("GET", "/_count"))["count"]!.GetValue<long>());
        var terms = await _es.OkAsync("POST", "/departments_count,other/_count", """{"query":{"terms":{"departmentName.keyword":["laptops","AirPods"]}}}""");
        Assert.Equal(8, terms["count"]!.GetValue<long>());
        var wildcard = await _es.OkAsync("POST", "/dep*,oth*/_search", """{"query":{"exists":{"field":"windowEndTime"}},"size":0}""");
        Assert.Equal(21, wildcard["hits"]!["total"]!["value"]!.GetValue<long>());
        var both = await _es.OkAsync("POST", "/*/_search", """{"query":{"term":{"departmentCount":100}}}""");
        Assert.Equal("other", both["hits"]!["hits"]![0]!["_index"]!.GetValue<string>());
    }

    [Fact]
    public async Task Url_parameters_q_size_sort_and_source()
    {
        var response = await _es.OkAsync("GET", "/departments_count/_search?q=departmentName:phones&size=3&sort=departmentCount:desc&_source_includes=departmentCount");
        Assert.Equal(7, response["hits"]!["total"]!["value"]!.GetValue<long>());   // ear phones (windows 2-5) + cell phones (3-5)
        Assert.Equal(["""{"departmentCount":9}""", """{"departmentCount":8}""", """{"departmentCount":8}"""],
            response["hits"]!["hits"]!.AsArray().Select(h => h!["_source"]!.ToJsonString()));
    }

    [Fact]
    public async Task Rest_total_hits_as_int_and_track_total_hits()
    {
        var asInt = await _es.OkAsync("GET", "/departments_count/_search?rest_total_hits_as_int=true&size=0");
        Assert.Equal(21, asInt["hits"]!["total"]!.GetValue<long>());
        var capped = await _es.OkAsync("POST", "/departments_count/_search", """{"track_total_hits":5,"size":0}""");
        Assert.Equal("""{"value":5,"relation":"gte"}""", capped["hits"]!["total"]!.ToJsonString());
    }

    [Fact]
    public async Task Dashboard_aggregation_top_five_departments_per_window()
    {
        // Kibana's "departmentCount for the top 5 departmentName.keyword" line chart.
        var response = await _es.OkAsync("POST", "/departments_count/_search", """
            {
              "size": 0,
              "aggs": {
                "2": {
                  "date_histogram": { "field": "windowEndTime", "fixed_interval": "10s", "min_doc_count": 1 },
                  "aggs": {
                    "3": {
                      "terms": { "field": "departmentName.keyword", "size": 5, "order": { "_count": "desc" } },
                      "aggs": { "1": { "sum": { "field": "departmentCount" } } }
                    }
                  }
                }
              }
            }
            """);
        var windows = response["aggregations"]!["2"]!["buckets"]!.AsArray();
        Assert.Equal(6, windows.Count);
        Assert.Equal("2024-01-01T00:00:10.000Z", windows[0]!["key_as_string"]!.GetValue<string>());
        Assert.Equal(1_704_067_210_000, windows[0]!["key"]!.GetValue<long>());
        var last = windows[5]!;
        Assert.Equal(6, last["doc_count"]!.GetValue<long>());
        var departments = last["3"]!["buckets"]!.AsArray();
        Assert.Equal(5, departments.Count);
        Assert.Equal(1, last["3"]!["sum_other_doc_count"]!.GetValue<long>());
        Assert.Equal("AirPods", departments[0]!["key"]!.GetValue<string>());   // all counts 1: by key, ordinal order
        Assert.Equal(11.0, departments[0]!["1"]!["value"]!.GetValue<double>());
    }

    [Fact]
    public async Task Metric_and_histogram_aggregations()
    {
        var response = await _es.OkAsync("POST", "/departments_count/_search", """
            {
              "size": 0,
              "query": { "term": { "departmentName.keyword": "laptops" } },
              "aggs": {
                "avg_count": { "avg": { "field": "departmentCount" } },
                "max_end": { "max": { "field": "windowEndTime" } },
                "depts": { "cardinality": { "field": "departmentName.keyword" } },
                "n": { "value_count": { "field": "departmentCount" } },
                "by_count": { "histogram": { "field": "departmentCount", "interval": 2 } },
                "latest": { "top_hits": { "size": 1, "sort": [ { "windowEndTime": { "order": "desc" } } ], "_source": { "includes": ["departmentCount"] } } }
              }
            }
            """);
        var aggs = response["aggregations"]!;
        Assert.Equal(3.5, aggs["avg_count"]!["value"]!.GetValue<double>());
        Assert.Equal("2024-01-01T00:01:00.000Z", aggs["max_end"]!["value_as_string"]!.GetValue<string>());
        Assert.Equal(1, aggs["depts"]!["value"]!.GetValue<int>());
        Assert.Equal(6, aggs["n"]!["value"]!.GetValue<long>());
        Assert.Equal([1L, 2, 2, 1], aggs["by_count"]!["buckets"]!.AsArray().Select(b => b!["doc_count"]!.GetValue<long>()));
        Assert.Equal("""{"departmentCount":6}""", aggs["latest"]!["hits"]!["hits"]![0]!["_source"]!.ToJsonString());
    }

    [Fact]
    public async Task Multi_search_answers_each_search_with_its_own_status()
    {
        // ES docs, multi search: header and body lines, the header naming the index.
        const string body = """
            {"index":"departments_count"}
            {"query":{"match":{"departmentName":"laptops"}},"size":0}
            {}
            {"query":{"term":{"departmentCount":100}}}
            {"index":"missing"}
            {"query":{"match_all":{}}}

            """;
        var response = await _es.OkAsync("GET", "/other/_msearch", body.Replace("\r\n", "\n"), "application/x-ndjson");
        var responses = response["responses"]!.AsArray();
        Assert.Equal(3, responses.Count);
        Assert.Equal(6, responses[0]!["hits"]!["total"]!["value"]!.GetValue<long>());
        Assert.Equal(200, responses[0]!["status"]!.GetValue<int>());
        Assert.Equal("other", responses[1]!["hits"]!["hits"]![0]!["_index"]!.GetValue<string>());   // no index in the header: the path's
        Assert.Equal(404, responses[2]!["status"]!.GetValue<int>());
        Assert.Equal("index_not_found_exception", responses[2]!["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Multi_get_by_docs_and_by_ids()
    {
        // ES docs, multi get: GET /_mget {"docs":[...]} and GET /<index>/_mget {"ids":[...]}.
        var byDocs = await _es.OkAsync("GET", "/_mget", """
            { "docs": [ { "_index": "other", "_id": "1", "_source": ["departmentCount"] }, { "_index": "departments_count", "_id": "nope" }, { "_index": "missing", "_id": "1" } ] }
            """);
        var docs = byDocs["docs"]!.AsArray();
        Assert.Equal("""{"departmentCount":100}""", docs[0]!["_source"]!.ToJsonString());
        Assert.False(docs[1]!["found"]!.GetValue<bool>());
        Assert.Equal("index_not_found_exception", docs[2]!["error"]!["type"]!.GetValue<string>());

        var byIds = await _es.OkAsync("GET", "/departments_count/_mget", """{ "ids": ["0-0", "5-5"] }""");
        Assert.Equal(["laptops", "AirPods"], byIds["docs"]!.AsArray().Select(d => d!["_source"]!["departmentName"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Bad_queries_get_ES_errors()
    {
        var (status, body) = await _es.SendAsync("POST", "/departments_count/_search", """{"query":{"nope":{}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("parsing_exception", body!["error"]!["type"]!.GetValue<string>());
        var (aggStatus, aggBody) = await _es.SendAsync("POST", "/departments_count/_search", """{"aggs":{"t":{"terms":{"field":"departmentName"}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, aggStatus);
        Assert.Equal("illegal_argument_exception", aggBody!["error"]!["root_cause"]![0]!["type"]!.GetValue<string>());
        var (jsonStatus, _) = await _es.SendAsync("POST", "/departments_count/_search", """{"query":""");
        Assert.Equal(HttpStatusCode.BadRequest, jsonStatus);
    }
}
