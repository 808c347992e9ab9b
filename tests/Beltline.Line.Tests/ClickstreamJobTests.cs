using System.Text;
using System.Text.Json;
using Beltline.Line.ClickstreamProcessor;
using Beltline.Streams;

namespace Beltline.Line.Tests;

/// <summary>The job's wiring: what reaches which topic when; the window rules themselves are pinned by the golden tests.</summary>
public sealed class ClickstreamJobTests
{
    private static byte[] Click(long ts, long user, string type, string product) => Encoding.UTF8.GetBytes(
        $$"""{"ip":"66.249.1.1","eventtimestamp":{{ts}},"devicetype":"mobile","event_type":"{{type}}","product_type":"{{product}}","userid":{{user}},"globalseq":1,"prevglobalseq":0}""");

    [Fact]
    public void A_session_fires_once_the_watermark_passes_its_end_and_feeds_the_10_second_windows()
    {
        var job = new ClickstreamJob();
        job.Assign([0]);
        job.Process(0, 0, Click(1000, 7, "product_detail", "laptops"));
        job.Process(0, 1, Click(1200, 7, "order_checkout", "laptops"));

        Assert.Empty(job.TakeOutputs());
        job.Process(0, 2, Click(30_000, 8, "home_page", "N/A"));

        var outputs = job.TakeOutputs();
        Assert.Equal(9999, job.Watermark);
        var session = Assert.Single(outputs, o => o.Topic == ClickstreamJobOptions.DefaultSessionsTopic);
        Assert.Equal("7@1000", session.Key);
        Assert.Equal(2199, session.Timestamp);
        using var json = JsonDocument.Parse(session.Value);
        Assert.Equal(2, json.RootElement.GetProperty("eventCount").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("orderCheckoutEventCount").GetInt32());
        Assert.Equal(["laptops"], json.RootElement.GetProperty("deptList").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(2200, json.RootElement.GetProperty("windowEndTime").GetInt64());
        var counts = Assert.Single(outputs, o => o.Topic == ClickstreamJobOptions.DefaultSessionCountsTopic);
        Assert.Equal("0", counts.Key);
        Assert.Equal(9999, counts.Timestamp);
        var department = Assert.Single(outputs, o => o.Topic == ClickstreamJobOptions.DefaultDepartmentsTopic);
        Assert.Equal("laptops@0", department.Key);
    }
}
