using System.Globalization;
using static Beltline.Line.Clickstream.ClickEventTypes;

namespace Beltline.Line.Clickstream;

/// <summary>
/// What all generator threads share, as in the original: the global sequence (one counter, so globalseq is unique
/// and gap-free across threads) and the user-id ceiling (grows by 1000 per session, so user ids only grow).
/// </summary>
public sealed class ClickstreamSequence(long lastGlobalSeq = 0)
{
    public const int FirstUserIdCeiling = 1000;
    public const int UserIdsPerSession = 1000;

    private long _globalSeq = lastGlobalSeq;
    private long _userIdCeiling = FirstUserIdCeiling;

    /// <summary>The highest globalseq handed out so far: what the bookmark keeps.</summary>
    public long LastGlobalSeq => Volatile.Read(ref _globalSeq);

    public long NextGlobalSeq() => Interlocked.Increment(ref _globalSeq);

    /// <summary>
    /// A user id in [previous ceiling, new ceiling). The original reads the ceiling and adds to it in two steps, so
    /// racing threads may share a range; one atomic add gives every session its own range.
    /// </summary>
    public long NextUserId(Random random)
    {
        var ceiling = Interlocked.Add(ref _userIdCeiling, UserIdsPerSession);
        return ceiling - UserIdsPerSession + random.NextInt64(UserIdsPerSession);
    }
}

/// <summary>
/// One generator thread's sessions, a port of the original's <c>Events</c>: a session picks a device and an ip
/// <c>66.249.1.0-254</c>, opens on the home page, walks the shop's state machine with uniform choices, and ends with
/// a terminating event (empty event and product type) that is sent too. prevglobalseq is this thread's previous
/// globalseq (0 before its first event).
/// </summary>
public sealed class ClickSessionGenerator(ClickstreamSequence sequence, Random random)
{
    public static readonly string[] DeviceTypes = ["mobile", "computer", "tablet"];
    public static readonly string[] ProductTypes = ["cell phones", "laptops", "ear phones", "soundbars", "cd players", "AirPods", "video games", "cameras"];

    // The original's option lists, in its order; each next step is a uniform choice among them.
    private static readonly string[] AfterHomePage = [ProductCatalog];
    private static readonly string[] AfterProductCatalog = [HomePage, ProductDetail];
    private static readonly string[] AfterProductDetail = [ProductCatalog, AddToCart];
    private static readonly string[] AfterAddToCart = [ProductCatalog, RemoveFromCart, Order];
    private static readonly string[] AfterOrder = [OrderCheckout, RemoveFromCart, ProductCatalog];
    private static readonly string[] AfterRemoveFromCart = [End, ProductDetail, ProductCatalog];
    private static readonly string[] AfterOrderCheckout = [End];

    private long _prevGlobalSeq;
    private string? _previousEventType;
    private string _previousProductType = "";
    private string _ip = "";
    private string _deviceType = "";

    /// <summary>The session's user; also the record key, as a string.</summary>
    public long UserId { get; private set; }

    public string UserKey { get; private set; } = "";

    /// <summary>True once the session's terminating event has been made.</summary>
    public bool SessionEnded { get; private set; } = true;

    /// <summary>The events of every legal step: the state machine, for tests and documentation.</summary>
    public static IReadOnlyList<string> NextEventTypes(string eventType) => eventType switch
    {
        HomePage => AfterHomePage,
        ProductCatalog => AfterProductCatalog,
        ProductDetail => AfterProductDetail,
        AddToCart => AfterAddToCart,
        Order => AfterOrder,
        OrderCheckout => AfterOrderCheckout,
        RemoveFromCart => AfterRemoveFromCart,
        _ => [],
    };

    public void StartSession()
    {
        UserId = sequence.NextUserId(random);
        UserKey = UserId.ToString(CultureInfo.InvariantCulture);
        _deviceType = DeviceTypes[random.Next(DeviceTypes.Length)];
        _ip = IpAddresses[random.Next(IpAddresses.Length)];
        _previousEventType = null;
        SessionEnded = false;
    }

    public ClickEvent NextEvent(long timestampMs)
    {
        if (SessionEnded)
            throw new InvalidOperationException("The session has ended; start a new one.");
        string eventType, productType;
        if (_previousEventType is null)
        {
            eventType = HomePage;
            productType = NoProduct;
        }
        else
        {
            eventType = NextEventType(_previousEventType);
            productType = eventType switch
            {
                HomePage or ProductCatalog => NoProduct,
                ProductDetail => ProductTypes[random.Next(ProductTypes.Length)],
                AddToCart or RemoveFromCart or Order or OrderCheckout => _previousProductType,
                _ => "",
            };
        }
        var globalSeq = sequence.NextGlobalSeq();
        var click = new ClickEvent(_ip, timestampMs, _deviceType, eventType, productType, UserId, globalSeq, _prevGlobalSeq);
        _prevGlobalSeq = globalSeq;
        _previousEventType = eventType;
        _previousProductType = productType;
        SessionEnded = eventType.Length == 0;
        return click;
    }

    private string NextEventType(string previous)
    {
        var options = NextEventTypes(previous);
        return options.Count == 1 ? options[0] : options[random.Next(options.Count)];
    }

    // 66.249.1.0 to 66.249.1.254, as the original's nextInt(255); made once instead of per session.
    private static readonly string[] IpAddresses = Enumerable.Range(0, 255).Select(i => "66.249.1." + i.ToString(CultureInfo.InvariantCulture)).ToArray();
}
