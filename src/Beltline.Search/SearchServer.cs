using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Search;

/// <summary>
/// The Elasticsearch-compatible REST endpoint over a <see cref="SearchStore"/>, hosted on Kestrel. Routing is a
/// small switch over method and path segments (ES paths mix names and <c>_api</c> words in ways route templates
/// express poorly); each handler is in <see cref="SearchApi"/>.
/// </summary>
public sealed class SearchServer : IAsyncDisposable
{
    private readonly WebApplication _host;
    private readonly string? _temporaryDataDir;
    private readonly ILogger _logger;

    public SearchStore Store { get; }
    public int Port { get; }
    public Uri BaseAddress { get; }

    private SearchServer(WebApplication host, SearchStore store, int port, string hostName, string? temporaryDataDir, ILogger logger)
    {
        _host = host;
        Store = store;
        Port = port;
        BaseAddress = new Uri($"http://{hostName}:{port}/");
        _temporaryDataDir = temporaryDataDir;
        _logger = logger;
    }

    /// <summary>Opens the store and starts serving; port 0 picks a free port (see <see cref="Port"/>).</summary>
    public static async Task<SearchServer> StartAsync(SearchServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SearchServerOptions { Port = 0 };
        if (!IPAddress.TryParse(options.Host, out var address))
            throw new ArgumentException($"Host must be an IP address to bind, got '{options.Host}'.");
        if (options.User is not null && string.IsNullOrEmpty(options.Password))
            throw new ArgumentException("A user needs a password.");
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("Beltline.Search");
        var temporary = options.DataDir is null ? Path.Combine(Path.GetTempPath(), "beltline-search-" + Guid.NewGuid().ToString("N")) : null;
        var store = SearchStore.Open(options.DataDir ?? temporary!, options.RefreshInterval, options.CommitInterval, logger);
        try
        {
            ListenOptions? bound = null;
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            {
                kestrel.Limits.MaxRequestBodySize = 100 * 1024 * 1024;   // ES's http.max_content_length
                kestrel.Listen(address, options.Port, listen => bound = listen);
            });
            var host = builder.Build();
            var api = new SearchApi(store, options, logger);
            host.Run(api.HandleAsync);
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException($"Cannot serve search on {address}:{options.Port}: {e.Message}", e);
            }
            var port = bound!.IPEndPoint!.Port;
            logger.LogInformation("Search store on http://{Host}:{Port}/, data in {DataDir}", options.Host, port, Path.GetFullPath(store.DataDir));
            return new SearchServer(host, store, port, options.Host, temporary, logger);
        }
        catch
        {
            await store.DisposeAsync();
            if (temporary is not null)
                Directory.Delete(temporary, recursive: true);
            throw;
        }
    }

    /// <summary>Stops serving (in-flight requests finish), then commits and closes every index.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        await _host.DisposeAsync();
        await Store.DisposeAsync();
        _logger.LogInformation("Search store stopped");
        if (_temporaryDataDir is not null)
            Directory.Delete(_temporaryDataDir, recursive: true);
    }
}

/// <summary>A response: JSON (as a tree, or already UTF-8), or text for the <c>_cat</c> APIs, or nothing (HEAD).</summary>
internal sealed record Reply(int Status, JsonNode? Json = null, string? Text = null, byte[]? Utf8Json = null)
{
    public static Reply Ok(JsonNode json) => new(200, json);
    public static readonly Reply Acknowledged = new(200, new JsonObject { ["acknowledged"] = true });
}

/// <summary>The REST handlers. Each is headed by the Elasticsearch API it implements.</summary>
internal sealed class SearchApi(SearchStore store, SearchServerOptions options, ILogger logger)
{
    private const string EsVersion = "7.10.2";

