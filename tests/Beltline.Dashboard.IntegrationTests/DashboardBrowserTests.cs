using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Beltline.Line.SearchSink;
using Beltline.Search;
using Confluent.Kafka;
using Microsoft.Playwright;

namespace Beltline.Dashboard.IntegrationTests;

/// <summary>The dashboard in headless Chromium (Debian's), over Beltline's search store holding results like the processor's.</summary>
public sealed class DashboardBrowserTests(BrokerFixture broker) : IClassFixture<BrokerFixture>, IAsyncLifetime
{
    private readonly string _searchDir = Path.Combine(Path.GetTempPath(), "beltline-dash-" + Guid.NewGuid().ToString("N"));
    private SearchServer _search = null!;
    private DashboardServer _dashboard = null!;

    public async Task InitializeAsync()
    {
        _search = await SearchServer.StartAsync(new SearchServerOptions { Port = 0, DataDir = _searchDir });
        using var http = new HttpClient { BaseAddress = _search.BaseAddress };
        foreach (var (index, mapping) in ClickstreamIndices.Mappings)
            (await http.PutAsync(index, new StringContent(mapping, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        // Two minutes of results, one 10 s window after another, ending a minute ago.
        var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 10_000 * 10_000 - 60_000;
        var bulk = new StringBuilder();
        void Index(string index, string id, object source) =>
            bulk.Append(JsonSerializer.Serialize(new { index = new { _index = index, _id = id } })).Append('\n').Append(JsonSerializer.Serialize(source)).Append('\n');
        for (var window = end - 120_000; window < end; window += 10_000)
        {
            var i = (window - end) / 10_000 + 12;
            Index("user_session_counts", $"{window}", new { userSessionCount = 10 + i, userSessionCountWithOrderCheckout = i % 4, percentSessionswithBuy = 100.0 * (i % 4) / (10 + i), windowBeginTime = window, windowEndTime = window + 10_000 });
            foreach (var (dept, count) in new[] { ("laptops", 3 + i % 3), ("cameras", 1 + i % 2) })
                Index("departments_count", $"{dept}@{window}", new { departmentName = dept, departmentCount = count, windowBeginTime = window, windowEndTime = window + 10_000 });
            Index("user_session_details", $"7@{window}", new { userId = 7, eventCount = 5, orderCheckoutEventCount = 1 + i % 5, deptList = new[] { "laptops" }, eventKey = 1, windowBeginTime = window + 1000, windowEndTime = window + 4000 });
        }
        var response = await http.PostAsync("_bulk?refresh=true", new StringContent(bulk.ToString(), Encoding.UTF8, "application/x-ndjson"));
        response.EnsureSuccessStatusCode();
        Assert.False((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetBoolean());
        _dashboard = await DashboardServer.StartAsync(new DashboardOptions
        {
            Port = 0,
            SearchEndpoint = _search.BaseAddress,
            Kafka = new ClientConfig { BootstrapServers = broker.BootstrapServers },
            Processor = () => new ProcessorView(1_795_748_400_000, 3, 1, 42),
        });
    }

    public async Task DisposeAsync()
    {
        await _dashboard.DisposeAsync();
        await _search.DisposeAsync();
        try { Directory.Delete(_searchDir, recursive: true); } catch (IOException) { }
    }

    private static async Task<(IBrowser Browser, IPage Page, List<string> Errors, IPlaywright Playwright)> OpenAsync(string url)
    {
        var playwright = await Playwright.CreateAsync();
        // Root in a container has no user namespaces for Chromium's sandbox.
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        var response = await page.GotoAsync(url);
        Assert.Equal(200, response!.Status);
        return (browser, page, errors, playwright);
    }

    [Fact]
    public async Task The_five_charts_show_the_stores_data_and_the_page_has_no_console_errors()
    {
        var (browser, page, errors, playwright) = await OpenAsync(_dashboard.Url);
        try
        {
            await page.WaitForSelectorAsync("svg[data-chart='sessions'] polyline");
            var charts = await page.Locator("svg.chart").EvaluateAllAsync<string[]>("svgs => svgs.map(s => s.dataset.chart + ':' + s.querySelectorAll('polyline').length)");
            var points = await page.Locator("svg[data-chart='sessions'] polyline").GetAttributeAsync("data-points");
            var departments = await page.Locator("svg[data-chart='departments'] polyline").EvaluateAllAsync<string[]>("lines => lines.map(l => l.dataset.series)");
            // The page refreshes its charts in place after 5 s; they must survive it.
            await page.WaitForTimeoutAsync(6000);
            var afterRefresh = await page.Locator("svg.chart polyline").CountAsync();

            Assert.Equal(["departments:2", "checkout-events:1", "percent-with-buy:1", "sessions:1", "sessions-with-checkout:1"], charts);
            Assert.Equal("12", points);
            Assert.Equal(["laptops", "cameras"], departments);
            Assert.Equal(6, afterRefresh);
            Assert.Empty(errors);
            Assert.Equal(0, await page.Locator(".problem").CountAsync());
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }

    [Fact]
    public async Task The_pipeline_view_shows_topics_groups_indices_and_the_processor()
    {
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build())
            for (var i = 0; i < 5; i++)
                await producer.ProduceAsync("pipeline-clicks", new Message<Null, string> { Value = "{}" });
        var (browser, page, errors, playwright) = await OpenAsync(_dashboard.Url + "pipeline");
        try
        {
            var topicRow = await page.Locator("tr[data-topic='pipeline-clicks'] td").AllInnerTextsAsync();
            var indices = await page.Locator("td.docs").AllInnerTextsAsync();

            Assert.Equal(["pipeline-clicks", "1", "5"], topicRow.Take(3));
            Assert.Equal(3, indices.Count);
            Assert.Equal("3", await page.Locator("#late-events").InnerTextAsync());
            Assert.Equal("2026-11-27 03:00:00.000Z", await page.Locator("#watermark").InnerTextAsync());
            Assert.Empty(errors);
        }
        finally
        {
            await browser.DisposeAsync();
            playwright.Dispose();
        }
    }
}
