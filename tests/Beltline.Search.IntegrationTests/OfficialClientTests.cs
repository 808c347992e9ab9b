using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Aggregations;
using Elastic.Transport;

namespace Beltline.Search.IntegrationTests;

/// <summary>Elastic.Clients.Elasticsearch 9.x, the official .NET client, against the store: bulk, search, aggregations.</summary>
public sealed class OfficialClientTests(SearchServerFixture fixture) : IClassFixture<SearchServerFixture>
{
    public sealed record Department(string DepartmentName, int DepartmentCount, long WindowBeginTime, long WindowEndTime);

    private ElasticsearchClient Client() =>
        new(new ElasticsearchClientSettings(new SingleNodePool(fixture.Server.BaseAddress)).DisableDirectStreaming());

    [Fact]
    public async Task Bulk_search_and_aggregations_through_the_official_client()
    {
        var client = Client();
        var documents = Enumerable.Range(0, 30).Select(i => new Department(i % 3 == 0 ? "laptops" : "cameras", i, 1_700_000_000_000 + i * 10_000, 1_700_000_010_000 + i * 10_000)).ToList();

        var bulk = await client.BulkAsync(b => b.Index("departments_official").IndexMany(documents, (op, d) => op.Id($"{d.DepartmentName}@{d.WindowBeginTime}")).Refresh(Refresh.True));
        var search = await client.SearchAsync<Department>(s => s
            .Indices("departments_official")
            .Query(q => q.Term(t => t.Field("departmentName.keyword").Value("laptops")))
            .Size(3)
            .Sort(o => o.Field("windowBeginTime", f => f.Order(SortOrder.Asc)))
            .Aggregations(a => a.Add("per_department", agg => agg.Terms(t => t.Field("departmentName.keyword")).Aggregations(sub => sub.Add("total", s2 => s2.Sum(m => m.Field("departmentCount")))))));

        Assert.True(bulk.IsValidResponse, bulk.DebugInformation);
        Assert.False(bulk.Errors);
        Assert.Equal(30, bulk.Items.Count);
        Assert.True(search.IsValidResponse, search.DebugInformation);
        Assert.Equal(10, search.Total);
        Assert.Equal([0, 3, 6], search.Documents.Select(d => d.DepartmentCount));
        var buckets = search.Aggregations!.GetStringTerms("per_department")!.Buckets;
        var laptops = Assert.Single(buckets);
        Assert.Equal("laptops", laptops.Key.ToString());
        Assert.Equal(10, laptops.DocCount);
        Assert.Equal(Enumerable.Range(0, 10).Sum(i => i * 3), laptops.Aggregations!.GetSum("total")!.Value);
    }
}
