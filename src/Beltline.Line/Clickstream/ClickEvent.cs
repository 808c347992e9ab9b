namespace Beltline.Line.Clickstream;

/// <summary>
/// One click, the original's Avro record <c>samples.clickstream.avro.ClickEvent</c> with its fields in order.
/// <see cref="UserId"/> is an int there; here a long, because at full speed the original's int overflows after
/// 2.1 million sessions (about a minute). As JSON the two read the same.
/// </summary>
public readonly record struct ClickEvent(
    string Ip,
    long EventTimestamp,
    string DeviceType,
    string EventType,
    string ProductType,
    long UserId,
    long GlobalSeq,
    long PrevGlobalSeq)
{
    /// <summary>The event that ends a session: the original sends it, with an empty event and product type.</summary>
    public bool IsTerminating => EventType.Length == 0;
}

/// <summary>The event types of the session state machine, as the original spells them.</summary>
public static class ClickEventTypes
{
    public const string HomePage = "home_page";
    public const string ProductCatalog = "product_catalog";
    public const string ProductDetail = "product_detail";
    public const string AddToCart = "add_to_cart";
    public const string RemoveFromCart = "remove_from_cart";
    public const string Order = "order";
    public const string OrderCheckout = "order_checkout";
    public const string End = "";

    /// <summary>The product type of events that show no product (home page, catalog).</summary>
    public const string NoProduct = "N/A";
}
