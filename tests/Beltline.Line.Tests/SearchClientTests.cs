using System.Net;
using System.Text;
using System.Text.Json;
using Beltline.Line.SearchSink;

namespace Beltline.Line.Tests;

public sealed class SearchClientTests
{
    /// <summary>Answers each request with the next scripted response and keeps what was asked.</summary>
    internal sealed class ScriptedStore(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        private int _next;

        public List<(HttpMethod Method, string Path, string? Body, string? Authorization)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((request.Method, request.RequestUri!.PathAndQuery,
                request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken), request.Headers.Authorization?.ToString()));
            return answers[Math.Min(_next++, answers.Length - 1)](request);
        }
    }

    internal static HttpResponseMessage Json(HttpStatusCode status, string body) => new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static SearchClient Client(ScriptedStore store, string? user = null) =>
        new(new HttpClient(store), new Uri("http://search.test:9200/"), user, user is null ? null : "secret");

    [Fact]
    public async Task A_bulk_answer_is_split_into_indexed_busy_and_refused_items()
    {
        var store = new ScriptedStore(_ => Json(HttpStatusCode.OK, """
            {"took":3,"errors":true,"items":[
              {"index":{"_index":"a","_id":"1","status":201,"result":"created"}},
              {"index":{"_index":"a","_id":"2","status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}},
              {"index":{"_index":"a","_id":"3","status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [eventCount]"}}}]}
            """));

        var outcome = await Client(store).BulkAsync("x"u8.ToArray(), 3, CancellationToken.None);

        Assert.Equal(1, outcome.Indexed);
        Assert.Equal([1], outcome.RetryItems);
        var (item, reason) = Assert.Single(outcome.Rejected);
        Assert.Equal(2, item);
        Assert.Contains("mapper_parsing_exception", reason);
        Assert.Equal((HttpMethod.Post, "/_bulk"), (store.Requests[0].Method, store.Requests[0].Path));
    }

    [Fact]
    public async Task A_missing_index_is_created_with_its_mapping_and_an_existing_one_is_left_alone()
    {
        var missing = new ScriptedStore(_ => new HttpResponseMessage(HttpStatusCode.NotFound), _ => Json(HttpStatusCode.OK, """{"acknowledged":true}"""));
        var present = new ScriptedStore(_ => new HttpResponseMessage(HttpStatusCode.OK));
        var raced = new ScriptedStore(_ => new HttpResponseMessage(HttpStatusCode.NotFound),
            _ => Json(HttpStatusCode.BadRequest, """{"error":{"type":"resource_already_exists_exception"},"status":400}"""));
        var mapping = ClickstreamIndices.Mappings[ClickstreamIndices.SessionCounts];

        await Client(missing).EnsureIndexAsync("user_session_counts", mapping, CancellationToken.None);
        await Client(present).EnsureIndexAsync("user_session_counts", mapping, CancellationToken.None);
        await Client(raced).EnsureIndexAsync("user_session_counts", mapping, CancellationToken.None);

        Assert.Equal([(HttpMethod.Head, "/user_session_counts"), (HttpMethod.Put, "/user_session_counts")], missing.Requests.Select(r => (r.Method, r.Path)));
        Assert.Equal(mapping, missing.Requests[1].Body);
        Assert.Single(present.Requests);
        Assert.Equal(2, raced.Requests.Count);
    }

    [Fact]
    public async Task Credentials_go_as_basic_auth_and_a_refusal_is_not_retried_as_busy()
    {
        var store = new ScriptedStore(_ => Json(HttpStatusCode.Unauthorized, """{"error":{"type":"security_exception"},"status":401}"""));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Client(store, "admin").BulkAsync("x"u8.ToArray(), 1, CancellationToken.None));

        Assert.Equal("Basic " + Convert.ToBase64String("admin:secret"u8.ToArray()), store.Requests[0].Authorization);
        Assert.Contains("401", error.Message);
    }

    [Fact]
    public async Task Busy_failing_and_unreachable_stores_are_transient()
    {
        var busy = new ScriptedStore(_ => Json(HttpStatusCode.ServiceUnavailable, "{}"));
        var unreachable = new SearchClient(new HttpClient(), new Uri("http://127.0.0.1:1/"));

        await Assert.ThrowsAsync<SearchUnavailableException>(() => Client(busy).BulkAsync("x"u8.ToArray(), 1, CancellationToken.None));
        await Assert.ThrowsAsync<SearchUnavailableException>(() => unreachable.BulkAsync("x"u8.ToArray(), 1, CancellationToken.None));
    }

    [Fact]
    public void The_mappings_are_the_workshops()
    {
        using var details = JsonDocument.Parse(ClickstreamIndices.Mappings[ClickstreamIndices.SessionDetails]);
        using var departments = JsonDocument.Parse(ClickstreamIndices.Mappings[ClickstreamIndices.DepartmentsCount]);
        var detailFields = details.RootElement.GetProperty("mappings").GetProperty("properties");
        var departmentFields = departments.RootElement.GetProperty("mappings").GetProperty("properties");

        Assert.Equal("long", detailFields.GetProperty("userId").GetProperty("type").GetString());
        Assert.Equal("integer", detailFields.GetProperty("orderCheckoutEventCount").GetProperty("type").GetString());
        Assert.Equal("date", detailFields.GetProperty("windowEndTime").GetProperty("type").GetString());
        Assert.Equal("keyword", departmentFields.GetProperty("departmentName").GetProperty("fields").GetProperty("keyword").GetProperty("type").GetString());
        Assert.Equal("text", detailFields.GetProperty("deptList").GetProperty("type").GetString());
    }
}
