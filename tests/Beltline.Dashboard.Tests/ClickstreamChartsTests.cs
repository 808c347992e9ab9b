using System.Text.Json;
using System.Xml.Linq;

namespace Beltline.Dashboard.Tests;

public sealed class ClickstreamChartsTests
{
    private static readonly IReadOnlyList<ClickstreamCharts.Definition> Charts = ClickstreamCharts.All(TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(10));

    [Fact]
    public void The_five_charts_of_the_workshops_dashboard_query_their_indices_over_windowEndTime()
    {
        Assert.Equal(["departments", "checkout-events", "percent-with-buy", "sessions", "sessions-with-checkout"], Charts.Select(c => c.Id));
        Assert.Equal(["departments_count", "user_session_details", "user_session_counts", "user_session_counts", "user_session_counts"], Charts.Select(c => c.Index));
        foreach (var chart in Charts)
        {
            using var query = JsonDocument.Parse(chart.Query);
            Assert.Equal(0, query.RootElement.GetProperty("size").GetInt32());
            Assert.Equal("now-900s", query.RootElement.GetProperty("query").GetProperty("range").GetProperty("windowEndTime").GetProperty("gte").GetString());
        }
        using var departments = JsonDocument.Parse(Charts[0].Query);
        var top = departments.RootElement.GetProperty("aggs").GetProperty("top");
        Assert.Equal("departmentName.keyword", top.GetProperty("terms").GetProperty("field").GetString());
        Assert.Equal(5, top.GetProperty("terms").GetProperty("size").GetInt32());
        Assert.Equal("10s", top.GetProperty("aggs").GetProperty("over_time").GetProperty("date_histogram").GetProperty("fixed_interval").GetString());
        using var checkout = JsonDocument.Parse(Charts[1].Query);
        Assert.Equal("orderCheckoutEventCount", checkout.RootElement.GetProperty("aggs").GetProperty("over_time").GetProperty("aggs").GetProperty("value").GetProperty("avg").GetProperty("field").GetString());
    }

    [Fact]
    public void Answers_shaped_as_Elasticsearch_gives_them_become_series()
    {
        using var terms = JsonDocument.Parse("""
            {"took":2,"timed_out":false,"hits":{"total":{"value":40,"relation":"eq"},"max_score":null,"hits":[]},
             "aggregations":{"top":{"doc_count_error_upper_bound":0,"sum_other_doc_count":3,"buckets":[
               {"key":"laptops","doc_count":20,"total":{"value":55.0},"over_time":{"buckets":[
                 {"key_as_string":"2026-11-27T03:00:00.000Z","key":1795748400000,"doc_count":1,"value":{"value":7.0}},
                 {"key_as_string":"2026-11-27T03:00:10.000Z","key":1795748410000,"doc_count":0,"value":{"value":null}},
                 {"key_as_string":"2026-11-27T03:00:20.000Z","key":1795748420000,"doc_count":1,"value":{"value":9.0}}]}},
               {"key":"cameras","doc_count":17,"total":{"value":30.0},"over_time":{"buckets":[
                 {"key_as_string":"2026-11-27T03:00:00.000Z","key":1795748400000,"doc_count":1,"value":{"value":4.0}}]}}]}}}
            """);
        using var single = JsonDocument.Parse("""
            {"aggregations":{"over_time":{"buckets":[{"key":1795748400000,"doc_count":3,"value":{"value":33.333333333333336}}]}}}
            """);

        var departments = Charts[0].Read(terms.RootElement);
        var percent = Charts[2].Read(single.RootElement);

        Assert.Equal(["laptops", "cameras"], departments.Select(s => s.Name));
        Assert.Equal([(1795748400000L, 7.0), (1795748420000L, 9.0)], departments[0].Points);
        Assert.Equal([(1795748400000L, 33.333333333333336)], Assert.Single(percent).Points);
    }

    [Fact]
    public void A_chart_is_an_svg_with_a_polyline_per_series_and_an_empty_one_says_so()
    {
        var chart = new Chart("sessions", "userSessionCount", [new ChartSeries("userSessionCount", [(1000, 2), (11000, 5), (21000, 3)])]);

        var svg = XElement.Parse(SvgLineChart.Render(chart));
        var empty = XElement.Parse(SvgLineChart.Render(new Chart("x", "x & y", [])));

        XNamespace ns = "http://www.w3.org/2000/svg";
        var line = Assert.Single(svg.Descendants(ns + "polyline"));
        Assert.Equal("3", line.Attribute("data-points")!.Value);
        Assert.Equal(3, line.Attribute("points")!.Value.Split(' ').Length);
        Assert.Equal("sessions", svg.Attribute("data-chart")!.Value);
        Assert.Empty(empty.Descendants(ns + "polyline"));
        Assert.Contains("No results yet", empty.Value);
    }
}
