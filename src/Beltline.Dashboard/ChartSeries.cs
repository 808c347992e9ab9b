using System.Globalization;
using System.Text.Json;

namespace Beltline.Dashboard;

/// <summary>One line of a chart: (time, value) points.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(long Time, double Value)> Points);

/// <summary>A chart of the dashboard: its title and lines.</summary>
public sealed record Chart(string Id, string Title, IReadOnlyList<ChartSeries> Series);

/// <summary>
/// The Clickstream Dashboard's five line charts (workshop-spec §3), as Elasticsearch queries over the processor's
/// indices with time field windowEndTime, and the reading of their answers. Plain query DSL, so they run against
/// Elasticsearch and OpenSearch as they do against Beltline's store.
/// </summary>
public static class ClickstreamCharts
{
    public sealed record Definition(string Id, string Title, string Index, string Query, Func<JsonElement, IReadOnlyList<ChartSeries>> Read);

    public static IReadOnlyList<Definition> All(TimeSpan range, TimeSpan interval)
    {
        var filter = "{\"range\":{\"windowEndTime\":{\"gte\":\"now-" + (long)range.TotalSeconds + "s\"}}}";
        var histogram = "{\"date_histogram\":{\"field\":\"windowEndTime\",\"fixed_interval\":\"" + (long)interval.TotalSeconds + "s\"}";
        string OverTime(string metric, string field) =>
            "{\"size\":0,\"query\":" + filter + ",\"aggs\":{\"over_time\":" + histogram + ",\"aggs\":{\"value\":{\"" + metric + "\":{\"field\":\"" + field + "\"}}}}}}";
        return
        [
            new("departments", "Sessions per department (top 5)", "departments_count",
                "{\"size\":0,\"query\":" + filter + ",\"aggs\":{\"top\":{\"terms\":{\"field\":\"departmentName.keyword\",\"size\":5,\"order\":{\"total\":\"desc\"}},"
                + "\"aggs\":{\"total\":{\"sum\":{\"field\":\"departmentCount\"}},\"over_time\":" + histogram + ",\"aggs\":{\"value\":{\"sum\":{\"field\":\"departmentCount\"}}}}}}}}",
                answer => answer.GetProperty("aggregations").GetProperty("top").GetProperty("buckets").EnumerateArray()
                    .Select(b => new ChartSeries(b.GetProperty("key").GetString()!, Points(b.GetProperty("over_time")))).ToList()),
            new("checkout-events", "Average orderCheckoutEventCount", "user_session_details", OverTime("avg", "orderCheckoutEventCount"), Single("avg orderCheckoutEventCount")),
            new("percent-with-buy", "percentSessionswithBuy", "user_session_counts", OverTime("avg", "percentSessionswithBuy"), Single("percentSessionswithBuy")),
            new("sessions", "userSessionCount", "user_session_counts", OverTime("sum", "userSessionCount"), Single("userSessionCount")),
            new("sessions-with-checkout", "userSessionCountWithOrderCheckout", "user_session_counts", OverTime("sum", "userSessionCountWithOrderCheckout"), Single("userSessionCountWithOrderCheckout")),
        ];
    }

    private static Func<JsonElement, IReadOnlyList<ChartSeries>> Single(string name) =>
        answer => [new ChartSeries(name, Points(answer.GetProperty("aggregations").GetProperty("over_time")))];

    /// <summary>The date histogram's buckets; a bucket whose metric is null (no documents) is left out.</summary>
    private static List<(long, double)> Points(JsonElement histogram) =>
        histogram.GetProperty("buckets").EnumerateArray()
            .Where(b => b.GetProperty("value").GetProperty("value").ValueKind == JsonValueKind.Number)
            .Select(b => (b.GetProperty("key").GetInt64(), b.GetProperty("value").GetProperty("value").GetDouble()))
            .ToList();

    public static string FormatTime(long epochMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(epochMs).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
