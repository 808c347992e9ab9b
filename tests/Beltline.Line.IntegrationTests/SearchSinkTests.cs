using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Beltline.Line.SearchSink;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Line.IntegrationTests;

/// <summary>The search sink between the in-process broker and a stand-in store that keeps documents by index and id.</summary>
public sealed class SearchSinkTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    /// <summary>Indices, HEAD/PUT, and _bulk into a dictionary; the first <paramref name="unavailable"/> bulks answer 503.</summary>
    private sealed class StandInStore(int unavailable = 0) : HttpMessageHandler
    {
        private int _bulks;

        public ConcurrentDictionary<string, string> Mappings { get; } = new();

        public ConcurrentDictionary<(string Index, string Id), string> Documents { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath.Trim('/');
            if (request.Method == HttpMethod.Head)
                return new HttpResponseMessage(Mappings.ContainsKey(path) ? HttpStatusCode.OK : HttpStatusCode.NotFound);
            if (request.Method == HttpMethod.Put)
            {
                Mappings[path] = await request.Content!.ReadAsStringAsync(cancellationToken);
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"acknowledged":true}""") };
            }
            if (Interlocked.Increment(ref _bulks) <= unavailable)
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("{}") };
            var lines = (await request.Content!.ReadAsStringAsync(cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var items = new List<string>();
            for (var i = 0; i < lines.Length; i += 2)
            {
                using var action = JsonDocument.Parse(lines[i]);
                var index = action.RootElement.GetProperty("index");
                var key = (index.GetProperty("_index").GetString()!, index.GetProperty("_id").GetString()!);
                var created = Documents.TryAdd(key, lines[i + 1]);
                Documents[key] = lines[i + 1];
                items.Add(JsonSerializer.Serialize(new { index = new { _index = key.Item1, _id = key.Item2, status = created ? 201 : 200 } }));
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($$"""{"took":1,"errors":false,"items":[{{string.Join(",", items)}}]}""") };
        }
    }

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<Dictionary<string, string>> ProduceResultsAsync(string sessions, string counts, string departments)
    {
        var produced = new Dictionary<string, string>
        {
            [$"{sessions}|7@1000"] = """{"userId":7,"eventCount":2,"orderCheckoutEventCount":2,"deptList":["laptops"],"eventKey":1,"windowBeginTime":1000,"windowEndTime":2200}""",
            [$"{counts}|0"] = """{"userSessionCount":3,"userSessionCountWithOrderCheckout":1,"percentSessionswithBuy":33.333333333333336,"windowBeginTime":0,"windowEndTime":10000}""",
            [$"{departments}|laptops@0"] = """{"departmentName":"laptops","departmentCount":1,"windowBeginTime":0,"windowEndTime":10000}""",
            [$"{departments}|cameras@0"] = """{"departmentName":"cameras","departmentCount":2,"windowBeginTime":0,"windowEndTime":10000}""",
        };
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
        foreach (var (topicAndKey, value) in produced)
        {
            var parts = topicAndKey.Split('|');
            await producer.ProduceAsync(parts[0], new Message<string, string> { Key = parts[1], Value = value });
        }
        return produced;
    }

    private async Task<SearchSinkStatus> RunUntilIndexed(StandInStore store, string group, Dictionary<string, string> topics, int expected)
    {
        using var stop = new CancellationTokenSource();
        var runner = new SearchSinkRunner(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = group },
            new SearchClient(new HttpClient(store), new Uri("http://search.test:9200/")), topics,
            new SearchSinkOptions { FirstBackoff = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) }, NullLogger.Instance);
        var run = runner.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (runner.Status.Indexed < expected && DateTime.UtcNow < deadline && !run.IsCompleted)
            await Task.Delay(50);
        await stop.CancelAsync();
        return await run;
    }

    private Dictionary<string, long> Committed(string group, IEnumerable<string> topics)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var listed = admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]).GetAwaiter().GetResult();
        return listed[0].Partitions.Where(p => p.Offset.Value >= 0).ToDictionary(p => p.Topic, p => p.Offset.Value);
    }

    [Fact]
    public async Task Results_land_in_their_indices_with_their_keys_as_ids_and_offsets_follow_only_after()
    {
        var (sessions, counts, departments) = (Unique("sessions"), Unique("counts"), Unique("departments"));
        var produced = await ProduceResultsAsync(sessions, counts, departments);
        var topics = new Dictionary<string, string> { [sessions] = ClickstreamIndices.SessionDetails, [counts] = ClickstreamIndices.SessionCounts, [departments] = ClickstreamIndices.DepartmentsCount };
        var store = new StandInStore(unavailable: 2);
        var group = Unique("sink");

        var status = await RunUntilIndexed(store, group, topics, produced.Count);

        Assert.Equal(produced.Count, status.Indexed);
        Assert.True(status.Retries >= 2);
        Assert.Equal(ClickstreamIndices.Mappings.Keys.Order(), store.Mappings.Keys.Order());
        foreach (var (topicAndKey, value) in produced)
        {
            var parts = topicAndKey.Split('|');
            Assert.Equal(value, store.Documents[(topics[parts[0]], parts[1])]);
        }
        Assert.Equal(new Dictionary<string, long> { [sessions] = 1, [counts] = 1, [departments] = 2 }, Committed(group, topics.Keys));
    }

    [Fact]
    public async Task A_replay_from_the_beginning_overwrites_the_same_documents()
    {
        var (sessions, counts, departments) = (Unique("sessions"), Unique("counts"), Unique("departments"));
        var produced = await ProduceResultsAsync(sessions, counts, departments);
        var topics = new Dictionary<string, string> { [sessions] = ClickstreamIndices.SessionDetails, [counts] = ClickstreamIndices.SessionCounts, [departments] = ClickstreamIndices.DepartmentsCount };
        var store = new StandInStore();

        await RunUntilIndexed(store, Unique("sink"), topics, produced.Count);
        var afterFirst = store.Documents.ToDictionary();
        await RunUntilIndexed(store, Unique("sink"), topics, produced.Count);   // a new group reads everything again

        Assert.Equal(produced.Count, store.Documents.Count);
        Assert.Equal(afterFirst, store.Documents.ToDictionary());
    }

    [Fact]
    public async Task Into_Beltline_search_a_replay_overwrites_and_the_documents_survive_a_store_restart()
    {
        var (sessions, counts, departments) = (Unique("sessions"), Unique("counts"), Unique("departments"));
        var produced = await ProduceResultsAsync(sessions, counts, departments);
        var topics = new Dictionary<string, string> { [sessions] = ClickstreamIndices.SessionDetails, [counts] = ClickstreamIndices.SessionCounts, [departments] = ClickstreamIndices.DepartmentsCount };
        var dataDir = Path.Combine(Path.GetTempPath(), "beltline-sink-search-" + Guid.NewGuid().ToString("N"));
        try
        {
            var search = await Beltline.Search.SearchServer.StartAsync(new Beltline.Search.SearchServerOptions { Port = 0, DataDir = dataDir });
            var port = search.Port;
            async Task<SearchSinkStatus> Sink(string group)
            {
                using var stop = new CancellationTokenSource();
                var runner = new SearchSinkRunner(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = group },
                    new SearchClient(new HttpClient(), search.BaseAddress), topics, new SearchSinkOptions { MaxDelay = TimeSpan.FromMilliseconds(200) }, NullLogger.Instance);
                var run = runner.RunAsync(stop.Token);
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (runner.Status.Indexed < produced.Count && DateTime.UtcNow < deadline && !run.IsCompleted)
                    await Task.Delay(50);
                await stop.CancelAsync();
                return await run;
            }

            await Sink(Unique("sink"));
            await Sink(Unique("sink"));     // a new group: every result again
            await search.DisposeAsync();
            search = await Beltline.Search.SearchServer.StartAsync(new Beltline.Search.SearchServerOptions { Port = port, DataDir = dataDir });
            await using (search)
            {
                using var http = new HttpClient { BaseAddress = search.BaseAddress };
                foreach (var index in topics.Values.Distinct())
                {
                    var expected = produced.Count(p => topics[p.Key.Split('|')[0]] == index);
                    var count = JsonDocument.Parse(await http.GetStringAsync($"{index}/_count")).RootElement.GetProperty("count").GetInt64();
                    Assert.Equal(expected, count);
                }
                var laptops = JsonDocument.Parse(await http.GetStringAsync($"{ClickstreamIndices.DepartmentsCount}/_doc/laptops@0")).RootElement;
                Assert.Equal(2, laptops.GetProperty("_version").GetInt64());
                Assert.Equal(1, laptops.GetProperty("_source").GetProperty("departmentCount").GetInt32());
            }
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }
}
