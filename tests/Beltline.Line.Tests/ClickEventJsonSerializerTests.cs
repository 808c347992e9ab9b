using System.Text;
using Beltline.Line.Clickstream;
using Confluent.Kafka;

namespace Beltline.Line.Tests;

public sealed class ClickEventJsonSerializerTests
{
    [Fact]
    public void A_click_is_JSON_with_the_originals_field_names_in_its_order()
    {
        var click = new ClickEvent("66.249.1.17", 1_700_000_000_123, "tablet", "product_detail", "AirPods", 4321, 77, 76);

        var json = Encoding.UTF8.GetString(ClickEventJsonSerializer.Instance.Serialize(click, SerializationContext.Empty));

        Assert.Equal("""{"ip":"66.249.1.17","eventtimestamp":1700000000123,"devicetype":"tablet","event_type":"product_detail","product_type":"AirPods","userid":4321,"globalseq":77,"prevglobalseq":76}""", json);
        Assert.Equal(click, ClickEventJsonSerializer.FromJson(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void The_terminating_event_keeps_its_empty_strings()
    {
        var json = Encoding.UTF8.GetString(ClickEventJsonSerializer.ToJson(new ClickEvent("66.249.1.0", 1, "mobile", "", "", 1000, 2, 1)));

        Assert.Contains("\"event_type\":\"\",\"product_type\":\"\"", json);
    }
}
