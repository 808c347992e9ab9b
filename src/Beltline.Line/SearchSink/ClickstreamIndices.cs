using Beltline.Line.ClickstreamProcessor;

namespace Beltline.Line.SearchSink;

/// <summary>
/// The processor's result topics and the indices they land in, with the mappings of the workshop's later variant
/// (workshop-spec §2): window times <c>date</c>, counts <c>integer</c>, userId <c>long</c>, the percentage
/// <c>double</c>, names <c>text</c> with a <c>.keyword</c> subfield. Dates arrive as epoch milliseconds, which
/// Elasticsearch's default date format reads.
/// </summary>
public static class ClickstreamIndices
{
    public const string SessionDetails = "user_session_details";
    public const string SessionCounts = "user_session_counts";
    public const string DepartmentsCount = "departments_count";

    private const string Date = """{"type":"date"}""";
    private const string Integer = """{"type":"integer"}""";
    private const string TextWithKeyword = """{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}}""";

    public static IReadOnlyDictionary<string, string> Mappings { get; } = new Dictionary<string, string>
    {
        [SessionDetails] = Index(("userId", """{"type":"long"}"""), ("eventCount", Integer), ("orderCheckoutEventCount", Integer),
            ("deptList", TextWithKeyword), ("eventKey", Integer), ("windowBeginTime", Date), ("windowEndTime", Date)),
        [SessionCounts] = Index(("userSessionCount", Integer), ("userSessionCountWithOrderCheckout", Integer),
            ("percentSessionswithBuy", """{"type":"double"}"""), ("windowBeginTime", Date), ("windowEndTime", Date)),
        [DepartmentsCount] = Index(("departmentName", TextWithKeyword), ("departmentCount", Integer), ("windowBeginTime", Date), ("windowEndTime", Date)),
    };

    /// <summary>The body of <c>PUT /{index}</c> with these field mappings.</summary>
    private static string Index(params (string Field, string Mapping)[] fields) =>
        """{"mappings":{"properties":{""" + string.Join(",", fields.Select(f => $"\"{f.Field}\":{f.Mapping}")) + "}}}";

    /// <summary>The original's routing: each result topic to its index.</summary>
    public static IReadOnlyDictionary<string, string> TopicsToIndices(ClickstreamJobOptions? topics = null)
    {
        topics ??= new ClickstreamJobOptions();
        return new Dictionary<string, string>
        {
            [topics.SessionsTopic] = SessionDetails,
            [topics.SessionCountsTopic] = SessionCounts,
            [topics.DepartmentsTopic] = DepartmentsCount,
        };
    }
}
