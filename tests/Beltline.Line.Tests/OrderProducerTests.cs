using System.Text.Json;
using Beltline.Line.OrderProducer;

namespace Beltline.Line.Tests;

public sealed class OrderProducerTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Settings_come_from_the_functions_environment()
    {
        var settings = OrderProducerSettings.From(Environment(("MESSAGE_COUNT", "25"), ("BOOTSTRAP_SERVER", "b-1:9092"), ("TOPIC_NAME", "orders")));

        Assert.Equal(new OrderProducerSettings(25, "b-1:9092", "orders"), settings);
    }

    [Fact]
    public void Flags_override_the_environment_and_the_count_defaults_to_zero()
    {
        var settings = OrderProducerSettings.From(Environment(("BOOTSTRAP_SERVER", "b-1:9092"), ("TOPIC_NAME", "orders")), count: null, bootstrap: "127.0.0.1:9092", topic: "mine");
        var counted = OrderProducerSettings.From(Environment(("MESSAGE_COUNT", "25"), ("BOOTSTRAP_SERVER", "b"), ("TOPIC_NAME", "t")), count: 3);

        Assert.Equal(new OrderProducerSettings(0, "127.0.0.1:9092", "mine"), settings);
        Assert.Equal(3, counted.MessageCount);
    }

    [Fact]
    public void A_missing_topic_or_bootstrap_is_a_clear_error()
    {
        var neither = Assert.Throws<OrderProducerConfigException>(() => OrderProducerSettings.From(Environment(("TOPIC_NAME", " "))));
        var noTopic = Assert.Throws<OrderProducerConfigException>(() => OrderProducerSettings.From(Environment(("BOOTSTRAP_SERVER", "b:9092"))));

        Assert.Contains("No Kafka bootstrap servers: set BOOTSTRAP_SERVER", neither.Message);
        Assert.Contains("No topic: set TOPIC_NAME", neither.Message);
        Assert.Equal("No topic: set TOPIC_NAME (or --topic).", noTopic.Message);
    }

    [Theory]
    [InlineData("many", "MESSAGE_COUNT='many' is not an integer.")]
    [InlineData("-3", "The message count must be 0 or more, got -3.")]
    public void A_bad_count_is_named(string count, string expected)
    {
        var error = Assert.Throws<OrderProducerConfigException>(() =>
            OrderProducerSettings.From(Environment(("MESSAGE_COUNT", count), ("BOOTSTRAP_SERVER", "b:9092"), ("TOPIC_NAME", "t"))));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void The_response_is_the_originals_byte_for_byte()
    {
        Assert.Equal("""{"statusCode":200,"body":"\"Lambda function executed!\""}""", OrderProducerResponse.Executed.ToJson());
    }

    [Fact]
    public void An_order_keeps_the_originals_fields_and_adds_what_a_real_order_carries()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 27, 8, 30, 15, 250, TimeSpan.Zero));
        var order = new OrderGenerator(new Random(1), clock).Next();

        using var json = JsonDocument.Parse(order.ToJson());
        var root = json.RootElement;
        Assert.Equal("order_placed", root.GetProperty("event_type").GetString());
        Assert.Equal(order.OrderId, root.GetProperty("order_id").GetInt64());
        Assert.Equal(order.CustomerId, root.GetProperty("customer_id").GetInt32());
        Assert.Equal(order.Key, root.GetProperty("customer_id").GetInt32().ToString());
        Assert.Equal("2026-11-27T08:30:15.250Z", root.GetProperty("order_timestamp").GetString());
        var items = root.GetProperty("items").EnumerateArray().ToList();
        Assert.InRange(items.Count, 1, 4);
        var total = 0m;
        foreach (var item in items)
        {
            var product = OrderGenerator.Catalog.Single(p => p.ProductId == item.GetProperty("product_id").GetInt32());
            Assert.Equal(product.Name, item.GetProperty("product_name").GetString());
            Assert.Equal(product.UnitPrice, item.GetProperty("unit_price").GetDecimal());
            Assert.InRange(item.GetProperty("quantity").GetInt32(), 1, 3);
            total += product.UnitPrice * item.GetProperty("quantity").GetInt32();
        }
        Assert.Equal(items.Count, items.Select(i => i.GetProperty("product_id").GetInt32()).Distinct().Count());
        Assert.Equal(total, root.GetProperty("total").GetDecimal());
    }

    [Fact]
    public void Orders_are_unique_even_when_the_clock_stands_still()
    {
        var generator = new OrderGenerator(new Random(2), new FixedClock(DateTimeOffset.UnixEpoch.AddYears(60)));

        var orders = Enumerable.Range(0, 5000).Select(_ => generator.Next()).ToList();

        Assert.Equal(orders.Count, orders.Select(o => o.OrderId).Distinct().Count());
        Assert.True(orders.Select(o => o.OrderId).SequenceEqual(orders.Select(o => o.OrderId).Order()));
        Assert.True(orders.Select(o => o.CustomerId).Distinct().Count() > 1000);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
