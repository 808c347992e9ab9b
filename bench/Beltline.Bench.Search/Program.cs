using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

// beltline-search-bench <endpoint> <documents> [<repetitions>]
// Indexes <documents> session documents (the processor's user_session_details) through _bulk, 1,000 per request with two
// requests in flight, then times the dashboard's aggregations over them. Prints one JSON line with the results.
if (args is not [var endpoint, var countText, ..])
{
    Console.Error.WriteLine("usage: beltline-search-bench <endpoint> <documents> [<query repetitions>]");
    return 2;
}
var documents = int.Parse(countText, CultureInfo.InvariantCulture);
var repetitions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
using var http = new HttpClient { BaseAddress = new Uri(endpoint), Timeout = TimeSpan.FromMinutes(5) };
const string Index = "bench_sessions";

await http.DeleteAsync(Index);
(await http.PutAsync(Index, Json("""
    {"mappings":{"properties":{"userId":{"type":"long"},"eventCount":{"type":"integer"},"orderCheckoutEventCount":{"type":"integer"},
     "deptList":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},"eventKey":{"type":"integer"},
     "windowBeginTime":{"type":"date"},"windowEndTime":{"type":"date"}}}}
    """))).EnsureSuccessStatusCode();

// Documents as the processor writes them: one session each, a day of windows, 1-3 departments of the shop's eight.
string[] departments = ["cell phones", "laptops", "ear phones", "soundbars", "cd players", "AirPods", "video games", "cameras"];
var random = new Random(42);
var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 24 * 3_600_000L;
var batches = new List<byte[]>();
for (var first = 0; first < documents; first += 1000)
{
    var body = new StringBuilder();
    for (var i = first; i < Math.Min(first + 1000, documents); i++)
    {
        var begin = start + (long)i * 24 * 3_600_000L / documents;
        var depts = departments.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(d => $"\"{d}\"");
        var events = random.Next(1, 60);
        body.Append("{\"index\":{\"_index\":\"" + Index + "\",\"_id\":\"" + i + "@" + begin + "\"}}").Append('\n')
            .Append($$"""{"userId":{{1000 + i}},"eventCount":{{events}},"orderCheckoutEventCount":{{(random.Next(3) == 0 ? events : 0)}},"deptList":[{{string.Join(',', depts)}}],"eventKey":1,"windowBeginTime":{{begin}},"windowEndTime":{{begin + 3000}}}""").Append('\n');
    }
    batches.Add(Encoding.UTF8.GetBytes(body.ToString()));
}

var indexing = Stopwatch.StartNew();
var next = -1;
async Task Sender()
{
    int batch;
    while ((batch = Interlocked.Increment(ref next)) < batches.Count)
    {
        using var content = new ByteArrayContent(batches[batch]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await http.PostAsync("_bulk", content);
        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        if (answer.RootElement.GetProperty("errors").GetBoolean())
            throw new InvalidOperationException("bulk item errors: " + answer.RootElement.GetRawText()[..500]);
    }
}
await Task.WhenAll(Sender(), Sender());
indexing.Stop();
(await http.PostAsync($"{Index}/_refresh", null)).EnsureSuccessStatusCode();
var count = JsonDocument.Parse(await http.GetStringAsync($"{Index}/_count")).RootElement.GetProperty("count").GetInt64();
if (count != documents)
    throw new InvalidOperationException($"{count} documents searchable, {documents} sent");

var queries = new Dictionary<string, string>
{
    ["avg per hour (date_histogram 1h + avg)"] = """{"size":0,"aggs":{"t":{"date_histogram":{"field":"windowEndTime","fixed_interval":"1h"},"aggs":{"v":{"avg":{"field":"orderCheckoutEventCount"}}}}}}""",
    ["top 5 departments per hour (terms + date_histogram + sum)"] = """{"size":0,"aggs":{"top":{"terms":{"field":"deptList.keyword","size":5},"aggs":{"t":{"date_histogram":{"field":"windowEndTime","fixed_interval":"1h"},"aggs":{"v":{"sum":{"field":"eventCount"}}}}}}}}""",
    ["last 15 min in 10 s buckets (range + date_histogram + sum)"] = """{"size":0,"query":{"range":{"windowEndTime":{"gte":"now-15m"}}},"aggs":{"t":{"date_histogram":{"field":"windowEndTime","fixed_interval":"10s"},"aggs":{"v":{"sum":{"field":"eventCount"}}}}}}""",
    ["stats of all (avg, max, cardinality of userId)"] = """{"size":0,"aggs":{"a":{"avg":{"field":"eventCount"}},"m":{"max":{"field":"eventCount"}},"c":{"cardinality":{"field":"userId"}}}}""",
};
var latencies = new Dictionary<string, object>();
foreach (var (name, query) in queries)
{
    var times = new List<double>();
    for (var i = 0; i < repetitions + 5; i++)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.PostAsync($"{Index}/_search", Json(query));
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        if (i >= 5)
            times.Add(watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    latencies[name] = new { p50 = times[times.Count / 2], p99 = times[(int)Math.Ceiling(times.Count * 0.99) - 1], max = times[^1] };
}
Console.WriteLine(JsonSerializer.Serialize(new { documents, indexingSeconds = indexing.Elapsed.TotalSeconds, docsPerSecond = documents / indexing.Elapsed.TotalSeconds, latencies }));
return 0;

static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
