using System.Text.Json.Nodes;

namespace Beltline.Search;

/// <summary>A failure Elasticsearch reports with a typed error body and an HTTP status.</summary>
public sealed class SearchException(int status, string type, string reason, JsonObject? extra = null) : Exception(reason)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string Reason { get; } = reason;

    /// <summary>Fields ES adds to the cause (index, resource.id, …).</summary>
    public JsonObject? Extra { get; } = extra;

    public static SearchException IndexNotFound(string index) => new(404, "index_not_found_exception", $"no such index [{index}]",
        new JsonObject { ["resource.type"] = "index_or_alias", ["resource.id"] = index, ["index_uuid"] = "_na_", ["index"] = index });

    public static SearchException BadRequest(string reason) => new(400, "illegal_argument_exception", reason);

    public static SearchException Parsing(string reason) => new(400, "parsing_exception", reason);

    /// <summary>The cause object: type, reason and the extra fields.</summary>
    public JsonObject Cause()
    {
        var cause = new JsonObject { ["type"] = Type, ["reason"] = Reason };
        if (Extra is not null)
            foreach (var (key, value) in Extra)
                cause[key] = value?.DeepClone();
        return cause;
    }

    /// <summary>ES's error body: <c>{"error":{"root_cause":[cause],...cause},"status":n}</c>.</summary>
    public JsonObject ToBody()
    {
        var error = Cause();
        error.Insert(0, "root_cause", new JsonArray(Cause()));
        return new JsonObject { ["error"] = error, ["status"] = Status };
    }
}
