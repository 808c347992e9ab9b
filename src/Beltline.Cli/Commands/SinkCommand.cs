using System.CommandLine;
using Beltline.Cli.Commands.Kafka;
using Beltline.Line.ClickstreamProcessor;
using Beltline.Line.Kafka;
using Beltline.Line.SearchSink;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Beltline.Cli.Commands;

/// <summary>
/// <c>beltline sink search</c>: the processor's result topics into an Elasticsearch-compatible store (Beltline's,
/// Elasticsearch 7/8, OpenSearch) over its REST <c>_bulk</c> API.
/// </summary>
internal static class SinkCommand
{
    private static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(10);

    public static Command Create()
    {
        var client = new ClientOptions();
        var endpoint = EnvironmentOption.Create("--endpoint", "BELTLINE_SEARCH_ENDPOINT", "http://127.0.0.1:9200", "Search store URL (Elasticsearch REST API).");
        var user = EnvironmentOption.Create<string?>("--user", "BELTLINE_SEARCH_USER", null, "Basic-auth user of the store (its master user).");
        var password = EnvironmentOption.Create<string?>("--password", "BELTLINE_SEARCH_PASSWORD", null, "Basic-auth password.");
        var groupId = new Option<string>("--group-id") { Description = "Consumer group of the sink.", DefaultValueFactory = _ => "search-sink" };
        var sessionsTopic = new Option<string>("--sessions-topic") { Description = $"Topic indexed into {ClickstreamIndices.SessionDetails}.", DefaultValueFactory = _ => ClickstreamJobOptions.DefaultSessionsTopic };
        var countsTopic = new Option<string>("--session-counts-topic") { Description = $"Topic indexed into {ClickstreamIndices.SessionCounts}.", DefaultValueFactory = _ => ClickstreamJobOptions.DefaultSessionCountsTopic };
        var departmentsTopic = new Option<string>("--departments-topic") { Description = $"Topic indexed into {ClickstreamIndices.DepartmentsCount}.", DefaultValueFactory = _ => ClickstreamJobOptions.DefaultDepartmentsTopic };
        var maxAttempts = new Option<int>("--max-attempts") { Description = "Attempts per batch while the store is unreachable or busy (backoff doubling from 200 ms to 10 s); then the sink stops.", DefaultValueFactory = _ => 10 };
        var search = new Command("search", "Index the processor's results into an Elasticsearch-compatible store; offsets advance only after the store has the documents.")
        {
            endpoint, user, password, groupId, sessionsTopic, countsTopic, departmentsTopic, maxAttempts,
        };
        client.AddTo(search);
        KafkaTool.SetAction(search, async (result, cancellationToken) =>
        {
            if (!Uri.TryCreate(result.GetValue(endpoint), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new UsageException($"--endpoint must be an http(s) URL, got '{result.GetValue(endpoint)}'.");
            if (result.GetValue(maxAttempts) < 1)
                throw new UsageException($"--max-attempts must be at least 1, got {result.GetValue(maxAttempts)}.");
            if (result.GetValue(user) is not null && result.GetValue(password) is null)
                throw new UsageException("--user needs --password (or BELTLINE_SEARCH_PASSWORD).");
            var consumerConfig = client.Config(result, new ConsumerConfig { GroupId = result.GetValue(groupId), ClientId = "search-sink" });
            KafkaReachability.Metadata(consumerConfig, ReachTimeout);
            var topics = ClickstreamIndices.TopicsToIndices(new ClickstreamJobOptions
            {
                SessionsTopic = result.GetValue(sessionsTopic)!,
                SessionCountsTopic = result.GetValue(countsTopic)!,
                DepartmentsTopic = result.GetValue(departmentsTopic)!,
            });

            using var loggerFactory = Logging.Create(LogFormat.Text, LogLevel.Information, toStandardError: true);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var runner = new SearchSinkRunner(consumerConfig, new SearchClient(http, uri, result.GetValue(user), result.GetValue(password)),
                topics, new SearchSinkOptions { MaxAttempts = result.GetValue(maxAttempts) }, loggerFactory.CreateLogger("Beltline.SearchSink"));
            var console = CliConsole.For(result);
            console.MarkupLineInterpolated($"Indexing {string.Join(", ", topics.Keys)} into {uri}. Ctrl+C stops.");
            var last = runner.Status;
            SearchSinkStatus summary;
            try
            {
                summary = await StationStatus.WhileRunning(runner.RunAsync(cancellationToken), () =>
                {
                    var now = runner.Status;
                    var rate = (now.Indexed - last.Indexed) / (now.Elapsed - last.Elapsed).TotalSeconds;
                    console.MarkupLineInterpolated($"[grey]{now.Elapsed:hh\\:mm\\:ss}[/] records {now.Records:N0} · indexed {now.Indexed:N0} · {rate:N0} docs/s · refused {now.Rejected:N0} · retries {now.Retries:N0}");
                    last = now;
                });
            }
            catch (Exception e) when (e is SearchUnavailableException or InvalidOperationException)
            {
                // Nothing unacknowledged was committed: a restart sends it again.
                throw new ToolFailureException(e.Message);
            }
            StationStatus.WriteSummary(console, "Search sink summary",
                ("elapsed", StationStatus.Duration(summary.Elapsed)),
                ("records read", StationStatus.Count(summary.Records)),
                ("documents indexed", StationStatus.Count(summary.Indexed)),
                ("documents refused", StationStatus.Count(summary.Rejected)),
                ("bulk requests", StationStatus.Count(summary.Bulks)),
                ("retries", StationStatus.Count(summary.Retries)));
            return 0;
        });
        return new Command("sink", "Move the line's results out of Kafka into other stores.") { search };
    }
}
