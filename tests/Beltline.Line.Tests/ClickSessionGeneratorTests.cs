using System.Text.RegularExpressions;
using Beltline.Line.Clickstream;
using static Beltline.Line.Clickstream.ClickEventTypes;

namespace Beltline.Line.Tests;

public sealed class ClickSessionGeneratorTests
{
    private static List<List<ClickEvent>> Sessions(int count, int seed)
    {
        var generator = new ClickSessionGenerator(new ClickstreamSequence(), new Random(seed));
        var sessions = new List<List<ClickEvent>>();
        for (var s = 0; s < count; s++)
        {
            generator.StartSession();
            var session = new List<ClickEvent>();
            while (!generator.SessionEnded)
                session.Add(generator.NextEvent(1_700_000_000_000 + session.Count));
            sessions.Add(session);
        }
        return sessions;
    }

    [Fact]
    public void Every_step_is_a_transition_of_the_original_state_machine_and_every_session_ends_with_the_terminating_event()
    {
        foreach (var session in Sessions(2000, seed: 7))
        {
            Assert.Equal(HomePage, session[0].EventType);
            Assert.Equal(NoProduct, session[0].ProductType);
            for (var i = 1; i < session.Count; i++)
                Assert.Contains(session[i].EventType, ClickSessionGenerator.NextEventTypes(session[i - 1].EventType));
            var last = session[^1];
            Assert.True(last.IsTerminating);
            Assert.Equal("", last.EventType);
            Assert.Equal("", last.ProductType);
            Assert.Contains(session[^2].EventType, new[] { OrderCheckout, RemoveFromCart });
            Assert.All(session.SkipLast(1), e => Assert.False(e.IsTerminating));
        }
    }

    [Fact]
    public void The_state_machine_is_the_originals()
    {
        Assert.Equal([ProductCatalog], ClickSessionGenerator.NextEventTypes(HomePage));
        Assert.Equal([HomePage, ProductDetail], ClickSessionGenerator.NextEventTypes(ProductCatalog));
        Assert.Equal([ProductCatalog, AddToCart], ClickSessionGenerator.NextEventTypes(ProductDetail));
        Assert.Equal([ProductCatalog, RemoveFromCart, Order], ClickSessionGenerator.NextEventTypes(AddToCart));
        Assert.Equal([OrderCheckout, RemoveFromCart, ProductCatalog], ClickSessionGenerator.NextEventTypes(Order));
        Assert.Equal([End], ClickSessionGenerator.NextEventTypes(OrderCheckout));
        Assert.Equal([End, ProductDetail, ProductCatalog], ClickSessionGenerator.NextEventTypes(RemoveFromCart));
    }

    [Fact]
    public void Products_follow_the_originals_rules()
    {
        foreach (var session in Sessions(2000, seed: 11))
        {
            for (var i = 0; i < session.Count; i++)
            {
                var click = session[i];
                switch (click.EventType)
                {
                    case HomePage or ProductCatalog:
                        Assert.Equal(NoProduct, click.ProductType);
                        break;
                    case ProductDetail:
                        Assert.Contains(click.ProductType, ClickSessionGenerator.ProductTypes);
                        break;
                    case AddToCart or RemoveFromCart or Order or OrderCheckout:
                        Assert.Equal(session[i - 1].ProductType, click.ProductType);
                        break;
                    default:
                        Assert.Equal("", click.ProductType);
                        break;
                }
            }
        }
    }

    [Fact]
    public void Every_choice_is_reached_and_uniform()
    {
        var next = new Dictionary<(string, string), int>();
        var devices = new Dictionary<string, int>();
        foreach (var session in Sessions(20_000, seed: 3))
        {
            devices[session[0].DeviceType] = devices.GetValueOrDefault(session[0].DeviceType) + 1;
            for (var i = 1; i < session.Count; i++)
                next[(session[i - 1].EventType, session[i].EventType)] = next.GetValueOrDefault((session[i - 1].EventType, session[i].EventType)) + 1;
        }
        Assert.Equal(ClickSessionGenerator.DeviceTypes.Order(), devices.Keys.Order());
        Assert.All(devices.Values, n => Assert.InRange(n, 20_000 / 3 * 0.9, 20_000 / 3 * 1.1));
        foreach (var from in new[] { ProductCatalog, ProductDetail, AddToCart, Order, RemoveFromCart })
        {
            var options = ClickSessionGenerator.NextEventTypes(from);
            var total = options.Sum(to => next.GetValueOrDefault((from, to)));
            Assert.All(options, to => Assert.InRange(next.GetValueOrDefault((from, to)), total / options.Count * 0.9, total / options.Count * 1.1));
        }
    }

    [Fact]
    public void A_session_keeps_one_user_device_and_ip_and_user_ids_only_grow()
    {
        var previousUser = 0L;
        var ceiling = (long)ClickstreamSequence.FirstUserIdCeiling;
        foreach (var session in Sessions(500, seed: 5))
        {
            Assert.Single(session.Select(e => (e.UserId, e.DeviceType, e.Ip)).Distinct());
            Assert.Matches(new Regex(@"^66\.249\.1\.(\d+)$"), session[0].Ip);
            Assert.InRange(int.Parse(session[0].Ip.Split('.')[3]), 0, 254);
            Assert.InRange(session[0].UserId, ceiling, ceiling + ClickstreamSequence.UserIdsPerSession - 1);
            Assert.True(session[0].UserId > previousUser);
            previousUser = session[0].UserId;
            ceiling += ClickstreamSequence.UserIdsPerSession;
        }
    }

    [Fact]
    public void Globalseq_counts_up_and_prevglobalseq_points_at_the_threads_previous_event()
    {
        var clicks = Sessions(50, seed: 9).SelectMany(s => s).ToList();

        Assert.Equal(Enumerable.Range(1, clicks.Count).Select(i => (long)i), clicks.Select(c => c.GlobalSeq));
        Assert.Equal(0, clicks[0].PrevGlobalSeq);
        for (var i = 1; i < clicks.Count; i++)
            Assert.Equal(clicks[i - 1].GlobalSeq, clicks[i].PrevGlobalSeq);
    }

    [Fact]
    public void The_same_seed_gives_the_same_sessions()
    {
        Assert.Equal(Sessions(100, seed: 42), Sessions(100, seed: 42), new SessionComparer());
        Assert.NotEqual(Sessions(100, seed: 42), Sessions(100, seed: 43), new SessionComparer());
    }

    [Fact]
    public void Asking_past_the_end_of_a_session_is_a_programming_error()
    {
        var generator = new ClickSessionGenerator(new ClickstreamSequence(), new Random(1));

        Assert.Throws<InvalidOperationException>(() => generator.NextEvent(0));
    }

    private sealed class SessionComparer : IEqualityComparer<List<ClickEvent>>
    {
        public bool Equals(List<ClickEvent>? x, List<ClickEvent>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(List<ClickEvent> obj) => obj.Count;
    }
}
