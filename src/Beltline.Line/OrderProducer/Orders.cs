using System.Buffers;
using System.Text.Json;

namespace Beltline.Line.OrderProducer;

/// <summary>A product of the shop; the categories are the clickstream's product types, so orders and clicks tell one story.</summary>
public sealed record Product(int ProductId, string Name, string Category, decimal UnitPrice);

public sealed record OrderItem(Product Product, int Quantity);

/// <summary>
/// One placed order. Its JSON keeps the original Lambda's message as a subset (event_type, order_id, customer_id,
/// items[].product_id, items[].quantity) and adds what a real order carries.
/// </summary>
public sealed record Order(long OrderId, int CustomerId, DateTimeOffset OrderTimestamp, IReadOnlyList<OrderItem> Items)
{
    public const string EventType = "order_placed";

    public decimal Total => Items.Sum(i => i.Quantity * i.Product.UnitPrice);

    /// <summary>The record key: orders of one customer stay in one partition, in order.</summary>
    public string Key => CustomerId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event_type", EventType);
            json.WriteNumber("order_id", OrderId);
            json.WriteNumber("customer_id", CustomerId);
            json.WriteString("order_timestamp", OrderTimestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteStartArray("items");
            foreach (var item in Items)
            {
                json.WriteStartObject();
                json.WriteNumber("product_id", item.Product.ProductId);
                json.WriteString("product_name", item.Product.Name);
                json.WriteString("category", item.Product.Category);
                json.WriteNumber("quantity", item.Quantity);
                json.WriteNumber("unit_price", item.Product.UnitPrice);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("total", Total);
            json.WriteString("currency", "USD");
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>Realistic random orders: 1–4 distinct catalog products, 1–3 of each, from customers 1000–99999.</summary>
public sealed class OrderGenerator(Random random, TimeProvider clock)
{
    public static IReadOnlyList<Product> Catalog { get; } =
    [
        new(101, "Galaxy S24", "cell phones", 799.99m), new(102, "Pixel 9", "cell phones", 699.00m), new(103, "iPhone 16", "cell phones", 829.00m),
        new(201, "ThinkPad X1 Carbon", "laptops", 1429.00m), new(202, "MacBook Air 13", "laptops", 1099.00m), new(203, "XPS 14", "laptops", 1299.99m),
        new(301, "WH-1000XM5", "ear phones", 349.99m), new(302, "QuietComfort Ultra", "ear phones", 299.00m), new(303, "Momentum 4", "ear phones", 279.95m),
        new(401, "Sonos Arc", "soundbars", 899.00m), new(402, "Bose Smart Soundbar", "soundbars", 499.00m), new(403, "Samsung HW-Q600C", "soundbars", 279.99m),
        new(501, "Sony CDP-CE500", "cd players", 149.00m), new(502, "Yamaha CD-S303", "cd players", 379.95m), new(503, "Denon DCD-600NE", "cd players", 449.00m),
        new(601, "AirPods 4", "AirPods", 129.00m), new(602, "AirPods Pro 2", "AirPods", 249.00m), new(603, "AirPods Max", "AirPods", 549.00m),
        new(701, "Zelda: Tears of the Kingdom", "video games", 69.99m), new(702, "Elden Ring", "video games", 59.99m), new(703, "FC 25", "video games", 49.99m),
        new(801, "Canon EOS R8", "cameras", 1499.00m), new(802, "Sony A7 IV", "cameras", 2498.00m), new(803, "Fujifilm X-T5", "cameras", 1699.00m),
    ];

    public Order Next()
    {
        var products = Catalog.ToArray();
        random.Shuffle(products);
        var items = products.Take(random.Next(1, 5)).Select(p => new OrderItem(p, random.Next(1, 4))).ToArray();
        return new Order(OrderIds.Next(clock), random.Next(1000, 100_000), clock.GetUtcNow(), items);
    }
}

/// <summary>
/// Order ids unique across invocations without coordination: microseconds since the epoch when the order is made,
/// bumped by one when two orders fall in the same microsecond. Ids only grow within a process; a later process
/// starts from a later clock.
/// </summary>
internal static class OrderIds
{
    private static long s_last;

    public static long Next(TimeProvider clock)
    {
        var now = (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        while (true)
        {
            var last = Volatile.Read(ref s_last);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref s_last, next, last) == last)
                return next;
        }
    }
}
