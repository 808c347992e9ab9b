using System.Net;
using System.Text.Json.Nodes;

namespace Beltline.Search.IntegrationTests;

/// <summary>Single-document and bulk APIs, requests as in ES's reference.</summary>
public sealed class DocumentApiTests : IAsyncLifetime
{
    private readonly SearchServerFixture _es = new();

    public Task InitializeAsync() => _es.InitializeAsync();
    public Task DisposeAsync() => _es.DisposeAsync();

    [Fact]
    public async Task Index_get_update_and_delete_a_document()
    {
        // ES docs, index API: PUT my-index-000001/_doc/1.
        const string tweet = """{ "@timestamp": "2099-11-15T13:12:00", "message": "GET /search HTTP/1.1 200 1070000", "user": { "id": "kimchy" } }""";
        var (status, created) = await _es.SendAsync("PUT", "/my-index-000001/_doc/1", tweet);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("""{"_index":"my-index-000001","_type":"_doc","_id":"1","_version":1,"result":"created","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1}""", created!.ToJsonString());

        var (againStatus, again) = await _es.SendAsync("PUT", "/my-index-000001/_doc/1", tweet);
        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.Equal("updated", again!["result"]!.GetValue<string>());
        Assert.Equal(2, again["_version"]!.GetValue<long>());

        // ES docs, get API: GET my-index-000001/_doc/1 (real time: no refresh needed).
        var got = await _es.OkAsync("GET", "/my-index-000001/_doc/1");
        Assert.True(got["found"]!.GetValue<bool>());
        Assert.Equal(2, got["_version"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(tweet), got["_source"]));
        var filtered = await _es.OkAsync("GET", "/my-index-000001/_doc/1?_source_includes=user.id");
        Assert.Equal("""{"user":{"id":"kimchy"}}""", filtered["_source"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(tweet), await _es.OkAsync("GET", "/my-index-000001/_source/1")));

        Assert.Equal(HttpStatusCode.OK, (await _es.SendAsync("HEAD", "/my-index-000001/_doc/1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _es.SendAsync("HEAD", "/my-index-000001/_doc/2")).Status);

        // ES docs, update API: POST test/_update/1 with a partial doc.
        var updated = await _es.OkAsync("POST", "/my-index-000001/_update/1", """{ "doc": { "name": "new_name" } }""");
        Assert.Equal("updated", updated["result"]!.GetValue<string>());
        var noop = await _es.OkAsync("POST", "/my-index-000001/_update/1", """{ "doc": { "name": "new_name" } }""");
        Assert.Equal("noop", noop["result"]!.GetValue<string>());
        Assert.Equal("new_name", (await _es.OkAsync("GET", "/my-index-000001/_doc/1"))["_source"]!["name"]!.GetValue<string>());

        // ES docs, delete API: DELETE /my-index-000001/_doc/1.
        var deleted = await _es.OkAsync("DELETE", "/my-index-000001/_doc/1");
        Assert.Equal("deleted", deleted["result"]!.GetValue<string>());
        var (missingStatus, missing) = await _es.SendAsync("GET", "/my-index-000001/_doc/1");
        Assert.Equal(HttpStatusCode.NotFound, missingStatus);
        Assert.Equal("""{"_index":"my-index-000001","_type":"_doc","_id":"1","found":false}""", missing!.ToJsonString());
        var (deleteAgainStatus, deleteAgain) = await _es.SendAsync("DELETE", "/my-index-000001/_doc/1");
        Assert.Equal(HttpStatusCode.NotFound, deleteAgainStatus);
        Assert.Equal("not_found", deleteAgain!["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_without_id_generates_one_and_create_refuses_duplicates()
    {
        var (status, created) = await _es.SendAsync("POST", "/my-index-000001/_doc/", """{ "message": "hello" }""");
        Assert.Equal(HttpStatusCode.Created, status);
        var id = created!["_id"]!.GetValue<string>();
        Assert.Equal(20, id.Length);
        Assert.Equal("hello", (await _es.OkAsync("GET", $"/my-index-000001/_doc/{id}"))["_source"]!["message"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Created, (await _es.SendAsync("PUT", "/my-index-000001/_create/2", """{"a":1}""")).Status);
        var (conflict, body) = await _es.SendAsync("PUT", "/my-index-000001/_doc/2?op_type=create", """{"a":1}""");
        Assert.Equal(HttpStatusCode.Conflict, conflict);
        Assert.Equal("version_conflict_engine_exception", body!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(409, body["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Optimistic_concurrency_with_if_seq_no()
    {
        var first = await _es.OkAsync("PUT", "/products/_doc/1567", """{ "product": "r2d2", "details": "A resourceful astromech droid" }""");
        var seqNo = first["_seq_no"]!.GetValue<long>();
        // ES docs, optimistic concurrency control: PUT products/_doc/1567?if_seq_no=...&if_primary_term=1.
        var ok = await _es.OkAsync("PUT", $"/products/_doc/1567?if_seq_no={seqNo}&if_primary_term=1", """{ "product": "r2d2", "details": "A resourceful astromech droid", "tags": [ "droid" ] }""");
        Assert.Equal("updated", ok["result"]!.GetValue<string>());
        var (stale, body) = await _es.SendAsync("PUT", $"/products/_doc/1567?if_seq_no={seqNo}&if_primary_term=1", """{ "product": "r2d2" }""");
        Assert.Equal(HttpStatusCode.Conflict, stale);
        Assert.Equal("version_conflict_engine_exception", body!["error"]!["type"]!.GetValue<string>());
        var (staleDelete, _) = await _es.SendAsync("DELETE", $"/products/_doc/1567?if_seq_no={seqNo}&if_primary_term=1");
        Assert.Equal(HttpStatusCode.Conflict, staleDelete);
        var bulk = await _es.OkAsync("POST", "/_bulk", $"{{\"index\":{{\"_index\":\"products\",\"_id\":\"1567\",\"if_seq_no\":{seqNo},\"if_primary_term\":1}}}}\n{{\"a\":1}}\n", "application/x-ndjson");
        Assert.Equal(409, bulk["items"]![0]!["index"]!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_by_query()
    {
        var bulk = string.Concat(Enumerable.Range(0, 10).Select(i => $"{{\"index\":{{\"_id\":\"{i}\"}}}}\n{{\"n\":{i}}}\n"));
        await _es.OkAsync("POST", "/numbers/_bulk?refresh=true", bulk, "application/x-ndjson");
        // ES docs, delete by query: POST /my-index-000001/_delete_by_query {"query":{...}}.
        var response = await _es.OkAsync("POST", "/numbers/_delete_by_query?refresh=true", """{ "query": { "range": { "n": { "gte": 6 } } } }""");
        Assert.Equal(4, response["deleted"]!.GetValue<long>());
        Assert.Equal(4, response["total"]!.GetValue<long>());
        Assert.Empty(response["failures"]!.AsArray());
        Assert.Equal(6, (await _es.OkAsync("GET", "/numbers/_count"))["count"]!.GetValue<long>());
    }

    [Fact]
    public async Task Refresh_true_is_reported_and_wait_for_is_not()
    {
        Assert.True((await _es.OkAsync("PUT", "/r/_doc/1?refresh=true", """{"a":1}"""))["forced_refresh"]!.GetValue<bool>());
        var waited = await _es.OkAsync("PUT", "/r/_doc/2?refresh=wait_for", """{"a":1}""");
        Assert.Null(waited["forced_refresh"]);
        Assert.Equal(2, (await _es.OkAsync("GET", "/r/_count"))["count"]!.GetValue<long>());   // both searchable when answered
    }

    [Fact]
    public async Task A_document_that_does_not_fit_the_mapping_is_a_400()
    {
        await _es.OkAsync("PUT", "/typed", """{"mappings":{"properties":{"n":{"type":"integer"}}}}""");
        var (status, body) = await _es.SendAsync("PUT", "/typed/_doc/1", """{"n":"not a number"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("mapper_parsing_exception", body!["error"]!["root_cause"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bulk_example_from_the_ES_docs()
    {
        // ES docs, bulk API example, with its documented response items.
        const string bulk = """
            { "index" : { "_index" : "test", "_id" : "1" } }
            { "field1" : "value1" }
            { "delete" : { "_index" : "test", "_id" : "2" } }
            { "create" : { "_index" : "test", "_id" : "3" } }
            { "field1" : "value3" }
            { "update" : {"_id" : "1", "_index" : "test"} }
            { "doc" : {"field2" : "value2"} }

            """;
        var response = await _es.OkAsync("POST", "/_bulk", bulk.Replace("\r\n", "\n"), "application/x-ndjson");
        Assert.False(response["errors"]!.GetValue<bool>());
        var items = response["items"]!.AsArray();
        Assert.Equal(4, items.Count);
        Assert.Equal("""{"_index":"test","_type":"_doc","_id":"1","_version":1,"result":"created","_shards":{"total":2,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}""", items[0]!["index"]!.ToJsonString());
        Assert.Equal("not_found", items[1]!["delete"]!["result"]!.GetValue<string>());
        Assert.Equal(404, items[1]!["delete"]!["status"]!.GetValue<int>());
        Assert.Equal(201, items[2]!["create"]!["status"]!.GetValue<int>());
        Assert.Equal("updated", items[3]!["update"]!["result"]!.GetValue<string>());
        Assert.Equal(2, items[3]!["update"]!["_version"]!.GetValue<long>());
        Assert.Equal("""{"field1":"value1","field2":"value2"}""", (await _es.OkAsync("GET", "/test/_doc/1"))["_source"]!.ToJsonString());
    }

    [Fact]
    public async Task Bulk_reports_failed_items_and_sets_errors()
    {
        await _es.OkAsync("PUT", "/typed", """{"mappings":{"properties":{"n":{"type":"integer"}}}}""");
        const string bulk = "{\"index\":{\"_id\":\"1\"}}\n{\"n\":1}\n{\"index\":{\"_id\":\"2\"}}\n{\"n\":\"x\"}\n{\"create\":{\"_id\":\"1\"}}\n{\"n\":2}\n{\"update\":{\"_id\":\"9\"}}\n{\"doc\":{\"n\":3}}\n";
        var response = await _es.OkAsync("POST", "/typed/_bulk?refresh=true", bulk, "application/x-ndjson");
        Assert.True(response["errors"]!.GetValue<bool>());
        var items = response["items"]!.AsArray();
        Assert.Equal([201, 400, 409, 404], items.Select(i => i!.AsObject().First().Value!["status"]!.GetValue<int>()));
        Assert.Equal("mapper_parsing_exception", items[1]!["index"]!["error"]!["type"]!.GetValue<string>());
        Assert.Equal("version_conflict_engine_exception", items[2]!["create"]!["error"]!["type"]!.GetValue<string>());
        Assert.Equal("document_missing_exception", items[3]!["update"]!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(1, (await _es.OkAsync("GET", "/typed/_count"))["count"]!.GetValue<long>());   // refresh=true: searchable at once
    }

    [Fact]
    public async Task Bulk_must_end_with_a_newline()
    {
        var (status, body) = await _es.SendAsync("POST", "/_bulk", "{\"index\":{\"_index\":\"x\"}}\n{\"a\":1}", "application/x-ndjson");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The bulk request must be terminated by a newline [\\n]", body!["error"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Background_refresh_makes_writes_searchable_without_asking()
    {
        await _es.OkAsync("PUT", "/nrt/_doc/1", """{"a":1}""");
        // No refresh requested: the 1 s background refresh must make it visible (polled, with a generous bound).
        long count = 0;
        for (var attempt = 0; attempt < 100 && count == 0; attempt++)
        {
            count = (await _es.OkAsync("GET", "/nrt/_count"))["count"]!.GetValue<long>();
            if (count == 0)
                await Task.Delay(100);
        }
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Concurrent_bulk_writers_and_searches_lose_nothing()
    {
        // Four writers, each its own ids plus a shared id they all overwrite, while searches and refreshes run.
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var batch = 0; batch < 10; batch++)
            {
                var lines = string.Concat(Enumerable.Range(0, 50).Select(i =>
                    $"{{\"index\":{{\"_id\":\"w{w}-{batch}-{i}\"}}}}\n{{\"writer\":{w},\"n\":{i}}}\n"))
                    + $"{{\"index\":{{\"_id\":\"shared\"}}}}\n{{\"writer\":{w}}}\n";
                var response = await _es.OkAsync("POST", "/busy/_bulk", lines, "application/x-ndjson");
                Assert.False(response["errors"]!.GetValue<bool>());
            }
        })).ToList();
        var readers = Task.Run(async () =>
        {
            while (!writers.All(w => w.IsCompleted))
            {
                var (status, _) = await _es.SendAsync("POST", "/busy/_search", """{"size":1,"aggs":{"w":{"terms":{"field":"writer"}}}}""");
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NotFound);   // 404 until the first bulk creates the index
                await _es.SendAsync("POST", "/busy/_refresh");
            }
        });
        await Task.WhenAll([.. writers, readers]);

        await _es.OkAsync("POST", "/busy/_refresh");
        Assert.Equal(4 * 10 * 50 + 1, (await _es.OkAsync("GET", "/busy/_count"))["count"]!.GetValue<long>());
        Assert.Equal(40, (await _es.OkAsync("GET", "/busy/_doc/shared"))["_version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Documents_survive_a_restart()
    {
        await _es.OkAsync("PUT", "/user_session_counts", """
            {"mappings":{"properties":{"userSessionCount":{"type":"integer"},"percentSessionswithBuy":{"type":"double"},"windowEndTime":{"type":"date"}}}}
            """);
        var bulk = string.Concat(Enumerable.Range(0, 500).Select(i =>
            $"{{\"index\":{{\"_id\":\"{i}\"}}}}\n{{\"userSessionCount\":{i},\"percentSessionswithBuy\":{i / 10.0},\"windowEndTime\":{1_700_000_000_000L + i * 10_000L}}}\n"));
        Assert.False((await _es.OkAsync("POST", "/user_session_counts/_bulk", bulk, "application/x-ndjson"))["errors"]!.GetValue<bool>());
        await _es.OkAsync("PUT", "/user_session_counts/_doc/7", """{"userSessionCount":70}""");   // unrefreshed, uncommitted

        await _es.RestartAsync();

        Assert.Equal(500, (await _es.OkAsync("GET", "/user_session_counts/_count"))["count"]!.GetValue<long>());
        var doc = await _es.OkAsync("GET", "/user_session_counts/_doc/7");
        Assert.Equal(70, doc["_source"]!["userSessionCount"]!.GetValue<int>());
        Assert.Equal(2, doc["_version"]!.GetValue<long>());
        var mapping = await _es.OkAsync("GET", "/user_session_counts/_mapping");
        Assert.Equal("double", mapping["user_session_counts"]!["mappings"]!["properties"]!["percentSessionswithBuy"]!["type"]!.GetValue<string>());
        var sum = await _es.OkAsync("POST", "/user_session_counts/_search", """{"size":0,"aggs":{"total":{"sum":{"field":"userSessionCount"}}}}""");
        Assert.Equal(Enumerable.Range(0, 500).Sum() - 7 + 70, sum["aggregations"]!["total"]!["value"]!.GetValue<double>());
        await _es.OkAsync("PUT", "/short-lived/_doc/1", """{"a":1}""");
        await _es.OkAsync("DELETE", "/short-lived");
        await _es.RestartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await _es.SendAsync("HEAD", "/short-lived")).Status);
        // Writes continue after the restart with the next sequence number.
        var next = await _es.OkAsync("PUT", "/user_session_counts/_doc/new", """{"userSessionCount":1}""");
        Assert.Equal(501, next["_seq_no"]!.GetValue<long>());
    }
}
