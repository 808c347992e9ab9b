using System.Text;
using System.Text.Json.Nodes;

namespace Beltline.Search.Tests;

public sealed class MappingTests
{
    private static IndexMapping MapOne(string json, IndexMapping? mapping = null)
    {
        mapping ??= new IndexMapping();
        new DocumentMapper().Map("1", Encoding.UTF8.GetBytes(json), mapping, 1, 0, out _);
        return mapping;
    }

    [Fact]
    public void Dynamic_mapping_gives_the_types_Elasticsearch_gives()
    {
        var mapping = MapOne("""{"name":"laptops","count":3,"ratio":0.5,"flag":true,"at":"2024-01-01T10:00:00Z","day":"2024/01/01","tags":["a","b"],"user":{"id":7},"nothing":null}""");

        var json = mapping.ToJson()["properties"]!;
        Assert.Equal("""{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}}""", json["name"]!.ToJsonString());
        Assert.Equal("long", json["count"]!["type"]!.GetValue<string>());
        Assert.Equal("double", json["ratio"]!["type"]!.GetValue<string>());
        Assert.Equal("boolean", json["flag"]!["type"]!.GetValue<string>());
        Assert.Equal("date", json["at"]!["type"]!.GetValue<string>());
        Assert.Equal("date", json["day"]!["type"]!.GetValue<string>());
        Assert.Equal("text", json["tags"]!["type"]!.GetValue<string>());
        Assert.Equal("long", json["user"]!["properties"]!["id"]!["type"]!.GetValue<string>());
        Assert.Null(json["nothing"]);
        Assert.Equal(FieldKind.Keyword, mapping.Resolve("name.keyword")!.Kind);
        Assert.Equal(FieldKind.Integer, mapping.Resolve("user.id")!.Kind);
    }

    [Fact]
    public void Date_detection_off_maps_dates_as_text()
    {
        var mapping = IndexMapping.FromJson(JsonNode.Parse("""{"date_detection":false}""")!.AsObject());
        MapOne("""{"at":"2024-01-01"}""", mapping);
        Assert.Equal("text", mapping.Resolve("at")!.Type);
    }

    [Fact]
    public void Workshop_mapping_is_read_and_shown_back_as_given()
    {
        const string mappings = """{"properties":{"deptList":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},"userId":{"type":"long"},"eventCount":{"type":"integer"},"percentSessionswithBuy":{"type":"double"},"windowBeginTime":{"type":"date"}}}""";
        var mapping = IndexMapping.FromJson(JsonNode.Parse(mappings)!.AsObject());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(mappings), mapping.ToJson()));
    }

    [Fact]
    public void ES6_mappings_with_a_type_name_are_accepted()
    {
        var mapping = IndexMapping.FromJson(JsonNode.Parse("""{"_doc":{"properties":{"userId":{"type":"long"}}}}""")!.AsObject());
        Assert.Equal("long", mapping.Resolve("userId")!.Type);
    }

    [Fact]
    public void A_type_change_is_refused()
    {
        var mapping = IndexMapping.FromJson(JsonNode.Parse("""{"properties":{"count":{"type":"long"}}}""")!.AsObject());
        var error = Assert.Throws<SearchException>(() => mapping.Update(JsonNode.Parse("""{"properties":{"count":{"type":"text"}}}""")!.AsObject()));
        Assert.Equal("illegal_argument_exception", error.Type);
        Assert.Equal("mapper [count] cannot be changed from type [long] to [text]", error.Reason);
    }

    [Fact]
    public void A_rejected_document_adds_nothing_to_the_mapping()
    {
        var mapping = IndexMapping.FromJson(JsonNode.Parse("""{"properties":{"n":{"type":"integer"}}}""")!.AsObject());
        Assert.Throws<SearchException>(() => MapOne("""{"a":1,"obj":{"b":"x"},"n":"not a number"}""", mapping));
        Assert.Equal("""{"properties":{"n":{"type":"integer"}}}""", mapping.ToJson().ToJsonString());

        new DocumentMapper().Map("2", System.Text.Encoding.UTF8.GetBytes("""{"obj":{"b":"x","c":[1,2]},"n":3}"""), mapping, 1, 0, out var changed);
        Assert.True(changed);
        Assert.Equal("long", mapping.Resolve("obj.c")!.Type);
        Assert.Equal("keyword", mapping.Resolve("obj.b.keyword")!.Type);
    }

    [Fact]
    public void Unknown_types_are_refused()
    {
        var error = Assert.Throws<SearchException>(() => IndexMapping.FromJson(JsonNode.Parse("""{"properties":{"x":{"type":"banana"}}}""")!.AsObject()));
        Assert.Equal("mapper_parsing_exception", error.Type);
    }

    [Fact]
    public void Strict_mapping_refuses_new_fields()
    {
        var mapping = IndexMapping.FromJson(JsonNode.Parse("""{"dynamic":"strict","properties":{"a":{"type":"long"}}}""")!.AsObject());
        var error = Assert.Throws<SearchException>(() => MapOne("""{"a":1,"b":2}""", mapping));
        Assert.Equal("strict_dynamic_mapping_exception", error.Type);
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void Dynamic_false_keeps_new_fields_out_of_the_mapping()
    {
        var mapping = IndexMapping.FromJson(JsonNode.Parse("""{"dynamic":false,"properties":{"a":{"type":"long"}}}""")!.AsObject());
        MapOne("""{"a":1,"b":"kept in _source only"}""", mapping);
        Assert.Null(mapping.Resolve("b"));
        Assert.Equal("false", mapping.ToJson()["dynamic"]!.GetValue<string>());
    }

    [Fact]
    public void A_value_that_does_not_fit_its_type_is_a_mapper_parsing_exception()
    {
        var mapping = IndexMapping.FromJson(JsonNode.Parse("""{"properties":{"n":{"type":"integer"}}}""")!.AsObject());
        var error = Assert.Throws<SearchException>(() => MapOne("""{"n":"abc"}""", mapping));
        Assert.Equal("mapper_parsing_exception", error.Type);
        Assert.Contains("failed to parse field [n] of type [integer]", error.Reason);
        MapOne("""{"n":"42"}""", mapping);   // numeric strings are coerced, as in ES
    }
}
