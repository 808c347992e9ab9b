using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Dashboard;

/// <summary>What the pipeline view shows of a processor running in the same process (the `up` line); null elsewhere.</summary>
public sealed record ProcessorView(long Watermark, long LateEvents, long BadEvents, long Outputs);

public sealed record DashboardOptions
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 5601;

    public required Uri SearchEndpoint { get; init; }

    public string? SearchUser { get; init; }

    public string? SearchPassword { get; init; }

    /// <summary>When set, the dashboard asks for this user and <see cref="Password"/> (HTTP basic: the browser's login prompt).</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Client settings of the Kafka cluster the pipeline view describes; null hides that part.</summary>
    public ClientConfig? Kafka { get; init; }

    public Func<ProcessorView?>? Processor { get; init; }

    public TimeSpan Range { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}

/// <summary>
/// The dashboard, twin of the workshop's Kibana: the Clickstream Dashboard's five charts, queried from the search
/// store through its REST API on every refresh and drawn as SVG, and a pipeline view (topics, groups with lag,
/// index sizes, the processor's watermark). A Kestrel host like the broker's metrics endpoint.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly DashboardOptions _options;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly WebApplication _app;
    private readonly PipelineSampler? _pipeline;

    private DashboardServer(DashboardOptions options, WebApplication app)
    {
        _options = options;
        _app = app;
        if (options.SearchUser is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.SearchUser}:{options.SearchPassword}")));
        if (options.Kafka is not null)
            _pipeline = new PipelineSampler(options.Kafka);
    }

    public int Port { get; private set; }

    public string Url => $"http://{_options.Host}:{Port}/";

    /// <summary>Asks for the dashboard's login (HTTP basic) before anything is served; compared in constant time.</summary>
    private static Func<HttpContext, RequestDelegate, Task> RequireLogin(string user, string password)
    {
        var expected = Encoding.UTF8.GetBytes($"{user}:{password}");
        return async (context, next) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            byte[] given = [];
            if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    given = Convert.FromBase64String(header[6..].Trim());
                }
                catch (FormatException)
                {
                }
            }
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, expected))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Beltline dashboard\", charset=\"UTF-8\"";
        };
    }

    public static async Task<DashboardServer> StartAsync(DashboardOptions options, CancellationToken cancellationToken = default)
    {
        ListenOptions? bound = null;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(options.LoggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.Host), options.Port, listen => bound = listen));
        var app = builder.Build();
        var server = new DashboardServer(options, app);
        if (options.User is not null)
            app.Use(RequireLogin(options.User, options.Password ?? ""));
        app.UseRouting();
        app.MapGet("/", server.PageAsync);
        app.MapGet("/fragments/charts", server.ChartsFragmentAsync);
        app.MapGet("/api/charts", server.ChartsJsonAsync);
        app.MapGet("/pipeline", server.PipelineAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"Cannot serve the dashboard on {options.Host}:{options.Port}: {e.Message}", e);
        }
        server.Port = bound!.IPEndPoint!.Port;
        return server;
    }

    /// <summary>Every chart's data now; a chart whose index is missing or whose query failed has no series and says why.</summary>
    public async Task<IReadOnlyList<(Chart Chart, string? Problem)>> ChartsAsync(CancellationToken cancellationToken)
    {
        var charts = new List<(Chart, string?)>();
        foreach (var definition in ClickstreamCharts.All(_options.Range, _options.Interval))
        {
            try
            {
                using var content = new StringContent(definition.Query, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(new Uri(_options.SearchEndpoint, $"{definition.Index}/_search"), content, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.NotFound)
                    charts.Add((new Chart(definition.Id, definition.Title, []), null));
                else if (!response.IsSuccessStatusCode)
                    charts.Add((new Chart(definition.Id, definition.Title, []), $"{(int)response.StatusCode} from the search store"));
                else
                {
                    using var json = JsonDocument.Parse(body);
                    charts.Add((new Chart(definition.Id, definition.Title, definition.Read(json.RootElement)), null));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                charts.Add((new Chart(definition.Id, definition.Title, []), $"the search store at {_options.SearchEndpoint} did not answer ({e.Message})"));
            }
        }
        return charts;
    }

    private async Task PageAsync(HttpContext context)
    {
        var fragment = await ChartsFragment(context.RequestAborted);
        await Html(context, "Clickstream Dashboard", fragment + RefreshScript);
    }

    private async Task ChartsFragmentAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(await ChartsFragment(context.RequestAborted), context.RequestAborted);
    }

    private async Task<string> ChartsFragment(CancellationToken cancellationToken)
    {
        var html = new StringBuilder("<div id=\"charts\" class=\"grid\">");
        foreach (var (chart, problem) in await ChartsAsync(cancellationToken))
        {
            html.Append($"<section class=\"panel\"><h2>{WebUtility.HtmlEncode(chart.Title)}</h2>");
            if (problem is not null)
                html.Append($"<p class=\"problem\">{WebUtility.HtmlEncode(problem)}</p>");
            html.Append(SvgLineChart.Render(chart)).Append("</section>");
        }
        return html.Append("</div>").ToString();
    }

    private async Task ChartsJsonAsync(HttpContext context)
    {
        var charts = await ChartsAsync(context.RequestAborted);
        await context.Response.WriteAsJsonAsync(charts.Select(c => new
        {
            id = c.Chart.Id,
            title = c.Chart.Title,
            problem = c.Problem,
            series = c.Chart.Series.Select(s => new { name = s.Name, points = s.Points.Select(p => new[] { p.Time, p.Value }) }),
        }), context.RequestAborted);
    }

    private async Task PipelineAsync(HttpContext context)
    {
        var html = new StringBuilder("<div class=\"grid\">");
        if (_pipeline is not null)
            html.Append(await Task.Run(() => _pipeline.Render(), context.RequestAborted));
        html.Append(await IndicesTable(context.RequestAborted));
        if (_options.Processor?.Invoke() is { } processor)
            html.Append("<section class=\"panel\"><h2>Processor</h2><table>")
                .Append($"<tr><th>watermark</th><td id=\"watermark\">{(processor.Watermark is long.MinValue ? "none yet" : processor.Watermark == long.MaxValue ? "end of input" : DateTimeOffset.FromUnixTimeMilliseconds(processor.Watermark).ToString("yyyy-MM-dd HH:mm:ss.fff'Z'"))}</td></tr>")
                .Append($"<tr><th>late events</th><td id=\"late-events\">{processor.LateEvents:N0}</td></tr>")
                .Append($"<tr><th>bad events</th><td>{processor.BadEvents:N0}</td></tr>")
                .Append($"<tr><th>results written</th><td>{processor.Outputs:N0}</td></tr></table></section>");
        await Html(context, "Pipeline", html.Append("</div>").ToString() + "<script>setTimeout(() => location.reload(), 5000);</script>");
    }

    private async Task<string> IndicesTable(CancellationToken cancellationToken)
    {
        var html = new StringBuilder("<section class=\"panel\"><h2>Search indices</h2>");
        try
        {
            using var response = await _http.GetAsync(new Uri(_options.SearchEndpoint, "_cat/indices?format=json"), cancellationToken);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            html.Append("<table><tr><th>index</th><th>documents</th></tr>");
            foreach (var index in json.RootElement.EnumerateArray().OrderBy(i => i.GetProperty("index").GetString(), StringComparer.Ordinal))
                html.Append($"<tr><td>{WebUtility.HtmlEncode(index.GetProperty("index").GetString())}</td><td class=\"docs\">{WebUtility.HtmlEncode(index.GetProperty("docs.count").ToString())}</td></tr>");
            html.Append("</table>");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            html.Append($"<p class=\"problem\">The search store at {WebUtility.HtmlEncode(_options.SearchEndpoint.ToString())} did not answer ({WebUtility.HtmlEncode(e.Message)}).</p>");
        }
        return html.Append("</section>").ToString();
    }

    private static Task Html(HttpContext context, string title, string body)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{title}} · Beltline</title><link rel="icon" href="data:,">
            <style>
              body { font-family: system-ui, sans-serif; margin: 0; background: #f5f7fa; color: #1a1c21; }
              header { background: #1d1e24; color: #fff; padding: 10px 20px; display: flex; gap: 24px; align-items: baseline; }
              header a { color: #a6d4ff; text-decoration: none; } h1 { font-size: 18px; margin: 0; }
              .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; padding: 16px; }
              .panel { background: #fff; border: 1px solid #d3dae6; border-radius: 6px; padding: 12px; }
              h2 { font-size: 14px; margin: 0 0 8px; } .tick, .legend { font-size: 11px; fill: #69707d; } .empty { fill: #98a2b3; }
              .problem { color: #bd271e; font-size: 12px; } table { border-collapse: collapse; font-size: 13px; }
              td, th { padding: 3px 10px; border-bottom: 1px solid #eef0f3; text-align: left; }
            </style></head>
            <body><header><h1>{{title}}</h1><a href="/">Clickstream Dashboard</a><a href="/pipeline">Pipeline</a></header>
            {{body}}
            </body></html>
            """, context.RequestAborted);
    }

    // The charts refresh in place every 5 s, like Kibana's auto-refresh; the script is ours and inline.
    private const string RefreshScript = """
        <script>
        setInterval(async () => {
          const response = await fetch('/fragments/charts');
          if (response.ok) document.getElementById('charts').outerHTML = await response.text();
        }, 5000);
        </script>
        """;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
        _pipeline?.Dispose();
    }
}