    /// <summary>A found document as GET /{index}/_doc/{id} and _mget answer it; <paramref name="source"/> null leaves _source out.</summary>
    private static JsonObject FoundDocument(string index, string id, StoredDocument document, JsonObject? source)
    {
        var json = new JsonObject
        {
            ["_index"] = index,
            ["_type"] = "_doc",
            ["_id"] = id,
            ["_version"] = document.Version,
            ["_seq_no"] = document.SeqNo,
            ["_primary_term"] = 1,
            ["found"] = true,
        };
        if (source is not null)
            json["_source"] = source;
        return json;
    }
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };
    private readonly byte[]? _expectedCredentials = options.User is null ? null : Encoding.UTF8.GetBytes($"{options.User}:{options.Password}");
    private readonly string _clusterUuid = ClusterUuid(store.DataDir);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        Reply reply;
        try
        {
            reply = Authenticate(request) ?? await RouteAsync(context);
        }
        catch (SearchException e)
        {
            reply = new Reply(e.Status, e.ToBody());
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            reply = new Reply(400, new SearchException(400, e is JsonException ? "parsing_exception" : "illegal_argument_exception", e.Message).ToBody());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "{Method} {Path} failed", request.Method, request.Path);
            reply = new Reply(500, new SearchException(500, "exception", e.Message).ToBody());
        }
        await WriteAsync(context, reply);
    }

    private async Task WriteAsync(HttpContext context, Reply reply)
    {
        var response = context.Response;
        response.StatusCode = reply.Status;
        response.Headers["X-elastic-product"] = "Elasticsearch";
        if (HttpMethods.IsHead(context.Request.Method))
            return;
        if (reply.Text is not null)
        {
            response.ContentType = "text/plain; charset=UTF-8";
            await response.WriteAsync(reply.Text, context.RequestAborted);
            return;
        }
        var pretty = context.Request.Query.ContainsKey("pretty") && context.Request.Query["pretty"] != "false";
        if (reply.Utf8Json is { } utf8 && !pretty)
        {
            response.ContentType = "application/json; charset=UTF-8";
            response.ContentLength = utf8.Length;
            await response.Body.WriteAsync(utf8, context.RequestAborted);
            return;
        }
        var json = reply.Json ?? (reply.Utf8Json is { } bytes ? JsonNode.Parse(bytes) : null);
        if (json is null)
            return;
        response.ContentType = "application/json; charset=UTF-8";
        await JsonSerializer.SerializeAsync(response.Body, json, pretty ? Pretty : JsonSerializerOptions.Default, context.RequestAborted);
    }

    // Security: HTTP basic authentication with the master user
    // (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/http-clients.html).
    private Reply? Authenticate(HttpRequest request)
    {
        if (_expectedCredentials is null)
            return null;
        var header = request.Headers.Authorization.ToString();
        var path = request.Path.Value ?? "/";
        string reason;
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            reason = $"missing authentication credentials for REST request [{path}]";
        else
        {
            byte[] given;
            try
            {
                given = Convert.FromBase64String(header[6..].Trim());
            }
            catch (FormatException)
            {
                given = [];
            }
            if (CryptographicOperations.FixedTimeEquals(given, _expectedCredentials))
                return null;
            var user = Encoding.UTF8.GetString(given).Split(':', 2)[0];
            reason = $"unable to authenticate user [{user}] for REST request [{path}]";
        }
        const string challenge = "Basic realm=\"security\" charset=\"UTF-8\"";
        var error = new SearchException(401, "security_exception", reason,
            new JsonObject { ["header"] = new JsonObject { ["WWW-Authenticate"] = challenge } });
        request.HttpContext.Response.Headers.WWWAuthenticate = challenge;
        return new Reply(401, error.ToBody());
    }

    private async Task<Reply> RouteAsync(HttpContext context)
    {
        var request = context.Request;
        var method = request.Method.ToUpperInvariant();
        var segments = (request.Path.Value ?? "/").Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        return (method, segments) switch
        {
            ("GET" or "HEAD", []) => Root(),
            ("POST" or "PUT", ["_bulk"]) => await BulkAsync(context, null),
            ("POST" or "PUT", [var index, "_bulk"]) => await BulkAsync(context, index),
            ("GET" or "POST", ["_search"]) => Search(context, null, await BodyAsync(request)),
            ("GET" or "POST", [var index, "_search"]) => Search(context, index, await BodyAsync(request)),
            ("GET" or "POST", ["_msearch"]) => MultiSearch(context, null, await BodyBytesAsync(request)),
            ("GET" or "POST", [var index, "_msearch"]) => MultiSearch(context, index, await BodyBytesAsync(request)),
            ("GET" or "POST", ["_mget"]) => MultiGet(null, await RequiredBodyAsync(request)),
            ("GET" or "POST", [var index, "_mget"]) => MultiGet(index, await RequiredBodyAsync(request)),
            ("GET" or "POST", ["_count"]) => Count(context, null, await BodyAsync(request)),
            ("GET" or "POST", [var index, "_count"]) => Count(context, index, await BodyAsync(request)),
            ("GET" or "POST", ["_refresh"]) => Refresh(context, null, commit: false),
            ("GET" or "POST", [var index, "_refresh"]) => Refresh(context, index, commit: false),
            ("GET" or "POST", ["_flush"]) => Refresh(context, null, commit: true),
            ("GET" or "POST", [var index, "_flush"]) => Refresh(context, index, commit: true),
            ("GET", ["_cat", "indices"]) => CatIndices(context, null),
            ("GET", ["_cat", "indices", var index]) => CatIndices(context, index),
            ("GET", ["_cluster", "health"]) => ClusterHealth(context, null),
            ("GET", ["_cluster", "health", var index]) => ClusterHealth(context, index),
            ("GET", ["_index_template"]) => GetIndexTemplates(null),
            ("GET" or "HEAD", ["_index_template", var name]) => GetIndexTemplates(name),
            ("PUT" or "POST", ["_index_template", var name]) => PutIndexTemplate(name, await RequiredBodyAsync(request)),
            ("DELETE", ["_index_template", var name]) => DeleteTemplate(name, legacy: false),
            ("GET", ["_template"]) => GetLegacyTemplates(null),
            ("GET" or "HEAD", ["_template", var name]) => GetLegacyTemplates(name),
            ("PUT" or "POST", ["_template", var name]) => PutLegacyTemplate(name, await RequiredBodyAsync(request)),
            ("DELETE", ["_template", var name]) => DeleteTemplate(name, legacy: true),
            ("GET", ["_mapping"]) => GetMapping(null),
            ("GET", [var index, "_mapping"]) => GetMapping(index),
            ("PUT" or "POST", [var index, "_mapping"]) => PutMapping(index, await RequiredBodyAsync(request)),
            ("GET", [var index, "_settings"]) => GetSettings(index),
            ("PUT", [var index, "_doc", var id]) => IndexDocument(context, index, id, await BodyBytesAsync(request), create: request.Query["op_type"] == "create"),
            ("POST", [var index, "_doc", var id]) => IndexDocument(context, index, id, await BodyBytesAsync(request), create: request.Query["op_type"] == "create"),
            ("POST", [var index, "_doc"]) => IndexDocument(context, index, null, await BodyBytesAsync(request), create: false),
            ("PUT" or "POST", [var index, "_create", var id]) => IndexDocument(context, index, id, await BodyBytesAsync(request), create: true),
            ("GET" or "HEAD", [var index, "_doc", var id]) => GetDocument(context, index, id, sourceOnly: false),
            ("GET" or "HEAD", [var index, "_source", var id]) => GetDocument(context, index, id, sourceOnly: true),
            ("DELETE", [var index, "_doc", var id]) => DeleteDocument(context, index, id),
            ("POST", [var index, "_delete_by_query"]) => DeleteByQuery(context, index, await RequiredBodyAsync(request)),
            ("POST", [var index, "_update", var id]) => UpdateDocument(context, index, id, await RequiredBodyAsync(request)),
            ("PUT", [var index]) when !index.StartsWith('_') => CreateIndex(index, await BodyAsync(request)),
            ("GET", [var index]) when !index.StartsWith('_') || index == "_all" => GetIndex(index),
            ("HEAD", [var index]) when !index.StartsWith('_') => IndexExists(index),
            ("DELETE", [var index]) when !index.StartsWith('_') => DeleteIndex(index),
            _ => new Reply(400, new JsonObject { ["error"] = $"no handler found for uri [{request.Path}{request.QueryString}] and method [{method}]", ["status"] = 400 }),
        };
    }

    // ES API: Index exists — HEAD /<index> (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-exists.html)
    private Reply IndexExists(string expression)
    {
        try
        {
            return new Reply(store.Resolve(expression).Count > 0 ? 200 : 404);   // a wildcard matching nothing is 404 too
        }
        catch (SearchException)
        {
            return new Reply(404);
        }
    }

    /// <summary>
    /// The request body, inflated when the client compressed it: Elasticsearch accepts gzip and deflate bodies, and
    /// the official 8.x/9.x clients send gzip by default.
    /// </summary>
    private static async Task<byte[]> BodyBytesAsync(HttpRequest request)
    {
        using var body = await ReadBodyAsync(request);
        return body.Memory.ToArray();
    }

    /// <summary>
    /// The body in a pooled buffer, returned when disposed: bulk bodies are hundreds of kilobytes, and a fresh array
    /// each (large-object heap) made the collector run full collections under load.
    /// </summary>
    private static async Task<PooledBody> ReadBodyAsync(HttpRequest request)
    {
        var encoding = request.Headers.ContentEncoding.ToString();
        var body = encoding.ToLowerInvariant() switch
        {
            "" or "identity" => request.Body,
            "gzip" => new System.IO.Compression.GZipStream(request.Body, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new System.IO.Compression.ZLibStream(request.Body, System.IO.Compression.CompressionMode.Decompress, leaveOpen: true),
            _ => throw SearchException.BadRequest($"Content-Encoding [{encoding}] is not supported; use gzip, deflate or none"),
        };
        var pooled = new PooledBody(request.ContentLength is > 0 and < 64 * 1024 * 1024 && ReferenceEquals(body, request.Body)
            ? (int)request.ContentLength.Value + 1 : 64 * 1024);
        try
        {
            while (await body.ReadAsync(pooled.FreeSpace(), request.HttpContext.RequestAborted) is var read and > 0)
                pooled.Advance(read);
            return pooled;
        }
        catch (InvalidDataException e)
        {
            pooled.Dispose();
            throw SearchException.BadRequest($"The {encoding} request body cannot be decompressed: {e.Message}");
        }
        catch
        {
            pooled.Dispose();
            throw;
        }
        finally
        {
            if (!ReferenceEquals(body, request.Body))
                await body.DisposeAsync();
        }
    }

    /// <summary>A growing buffer rented from the shared pool.</summary>
    private sealed class PooledBody(int initialSize) : IDisposable
    {
        private byte[]? _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(initialSize);
        private int _length;

        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

        public Memory<byte> FreeSpace()
        {
            if (_length == _buffer!.Length)
            {
                var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, _length).CopyTo(larger);
                System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
            return _buffer.AsMemory(_length);
        }

        public void Advance(int count) => _length += count;

        public void Dispose()
        {
            if (_buffer is not null)
                System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private static async Task<JsonObject?> BodyAsync(HttpRequest request)
    {
        var bytes = await BodyBytesAsync(request);
        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            return null;
        return JsonNode.Parse(bytes) as JsonObject ?? throw SearchException.Parsing("request body must be a JSON object");
    }

    private static async Task<JsonObject> RequiredBodyAsync(HttpRequest request) =>
        await BodyAsync(request) ?? throw new SearchException(400, "parse_exception", "request body is required");

    private static Query QueryOf(HttpContext context) => new(context.Request.Query);

    /// <summary>URL parameters, read the way ES reads them (a bare <c>?refresh</c> is true).</summary>
    private readonly record struct Query(IQueryCollection Values)
    {
        public string? this[string name] => Values.TryGetValue(name, out var value) ? value.ToString() : null;
        public bool Flag(string name) => Values.TryGetValue(name, out var value) && value.ToString() is "" or "true";
        public bool Refresh => Values.TryGetValue("refresh", out var value) && value.ToString() is "" or "true" or "wait_for";
        /// <summary><c>refresh=true</c> forces a refresh and says so; <c>wait_for</c> only waits for one.</summary>
        public bool ForcedRefresh => Values.TryGetValue("refresh", out var value) && value.ToString() is "" or "true";

        /// <summary><c>if_seq_no</c> with <c>if_primary_term</c>; this node's primary term is always 1.</summary>
        public long? IfSeqNo(string id)
        {
            if (this["if_seq_no"] is not { } seqNo)
                return null;
            if (this["if_primary_term"] is { } term && term != "1")
                throw new SearchException(409, "version_conflict_engine_exception",
                    $"[{id}]: version conflict, required seqNo [{seqNo}], primary term [{term}]. current document has primary term [1]");
            return long.Parse(seqNo, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private static JsonObject Shards(int total = 2, int successful = 1) =>
        new() { ["total"] = total, ["successful"] = successful, ["failed"] = 0 };

    // ES API: Root / info — GET / (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/rest-api-root.html)
    private Reply Root() => Reply.Ok(new JsonObject
    {
        ["name"] = options.NodeName,
        ["cluster_name"] = options.ClusterName,
        ["cluster_uuid"] = _clusterUuid,
        ["version"] = new JsonObject
        {
            ["number"] = EsVersion,
            ["build_flavor"] = "default",
            ["build_type"] = "tar",
            ["build_hash"] = "747e1cc71def077253878a59143c1f785afa92b9",
            ["build_date"] = "2021-01-13T00:42:12.435326Z",
            ["build_snapshot"] = false,
            ["lucene_version"] = "8.7.0",
            ["minimum_wire_compatibility_version"] = "6.8.0",
            ["minimum_index_compatibility_version"] = "6.0.0-beta1",
        },
        ["tagline"] = "You Know, for Search",
    });

    private static string ClusterUuid(string dataDir)
    {
        // Stable across restarts, as a real cluster's is.
        var file = Path.Combine(dataDir, "cluster_uuid");
        if (File.Exists(file))
            return File.ReadAllText(file).Trim();
        var uuid = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).Replace('+', '-').Replace('/', '_').TrimEnd('=')[..22];
        File.WriteAllText(file, uuid);
        return uuid;
    }

    // ES API: Create index — PUT /<index> (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-create-index.html)
    private Reply CreateIndex(string name, JsonObject? body)
    {
        store.Create(name, body);
        return Reply.Ok(new JsonObject { ["acknowledged"] = true, ["shards_acknowledged"] = true, ["index"] = name });
    }

    // ES API: Get index — GET /<index> (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-get-index.html)
    private Reply GetIndex(string expression)
    {
        var result = new JsonObject();
        foreach (var index in store.Resolve(expression))
            result[index.Name] = new JsonObject
            {
                ["aliases"] = new JsonObject(),
                ["mappings"] = index.Mapping.ToJson(),
                ["settings"] = SettingsJson(index),
            };
        return Reply.Ok(result);
    }

    private static JsonObject SettingsJson(SearchIndex index)
    {
        var settings = index.Settings.DeepClone().AsObject();
        settings["creation_date"] = index.CreationDate.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["uuid"] = index.Uuid;
        settings["provided_name"] = index.Name;
        settings["version"] = new JsonObject { ["created"] = "7100299" };
        return new JsonObject { ["index"] = settings };
    }

    // ES API: Get index settings — GET /<index>/_settings (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-get-settings.html)
    private Reply GetSettings(string expression)
    {
        var result = new JsonObject();
        foreach (var index in store.Resolve(expression))
            result[index.Name] = new JsonObject { ["settings"] = SettingsJson(index) };
        return Reply.Ok(result);
    }

    // ES API: Delete index — DELETE /<index> (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-delete-index.html)
    private Reply DeleteIndex(string expression)
    {
        foreach (var index in store.Resolve(expression))
            store.Delete(index.Name);
        return Reply.Acknowledged;
    }

    // ES API: Get mapping — GET /<index>/_mapping (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-get-mapping.html)
    private Reply GetMapping(string? expression)
    {
        var result = new JsonObject();
        foreach (var index in store.Resolve(expression))
            result[index.Name] = new JsonObject { ["mappings"] = index.Mapping.ToJson() };
        return Reply.Ok(result);
    }

    // ES API: Put mapping — PUT /<index>/_mapping (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-put-mapping.html)
    private Reply PutMapping(string expression, JsonObject body)
    {
        var indices = store.Resolve(expression);
        // Check every index first, so a conflict changes none of them.
        foreach (var index in indices)
            IndexMapping.FromJson(index.Mapping.ToJson()).Update(body);
        foreach (var index in indices)
        {
            index.Mapping.Update(body);
            index.SaveMeta();
        }
        return Reply.Acknowledged;
    }

    // ES API: Index document — PUT /<index>/_doc/<_id>, POST /<index>/_doc, PUT /<index>/_create/<_id>
    // (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/docs-index_.html)
    private Reply IndexDocument(HttpContext context, string indexName, string? id, byte[] body, bool create)
    {
        if (body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            throw new SearchException(400, "action_request_validation_exception", "Validation Failed: 1: source is missing;");
        var query = QueryOf(context);
        SearchStore.ValidateName(indexName);
        var index = store.GetOrCreate(indexName);
        var result = index.Index(id, body, create, id is null ? null : query.IfSeqNo(id));
        index.Sync();
        if (query.Refresh)
            index.Refresh();
        return new Reply(result.Status, WriteJson(index, result, query.ForcedRefresh));
    }

    private static JsonObject WriteJson(SearchIndex index, WriteResult result, bool refreshed)
    {
        var json = new JsonObject
        {
            ["_index"] = index.Name,
            ["_type"] = "_doc",
            ["_id"] = result.Id,
            ["_version"] = result.Version,
            ["result"] = result.Result,
        };
        if (refreshed && result.Result != "noop")
            json["forced_refresh"] = true;
        json["_shards"] = result.Result == "noop" ? Shards(0, 0) : Shards();
        json["_seq_no"] = result.SeqNo;
        json["_primary_term"] = 1;
        return json;
    }

    // ES API: Get document — GET /<index>/_doc/<_id>, GET /<index>/_source/<_id>
    // (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/docs-get.html)
    private Reply GetDocument(HttpContext context, string indexName, string id, bool sourceOnly)
    {
        var index = store.Get(indexName);
        var document = index.Get(id);
        if (document is null)
            return sourceOnly
                ? new Reply(404, new SearchException(404, "resource_not_found_exception", $"Document not found [{indexName}]/[_doc]/[{id}]").ToBody())
                : new Reply(404, new JsonObject { ["_index"] = index.Name, ["_type"] = "_doc", ["_id"] = id, ["found"] = false });
        var query = QueryOf(context);
        var filter = SourceFilter.FromQuery(query["_source"], query["_source_includes"] ?? query["_source_include"], query["_source_excludes"] ?? query["_source_exclude"]);
        var source = filter.Enabled ? filter.Apply(JsonNode.Parse(document.Source)!.AsObject()) : null;
        if (sourceOnly)
            return Reply.Ok(source ?? new JsonObject());
        return Reply.Ok(FoundDocument(index.Name, id, document, source));
    }

    // ES API: Delete document — DELETE /<index>/_doc/<_id> (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/docs-delete.html)
    private Reply DeleteDocument(HttpContext context, string indexName, string id)
    {
        var index = store.Get(indexName);
        var query = QueryOf(context);
        var result = index.Delete(id, query.IfSeqNo(id));
        index.Sync();
        if (query.Refresh)
            index.Refresh();
        return new Reply(result.Status, WriteJson(index, result, query.ForcedRefresh));
    }

    // ES API: Update document — POST /<index>/_update/<_id> with "doc" (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/docs-update.html)
    private Reply UpdateDocument(HttpContext context, string indexName, string id, JsonObject body)
    {
        var query = QueryOf(context);
        var doc = body["doc"] as JsonObject;
        var upsert = body["upsert"] as JsonObject;
        if (doc is null)
            throw new SearchException(400, "action_request_validation_exception", body["script"] is not null
                ? "Validation Failed: 1: scripted updates are not supported;" : "Validation Failed: 1: script or doc is missing;");
        var docAsUpsert = body["doc_as_upsert"]?.GetValue<bool>() ?? false;
        var index = docAsUpsert || upsert is not null ? store.GetOrCreate(indexName) : store.Get(indexName);
        var result = index.Update(id, doc, docAsUpsert, upsert);
        index.Sync();
        if (query.Refresh)
            index.Refresh();
        return new Reply(result.Status, WriteJson(index, result, query.ForcedRefresh));
    }

    // ES API: Delete by query — POST /<index>/_delete_by_query (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/docs-delete-by-query.html)
    private Reply DeleteByQuery(HttpContext context, string expression, JsonObject body)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var query = QueryOf(context);
        var indices = store.Resolve(expression, query.Flag("ignore_unavailable"));
        long deleted = 0, total = 0;
        foreach (var index in indices)
        {
            // The matching ids of the last refresh, as ES's scroll over a point-in-time view; each deleted by id.
            var searcher = index.AcquireSearcher();
            List<string> ids;
            try
            {
                var matches = SearchExecutor.Match([(index, searcher)], body["query"], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), scores: false);
                ids = matches.SelectMany(m => m.Docs.Take(m.Count).Select(doc => m.Leaf.AtomicReader.Document(doc).Get(DocumentMapper.IdField))).ToList();
            }
            finally
            {
                index.ReleaseSearcher(searcher);
            }
            total += ids.Count;
            foreach (var id in ids)
                if (index.Delete(id).Result == "deleted")
                    deleted++;
            index.Sync();
            if (query.Refresh)
                index.Refresh();
        }
        return Reply.Ok(new JsonObject
        {
            ["took"] = started.ElapsedMilliseconds,
            ["timed_out"] = false,
            ["total"] = total,
            ["deleted"] = deleted,
            ["batches"] = total == 0 ? 0 : 1,
            ["version_conflicts"] = 0,
            ["noops"] = 0,
            ["retries"] = new JsonObject { ["bulk"] = 0, ["search"] = 0 },
            ["throttled_millis"] = 0,
            ["requests_per_second"] = -1.0,
            ["throttled_until_millis"] = 0,
            ["failures"] = new JsonArray(),
        });
    }

    // ES API: Bulk — POST /_bulk, POST /<index>/_bulk (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/docs-bulk.html)
    private async Task<Reply> BulkAsync(HttpContext context, string? defaultIndex)
    {
        using var body = await ReadBodyAsync(context.Request);
        return Bulk(context, defaultIndex, body.Memory);
    }

    private Reply Bulk(HttpContext context, string? defaultIndex, ReadOnlyMemory<byte> body)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var query = QueryOf(context);
        if (body.Length == 0)
            throw new SearchException(400, "action_request_validation_exception", "Validation Failed: 1: no requests added;");
        if (body.Span[^1] != (byte)'\n')
            throw SearchException.BadRequest("The bulk request must be terminated by a newline [\\n]");
        using var response = new BulkResponse();
        var touched = new HashSet<SearchIndex>();
        var rest = body;
        var lineNumber = 0;
        // The write lock of the index the current run of items goes to, held across the run.
        SearchIndex? batchIndex = null;
        System.Threading.Lock.Scope batch = default;
        try
        {
            while (!rest.IsEmpty)
            {
                var line = NextLine(ref rest, ref lineNumber);
                if (line.Span.Trim(" \t\r"u8).IsEmpty)
                    continue;
                var action = BulkAction.Parse(line.Span, lineNumber);
                var type = action.Type;
                var indexName = action.Index ?? defaultIndex;
                var id = action.Id;
                ReadOnlyMemory<byte> source = default;
                if (action.HasSource)
                {
                    if (rest.IsEmpty)
                        throw SearchException.BadRequest($"Validation Failed: 1: the {type} action on line [{lineNumber}] has no source line;");
                    source = NextLine(ref rest, ref lineNumber);
                }
                try
                {
                    if (indexName is null)
                        throw new SearchException(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;");
                    if (id is null && type is "delete" or "update")
                        throw new SearchException(400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
                    SearchStore.ValidateName(indexName);
                    if (batchIndex is not null && batchIndex.Name != indexName)
                    {
                        // Released before the store is asked for another index: deleting an index takes the store's
                        // lock, then the index's write lock, so the two must never be taken the other way round.
                        batch.Dispose();
                        batchIndex = null;
                    }
                    var index = type == "delete" ? store.Get(indexName) : store.GetOrCreate(indexName);
                    if (batchIndex is null)
                    {
                        batch = index.EnterWriteBatch();
                        batchIndex = index;
                    }
                    WriteResult result;
                    if (type == "update")
                    {
                        var update = JsonNode.Parse(source.Span) as JsonObject ?? throw SearchException.Parsing("update body must be an object");
                        if (update["doc"] is not JsonObject doc)
                            throw new SearchException(400, "action_request_validation_exception", "Validation Failed: 1: script or doc is missing;");
                        var docAsUpsert = update["doc_as_upsert"]?.GetValue<bool>() ?? false;
                        result = index.Update(id!, doc, docAsUpsert, update["upsert"] as JsonObject);
                    }
                    else if (type == "delete")
                        result = index.Delete(id!, action.IfSeqNo);
                    else
                        result = index.Index(id, source, create: type == "create", ifSeqNo: id is null ? null : action.IfSeqNo);
                    touched.Add(index);
                    response.Succeeded(type, index.Name, result);
                }
                catch (Exception e) when (e is SearchException or JsonException or InvalidOperationException or FormatException)
                {
                    var error = e as SearchException ?? new SearchException(400, e is JsonException ? "mapper_parsing_exception" : "illegal_argument_exception", e.Message);
                    response.Failed(type, indexName, id, error);
                }
            }
        }
        finally
        {
            if (batchIndex is not null)
                batch.Dispose();
        }
        // One fsync per index for the whole bulk request, before it is answered.
        foreach (var index in touched)
            index.Sync();
        if (query.Refresh)
            foreach (var index in touched)
                index.Refresh();
        return new Reply(200, Utf8Json: response.ToJson(started.ElapsedMilliseconds));
    }

    private static ReadOnlyMemory<byte> NextLine(ref ReadOnlyMemory<byte> rest, ref int lineNumber)
    {
        lineNumber++;
        var end = rest.Span.IndexOf((byte)'\n');
        ReadOnlyMemory<byte> line;
        if (end < 0)
        {
            line = rest;
            rest = ReadOnlyMemory<byte>.Empty;
        }
        else
        {
            line = rest[..end];
            rest = rest[(end + 1)..];
        }
        return line;
    }

    // ES API: Search — GET/POST /<index>/_search (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/search-search.html)
    private Reply Search(HttpContext context, string? expression, JsonObject? body)
    {
        var query = QueryOf(context);
        body ??= [];
        if (query["q"] is { } q)
            body["query"] = QueryStringParameter(q);
        foreach (var name in new[] { "from", "size" })
            if (query[name] is { } value)
                body[name] = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        if (query["sort"] is { } sort)
            body["sort"] = new JsonArray(sort.Split(',').Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
        if (query["track_total_hits"] is { } track)
            body["track_total_hits"] = bool.TryParse(track, out var exact) ? JsonValue.Create(exact) : JsonValue.Create(long.Parse(track, System.Globalization.CultureInfo.InvariantCulture));
        if (query["_source"] is not null || query["_source_includes"] is not null || query["_source_excludes"] is not null)
        {
            var filter = query["_source"] is "false" ? (JsonNode)false : new JsonObject
            {
                ["includes"] = new JsonArray((query["_source_includes"] ?? (query["_source"] is "true" ? null : query["_source"]) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
                ["excludes"] = new JsonArray((query["_source_excludes"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
            };
            body["_source"] = filter;
        }
        var indices = store.Resolve(expression, query.Flag("ignore_unavailable"));
        var response = SearchExecutor.Search(indices, body, typedKeys: query.Flag("typed_keys"));
        if (query.Flag("rest_total_hits_as_int") && response["hits"]?["total"] is JsonObject total)
            response["hits"]!["total"] = total["value"]!.GetValue<long>();
        return Reply.Ok(response);
    }

    // ES API: Multi search — GET/POST /_msearch, /<index>/_msearch (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/search-multi-search.html)
    private Reply MultiSearch(HttpContext context, string? defaultIndex, byte[] body)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var totalAsInt = QueryOf(context).Flag("rest_total_hits_as_int");
        var responses = new JsonArray();
        ReadOnlyMemory<byte> rest = body;
        var lineNumber = 0;
        while (!rest.IsEmpty)
        {
            var headerLine = NextLine(ref rest, ref lineNumber);
            if (headerLine.Span.Trim(" \t\r"u8).IsEmpty)
                continue;
            if (rest.IsEmpty)
                throw SearchException.BadRequest($"Validation Failed: 1: the search header on line [{lineNumber}] has no body line;");
            var header = JsonNode.Parse(headerLine.Span) as JsonObject ?? [];
            var bodyLine = NextLine(ref rest, ref lineNumber);
            try
            {
                var search = bodyLine.Span.Trim(" \t\r"u8).IsEmpty ? [] : JsonNode.Parse(bodyLine.Span) as JsonObject ?? throw SearchException.Parsing("search body must be an object");
                var expression = header["index"] switch
                {
                    JsonArray names => string.Join(',', names.Select(n => n!.ToString())),
                    { } name => name.ToString(),
                    null => defaultIndex,
                };
                var response = SearchExecutor.Search(store.Resolve(expression, header["ignore_unavailable"]?.GetValue<bool>() ?? false), search, typedKeys: QueryOf(context).Flag("typed_keys"));
                if (totalAsInt && response["hits"]?["total"] is JsonObject total)
                    response["hits"]!["total"] = total["value"]!.GetValue<long>();
                response["status"] = 200;
                responses.Add(response);
            }
            catch (Exception e) when (e is SearchException or JsonException or InvalidOperationException or FormatException)
            {
                // One failed search does not fail the others: it gets its own error and status, as in ES.
                var error = e as SearchException ?? new SearchException(400, e is JsonException ? "parsing_exception" : "illegal_argument_exception", e.Message);
                var failure = error.ToBody();
                responses.Add(failure);
            }
        }
        return Reply.Ok(new JsonObject { ["took"] = started.ElapsedMilliseconds, ["responses"] = responses });
    }

    // ES API: Multi get — GET/POST /_mget, /<index>/_mget (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/docs-multi-get.html)
    private Reply MultiGet(string? defaultIndex, JsonObject body)
    {
        IEnumerable<(string? Index, string Id, JsonNode? Source)> wanted = body["docs"] is JsonArray docs
            ? docs.OfType<JsonObject>().Select(d => (d["_index"]?.ToString() ?? defaultIndex, d["_id"]?.ToString() ?? "", d["_source"]))
            : (body["ids"] as JsonArray ?? throw new SearchException(400, "action_request_validation_exception", "Validation Failed: 1: no documents to get;"))
                .Select(id => (defaultIndex, id!.ToString(), (JsonNode?)null));
        var results = new JsonArray();
        foreach (var (indexName, id, sourceOption) in wanted)
        {
            if (indexName is null)
            {
                results.Add(new JsonObject { ["_index"] = null, ["_type"] = "_doc", ["_id"] = id, ["error"] = new SearchException(400, "action_request_validation_exception", "Validation Failed: 1: index is missing;").Cause() });
                continue;
            }
            var index = store.Find(indexName);
            if (index is null)
            {
                results.Add(new JsonObject { ["_index"] = indexName, ["_type"] = "_doc", ["_id"] = id, ["error"] = SearchException.IndexNotFound(indexName).Cause() });
                continue;
            }
            var document = index.Get(id);
            if (document is null)
            {
                results.Add(new JsonObject { ["_index"] = index.Name, ["_type"] = "_doc", ["_id"] = id, ["found"] = false });
                continue;
            }
            var filter = SourceFilter.Parse(sourceOption);
            var json = FoundDocument(index.Name, id, document, filter.Enabled ? filter.Apply(JsonNode.Parse(document.Source)!.AsObject()) : null);
            results.Add(json);
        }
        return Reply.Ok(new JsonObject { ["docs"] = results });
    }

    /// <summary>The <c>q</c> parameter, in its simplest forms: <c>field:value</c> (a match) or <c>*</c>.</summary>
    private static JsonObject QueryStringParameter(string q)
    {
        if (q is "*" or "*:*")
            return new JsonObject { ["match_all"] = new JsonObject() };
        var colon = q.IndexOf(':');
        if (colon <= 0)
            throw SearchException.BadRequest($"Only q=field:value and q=* are supported, got [{q}]");
        return new JsonObject { ["match"] = new JsonObject { [q[..colon]] = q[(colon + 1)..] } };
    }

    // ES API: Count — GET/POST /<index>/_count (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/search-count.html)
    private Reply Count(HttpContext context, string? expression, JsonObject? body)
    {
        var query = QueryOf(context);
        var indices = store.Resolve(expression, query.Flag("ignore_unavailable"));
        var lucene = query["q"] is { } q ? QueryStringParameter(q) : body?["query"];
        return Reply.Ok(new JsonObject
        {
            ["count"] = SearchExecutor.Count(indices, lucene),
            ["_shards"] = new JsonObject { ["total"] = indices.Count, ["successful"] = indices.Count, ["skipped"] = 0, ["failed"] = 0 },
        });
    }

    // ES API: Refresh — POST /<index>/_refresh (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-refresh.html);
    // with commit, Flush — POST /<index>/_flush (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-flush.html)
    private Reply Refresh(HttpContext context, string? expression, bool commit)
    {
        var indices = store.Resolve(expression, QueryOf(context).Flag("ignore_unavailable"));
        foreach (var index in indices)
        {
            index.Refresh();
            if (commit)
                index.Commit();
        }
        return Reply.Ok(new JsonObject { ["_shards"] = Shards(indices.Sum(i => 1 + i.NumberOfReplicas), indices.Count) });
    }

    // ES API: cat indices — GET /_cat/indices (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/cat-indices.html)
    private Reply CatIndices(HttpContext context, string? expression)
    {
        var query = QueryOf(context);
        var bytesUnit = query["bytes"];
        var rows = new List<Dictionary<string, string>>();
        foreach (var index in store.Resolve(expression))
        {
            var (live, deleted) = index.DocCounts();
            var size = index.StoreSizeBytes();
            rows.Add(new Dictionary<string, string>
            {
                ["health"] = index.NumberOfReplicas > 0 ? "yellow" : "green",
                ["status"] = "open",
                ["index"] = index.Name,
                ["uuid"] = index.Uuid,
                ["pri"] = "1",
                ["rep"] = index.NumberOfReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["docs.count"] = live.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["docs.deleted"] = deleted.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["store.size"] = FormatBytes(size, bytesUnit),
                ["pri.store.size"] = FormatBytes(size, bytesUnit),
            });
        }
        var columns = query["h"] is { } h ? h.Split(',', StringSplitOptions.TrimEntries) : rows.FirstOrDefault()?.Keys.ToArray()
            ?? ["health", "status", "index", "uuid", "pri", "rep", "docs.count", "docs.deleted", "store.size", "pri.store.size"];
        if (query["format"] == "json")
            return Reply.Ok(new JsonArray(rows.Select(r =>
            {
                var json = new JsonObject();
                foreach (var column in columns)
                    json[column] = r.GetValueOrDefault(column);
                return (JsonNode)json;
            }).ToArray()));
        return new Reply(200, Text: CatTable(columns, rows, header: query.Flag("v")));
    }

    /// <summary>The _cat/indices columns ES right-aligns (counts and sizes).</summary>
    private static readonly HashSet<string> NumericColumns = ["pri", "rep", "docs.count", "docs.deleted", "store.size", "pri.store.size"];

    /// <summary>A _cat table: columns padded to their widest cell, numeric columns right-aligned, as ES prints them.</summary>
    internal static string CatTable(string[] columns, List<Dictionary<string, string>> rows, bool header)
    {
        var cells = rows.Select(r => columns.Select(c => r.GetValueOrDefault(c) ?? "").ToArray()).ToList();
        if (header)
            cells.Insert(0, columns);
        var widths = columns.Select((_, i) => cells.Count == 0 ? 0 : cells.Max(row => row[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in cells)
        {
            var line = string.Join(' ', row.Select((cell, i) => NumericColumns.Contains(columns[i]) ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i])));
            text.Append(line.TrimEnd()).Append('\n');
        }
        return text.ToString();
    }

    internal static string FormatBytes(long bytes, string? unit)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (unit is not null)
        {
            var divisor = unit switch { "b" => 1L, "kb" => 1L << 10, "mb" => 1L << 20, "gb" => 1L << 30, _ => 1L };
            return (bytes / divisor).ToString(inv);
        }
        string[] units = ["b", "kb", "mb", "gb", "tb"];
        double value = bytes;
        var u = 0;
        while (value >= 1024 && u < units.Length - 1)
        {
            value /= 1024;
            u++;
        }
        return u == 0 ? bytes.ToString(inv) + "b" : Math.Round(value, 1).ToString("0.#", inv) + units[u];
    }

    // ES API: Cluster health — GET /_cluster/health (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/cluster-health.html)
    private Reply ClusterHealth(HttpContext context, string? expression)
    {
        var query = QueryOf(context);
        var indices = store.Resolve(expression);
        var unassigned = indices.Sum(i => i.NumberOfReplicas);   // one node: replicas have nowhere to go
        var status = unassigned > 0 ? "yellow" : "green";
        // One node never changes health by waiting: answer at once whether the wanted status is met.
        var wanted = query["wait_for_status"];
        var timedOut = wanted is not null && Rank(status) < Rank(wanted);
        var active = indices.Count;
        return new Reply(timedOut ? 408 : 200, new JsonObject
        {
            ["cluster_name"] = options.ClusterName,
            ["status"] = status,
            ["timed_out"] = timedOut,
            ["number_of_nodes"] = 1,
            ["number_of_data_nodes"] = 1,
            ["active_primary_shards"] = active,
            ["active_shards"] = active,
            ["relocating_shards"] = 0,
            ["initializing_shards"] = 0,
            ["unassigned_shards"] = unassigned,
            ["delayed_unassigned_shards"] = 0,
            ["number_of_pending_tasks"] = 0,
            ["number_of_in_flight_fetch"] = 0,
            ["task_max_waiting_in_queue_millis"] = 0,
            ["active_shards_percent_as_number"] = active + unassigned == 0 ? 100.0 : 100.0 * active / (active + unassigned),
        });

        static int Rank(string health) => health switch { "green" => 2, "yellow" => 1, _ => 0 };
    }

    // ES API: Put index template — PUT /_index_template/<name> (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/index-templates.html)
    private Reply PutIndexTemplate(string name, JsonObject body)
    {
        body.Remove("_legacy");
        store.PutTemplate(name, body);
        return Reply.Acknowledged;
    }

    // ES API: Get index template — GET /_index_template/<name> (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-get-template.html)
    private Reply GetIndexTemplates(string? name)
    {
        var templates = store.Templates(name).Where(t => t.Template["_legacy"] is null).ToList();
        if (name is not null && !name.Contains('*') && templates.Count == 0)
            throw new SearchException(404, "resource_not_found_exception", $"index template matching [{name}] not found");
        return Reply.Ok(new JsonObject
        {
            ["index_templates"] = new JsonArray(templates.Select(t => (JsonNode)new JsonObject { ["name"] = t.Name, ["index_template"] = t.Template }).ToArray()),
        });
    }

    // ES API: Put legacy template — PUT /_template/<name> (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-templates-v1.html);
    // kept as a composable template of priority `order`, marked legacy.
    private Reply PutLegacyTemplate(string name, JsonObject body)
    {
        var template = new JsonObject
        {
            ["index_patterns"] = body["index_patterns"]?.DeepClone() ?? body["template"]?.DeepClone(),
            ["template"] = new JsonObject
            {
                ["settings"] = body["settings"]?.DeepClone() ?? new JsonObject(),
                ["mappings"] = body["mappings"]?.DeepClone() ?? new JsonObject(),
            },
            ["priority"] = body["order"]?.GetValue<long>() ?? 0,
            ["_legacy"] = true,
        };
        store.PutTemplate(name, template);
        return Reply.Acknowledged;
    }

    // ES API: Get legacy template — GET /_template/<name> (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-get-template-v1.html)
    private Reply GetLegacyTemplates(string? name)
    {
        var templates = store.Templates(name).Where(t => t.Template["_legacy"] is not null).ToList();
        if (name is not null && !name.Contains('*') && templates.Count == 0)
            return new Reply(404, new JsonObject());
        var result = new JsonObject();
        foreach (var (templateName, template) in templates)
            result[templateName] = new JsonObject
            {
                ["order"] = template["priority"]?.DeepClone(),
                ["index_patterns"] = template["index_patterns"]?.DeepClone(),
                ["settings"] = template["template"]?["settings"]?.DeepClone(),
                ["mappings"] = template["template"]?["mappings"]?.DeepClone(),
                ["aliases"] = new JsonObject(),
            };
        return Reply.Ok(result);
    }

    // ES API: Delete index template — DELETE /_index_template/<name>, DELETE /_template/<name>
    // (https://www.elastic.co/guide/en/elasticsearch/reference/7.10/indices-delete-template.html)
    private Reply DeleteTemplate(string name, bool legacy)
    {
        var existing = store.GetTemplate(name);
        if (existing is null || (existing["_legacy"] is not null) != legacy)
            throw new SearchException(404, "resource_not_found_exception", legacy ? $"index_template [{name}] missing" : $"index_template matching [{name}] not found");
        store.DeleteTemplate(name);
        return Reply.Acknowledged;
    }
}
