using System.Net;
using System.Text.Json.Nodes;

namespace Beltline.Search.IntegrationTests;

/// <summary>Root, index, mapping, template, cat and cluster APIs, requests as in ES's reference.</summary>
public sealed class IndexApiTests : IAsyncLifetime
{
    private readonly SearchServerFixture _es = new();

    public Task InitializeAsync() => _es.InitializeAsync();
    public Task DisposeAsync() => _es.DisposeAsync();

    private const string DepartmentsMapping = """
        {
          "mappings": {
            "properties": {
              "departmentName": { "type": "text", "fields": { "keyword": { "type": "keyword", "ignore_above": 256 } } },
              "departmentCount": { "type": "integer" },
              "windowBeginTime": { "type": "date" },
              "windowEndTime": { "type": "date" }
            }
          }
        }
        """;

    [Fact]
    public async Task Root_answers_name_version_tagline_and_the_product_header()
    {
        using var response = await _es.Client.GetAsync("/");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Elasticsearch", response.Headers.GetValues("X-elastic-product").Single());
        Assert.Equal("You Know, for Search", json["tagline"]!.GetValue<string>());
        Assert.Equal("7.10.2", json["version"]!["number"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(json["name"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(json["cluster_uuid"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Create_head_get_and_delete_an_index()
    {
        var created = await _es.OkAsync("PUT", "/departments_count", DepartmentsMapping);
        Assert.Equal("""{"acknowledged":true,"shards_acknowledged":true,"index":"departments_count"}""", created.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, (await _es.SendAsync("HEAD", "/departments_count")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _es.SendAsync("HEAD", "/nope")).Status);

        var index = await _es.OkAsync("GET", "/departments_count");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(DepartmentsMapping)!["mappings"], index["departments_count"]!["mappings"]));
        Assert.Equal("1", index["departments_count"]!["settings"]!["index"]!["number_of_shards"]!.GetValue<string>());

        var again = await _es.SendAsync("PUT", "/departments_count", DepartmentsMapping);
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
        Assert.Equal("resource_already_exists_exception", again.Body!["error"]!["root_cause"]![0]!["type"]!.GetValue<string>());

        Assert.Equal("""{"acknowledged":true}""", (await _es.OkAsync("DELETE", "/departments_count")).ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await _es.SendAsync("HEAD", "/departments_count")).Status);
    }

    [Fact]
    public async Task Missing_index_gets_ES_error_body()
    {
        var (status, body) = await _es.SendAsync("GET", "/missing/_search");
        Assert.Equal(HttpStatusCode.NotFound, status);
        var expected = """
            {"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [missing]","resource.type":"index_or_alias","resource.id":"missing","index_uuid":"_na_","index":"missing"}],
            "type":"index_not_found_exception","reason":"no such index [missing]","resource.type":"index_or_alias","resource.id":"missing","index_uuid":"_na_","index":"missing"},"status":404}
            """;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), body), body!.ToJsonString());
    }

    [Fact]
    public async Task Invalid_index_name_is_refused()
    {
        var (status, body) = await _es.SendAsync("PUT", "/Upper");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_index_name_exception", body!["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_and_get_mapping_and_refuse_a_type_change()
    {
        await _es.OkAsync("PUT", "/publications");
        // ES docs, put mapping: "Add new fields to an existing data stream or index".
        await _es.OkAsync("PUT", "/publications/_mapping", """{ "properties": { "title": { "type": "text" } } }""");
        await _es.OkAsync("PUT", "/publications/_mapping", """{ "properties": { "year": { "type": "integer" } } }""");
        var mapping = await _es.OkAsync("GET", "/publications/_mapping");
        Assert.Equal("""{"publications":{"mappings":{"properties":{"title":{"type":"text"},"year":{"type":"integer"}}}}}""", mapping.ToJsonString());

        var (status, body) = await _es.SendAsync("PUT", "/publications/_mapping", """{ "properties": { "year": { "type": "keyword" } } }""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("mapper [year] cannot be changed from type [integer] to [keyword]", body!["error"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dynamic_mapping_from_a_first_document()
    {
        await _es.OkAsync("PUT", "/data/_doc/1", """{ "count": 5, "ratio": 0.25, "name": "x", "at": "2015-01-01", "ok": true, "tags": ["a"] }""");
        var properties = (await _es.OkAsync("GET", "/data/_mapping"))["data"]!["mappings"]!["properties"]!;
        Assert.Equal("long", properties["count"]!["type"]!.GetValue<string>());
        Assert.Equal("double", properties["ratio"]!["type"]!.GetValue<string>());
        Assert.Equal("keyword", properties["name"]!["fields"]!["keyword"]!["type"]!.GetValue<string>());
        Assert.Equal("date", properties["at"]!["type"]!.GetValue<string>());
        Assert.Equal("boolean", properties["ok"]!["type"]!.GetValue<string>());
        Assert.Equal("text", properties["tags"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Index_template_applies_to_new_indices_by_pattern()
    {
        // ES docs, index templates: PUT _index_template/template_1.
        await _es.OkAsync("PUT", "/_index_template/template_1", """
            {
              "index_patterns": ["te*", "bar*"],
              "template": {
                "settings": { "number_of_shards": 1 },
                "mappings": {
                  "_source": { "enabled": true },
                  "properties": {
                    "host_name": { "type": "keyword" },
                    "created_at": { "type": "date", "format": "EEE MMM dd HH:mm:ss Z yyyy" }
                  }
                }
              },
              "priority": 200
            }
            """);
        var got = await _es.OkAsync("GET", "/_index_template/template_1");
        Assert.Equal("template_1", got["index_templates"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(200, got["index_templates"]![0]!["index_template"]!["priority"]!.GetValue<int>());

        await _es.OkAsync("POST", "/test-1/_doc", """{ "host_name": "a b" }""");
        var mapping = await _es.OkAsync("GET", "/test-1/_mapping");
        Assert.Equal("keyword", mapping["test-1"]!["mappings"]!["properties"]!["host_name"]!["type"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NotFound, (await _es.SendAsync("GET", "/_index_template/nope")).Status);
        await _es.OkAsync("DELETE", "/_index_template/template_1");
        Assert.Equal(HttpStatusCode.NotFound, (await _es.SendAsync("GET", "/_index_template/template_1")).Status);
    }

    [Fact]
    public async Task Legacy_template_applies_by_order()
    {
        // ES 6/7 docs, legacy templates: PUT _template/template_1 with index_patterns, settings, mappings, order.
        await _es.OkAsync("PUT", "/_template/template_1", """
            { "index_patterns": ["sessions-*"], "order": 1, "settings": { "number_of_replicas": 0 },
              "mappings": { "properties": { "userId": { "type": "long" }, "deptList": { "type": "keyword" } } } }
            """);
        var got = await _es.OkAsync("GET", "/_template/template_1");
        Assert.Equal(["sessions-*"], got["template_1"]!["index_patterns"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await _es.SendAsync("GET", "/_index_template/template_1")).Status);   // kept apart from composable ones

        await _es.OkAsync("POST", "/sessions-1/_doc", """{ "userId": "42", "deptList": ["laptops"] }""");
        var settings = await _es.OkAsync("GET", "/sessions-1/_settings");
        Assert.Equal("0", settings["sessions-1"]!["settings"]!["index"]!["number_of_replicas"]!.GetValue<string>());
        var properties = (await _es.OkAsync("GET", "/sessions-1/_mapping"))["sessions-1"]!["mappings"]!["properties"]!;
        Assert.Equal("keyword", properties["deptList"]!["type"]!.GetValue<string>());
        await _es.OkAsync("DELETE", "/_template/template_1");
        Assert.Equal(HttpStatusCode.NotFound, (await _es.SendAsync("GET", "/_template/template_1")).Status);
    }

    [Fact]
    public async Task Wildcards_and_comma_lists_on_get_and_delete()
    {
        foreach (var name in new[] { "logs-a", "logs-b", "keep" })
            await _es.OkAsync("PUT", "/" + name);
        var got = await _es.OkAsync("GET", "/logs-*,keep");
        Assert.Equal(["keep", "logs-a", "logs-b"], got.AsObject().Select(p => p.Key).Order());
        await _es.OkAsync("DELETE", "/logs-*");
        Assert.Equal(["keep"], (await _es.OkAsync("GET", "/_all")).AsObject().Select(p => p.Key));
        Assert.Equal(HttpStatusCode.NotFound, (await _es.SendAsync("HEAD", "/logs-*")).Status);
    }

    [Fact]
    public async Task Cat_indices_columns_and_byte_units()
    {
        await _es.OkAsync("PUT", "/sized/_doc/1?refresh=true", """{"a":1}""");
        using var response = await _es.Client.GetAsync("_cat/indices?h=index,docs.count,store.size&bytes=b");
        var cells = (await response.Content.ReadAsStringAsync()).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("sized", cells[0]);
        Assert.Equal("1", cells[1]);
        Assert.True(long.Parse(cells[2].Trim()) > 0);   // a plain number of bytes
    }

    [Fact]
    public async Task Cat_indices_as_text_and_json()
    {
        await _es.OkAsync("PUT", "/cat-a/_doc/1?refresh=true", """{"a":1}""");
        await _es.OkAsync("PUT", "/cat-b", """{"settings":{"number_of_replicas":0}}""");

        using var text = await _es.Client.GetAsync("_cat/indices?v");
        var lines = (await text.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("text/plain", text.Content.Headers.ContentType!.ToString());
        Assert.Equal(["health", "status", "index", "uuid", "pri", "rep", "docs.count", "docs.deleted", "store.size", "pri.store.size"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["yellow", "open", "cat-a"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);
        Assert.Equal(["1", "1", "1", "0"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[4..8]);
        Assert.Equal(["green", "open", "cat-b"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);

        var json = (await _es.OkAsync("GET", "/_cat/indices/cat-*?format=json")).AsArray();
        Assert.Equal(2, json.Count);
        Assert.Equal("cat-a", json[0]!["index"]!.GetValue<string>());
        Assert.Equal("1", json[0]!["docs.count"]!.GetValue<string>());
        Assert.Equal("green", json[1]!["health"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cluster_health()
    {
        var health = await _es.OkAsync("GET", "/_cluster/health");
        Assert.Equal("green", health["status"]!.GetValue<string>());   // no index yet: nothing unassigned
        Assert.Equal(1, health["number_of_nodes"]!.GetValue<int>());
        await _es.OkAsync("PUT", "/h");
        health = await _es.OkAsync("GET", "/_cluster/health?wait_for_status=yellow");
        Assert.Equal("yellow", health["status"]!.GetValue<string>());   // one node: the replica stays unassigned, as in ES
        Assert.False(health["timed_out"]!.GetValue<bool>());
        Assert.Equal(1, health["unassigned_shards"]!.GetValue<int>());
    }

    [Fact]
    public async Task Unknown_routes_are_answered_as_ES_does()
    {
        var (status, body) = await _es.SendAsync("GET", "/_nothing_here/at/all");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("no handler found for uri", body!["error"]!.GetValue<string>());
    }
}
