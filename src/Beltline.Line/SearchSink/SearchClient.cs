using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Beltline.Line.SearchSink;

/// <summary>What a bulk request came to: items indexed, items to send again (the cluster was busy), items refused for good.</summary>
public sealed record BulkOutcome(int Indexed, IReadOnlyList<int> RetryItems, IReadOnlyList<(int Item, string Reason)> Rejected);

/// <summary>A transient failure: the cluster is unreachable, busy (429) or failing (5xx); the same request may succeed later.</summary>
public sealed class SearchUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The few Elasticsearch REST calls the sink makes, over plain HTTP and JSON, so the same sink writes to Beltline's
/// store, Elasticsearch 7/8 and OpenSearch alike.
/// </summary>
public sealed class SearchClient(HttpClient http, Uri endpoint, string? user = null, string? password = null)
{
    private readonly AuthenticationHeaderValue? _authorization = user is null
        ? null
        : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public Uri Endpoint => endpoint;

    /// <summary>Creates the index with its mappings unless it exists (an index made meanwhile by someone else is fine).</summary>
    public async Task EnsureIndexAsync(string index, string body, CancellationToken cancellationToken)
    {
        using var head = await SendAsync(HttpMethod.Head, index, null, null, cancellationToken);
        if (head.StatusCode == HttpStatusCode.OK)
            return;
        using var put = await SendAsync(HttpMethod.Put, index, body, "application/json", cancellationToken);
        if (put.IsSuccessStatusCode)
            return;
        var text = await put.Content.ReadAsStringAsync(cancellationToken);
        if (put.StatusCode == HttpStatusCode.BadRequest && text.Contains("resource_already_exists_exception", StringComparison.Ordinal))
            return;
        throw Failure(put.StatusCode, $"creating index {index}", text);
    }

    /// <summary>One <c>_bulk</c> request (NDJSON, one action and one source line per item).</summary>
    public async Task<BulkOutcome> BulkAsync(ReadOnlyMemory<byte> ndjson, int items, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, "_bulk", ndjson, "application/x-ndjson", cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw Failure(response.StatusCode, "_bulk", text);
        using var json = JsonDocument.Parse(text);
        if (!json.RootElement.GetProperty("errors").GetBoolean())
            return new BulkOutcome(items, [], []);
        var retry = new List<int>();
        var rejected = new List<(int, string)>();
        var indexed = 0;
        var index = 0;
        foreach (var item in json.RootElement.GetProperty("items").EnumerateArray())
        {
            var result = item.EnumerateObject().First().Value;
            var status = result.GetProperty("status").GetInt32();
            if (status is >= 200 and < 300)
                indexed++;
            else if (status is 429 or >= 500)
                retry.Add(index);
            else
                rejected.Add((index, result.TryGetProperty("error", out var error) ? error.ToString() : $"status {status}"));
            index++;
        }
        return new BulkOutcome(indexed, retry, rejected);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, string? contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(endpoint, path));
        request.Headers.Authorization = _authorization;
        if (body is not null)
        {
            request.Content = body switch
            {
                string text => new StringContent(text, Encoding.UTF8),
                ReadOnlyMemory<byte> bytes => new ReadOnlyMemoryContent(bytes),
                _ => throw new ArgumentException("Unsupported body", nameof(body)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType!);
        }
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new SearchUnavailableException($"Cannot reach the search store at {endpoint}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SearchUnavailableException($"The search store at {endpoint} did not answer in time.", e);
        }
    }

    private Exception Failure(HttpStatusCode status, string what, string body) => (int)status is 429 or >= 500
        ? new SearchUnavailableException($"{what} at {endpoint}: {(int)status} {body}")
        : new InvalidOperationException($"{what} at {endpoint} was refused: {(int)status} {body}");
}
