using System.Text;
using System.Text.Json;
using Beltline.Line.ClickstreamProcessor;
using Beltline.Streams;
using Microsoft.Extensions.Time.Testing;

namespace Beltline.Line.Tests;

/// <summary>
/// Hand-computed golden tests for <see cref="ClickstreamJob"/>, written from the rules of the workshop spec §2
/// (Flink 1.13 session windows with gap 1 s, bounded out-of-orderness 20 s, idleness 60 s, 10 s tumbling windows)
/// independently of the implementation. Every expected output below was worked out by hand; the comments show the
/// arithmetic. All event times are written relative to <see cref="B"/>, a multiple of 10 000 ms, so a 10 s window
/// starting at relative time 10000 is [B + 10000, B + 20000).
/// </summary>
public sealed class ClickstreamJobGoldenTests
{
    private const long B = 1_700_000_000_000; // 1_700_000_000_000 % 10_000 == 0

    private const string CheckoutTopic = "User_Sessions_Aggregates_With_Order_Checkout";
    private const string CountsTopic = "ClickEvents_UserId_Agg_Result";
    private const string DeptTopic = "Departments_Agg";

    private const string Home = "home_page";
    private const string Catalog = "product_catalog";
    private const string Detail = "product_detail";
    private const string AddToCart = "add_to_cart";
    private const string Order = "order";
    private const string Checkout = "order_checkout";
    private const string End = "";
    private const string NA = "N/A";

    // ------------------------------------------------------------------------------------------------------------
    // Case 1 / 2 data: two users, sessions with and without checkout, crossing the 10 s boundary at relative 10000.
    //
    // user 1001, session A: 1000 N/A, 1500 laptops, 2000 laptops, 2400 laptops, 2800 checkout laptops, 3000 ""
    //   window [1000, 4000); eventCount 4 (1500, 2000, 2400, 2800); checkout = 4 (2800 counted first); [laptops];
    //   timestamp 3999 -> 10 s window [0, 10000).
    // user 2002, session B: 1200 N/A, 1700 N/A, 2100 cameras, 2600 N/A, 3300 AirPods, 3900 ""
    //   window [1200, 4900); eventCount 2; checkout 0; [AirPods, cameras]; timestamp 4899 -> [0, 10000).
    // user 1001, session C: 8500 soundbars, 9000 cd players, 9400 cd players, 9999 checkout cd players
    //   (8500 - 3000 = 5500 > 1000: new session) window [8500, 10999); eventCount 4; checkout 4;
    //   [cd players, soundbars]; timestamp 10998 -> [10000, 20000).
    // user 2002, session D: 9000 cameras, 9500 "" (9000 - 3900 > 1000) window [9000, 10500); eventCount 1; checkout 0;
    //   [cameras]; timestamp 10499 -> [10000, 20000).
    // user 2002, session E: 12000 video games, 12500 checkout video games (12000 - 9500 = 2500 > 1000)
    //   window [12000, 13500); eventCount 2; checkout 2; [video games]; timestamp 13499 -> [10000, 20000).
    // ------------------------------------------------------------------------------------------------------------
    private static readonly Ev[] Case1InOrder =
    [
        new(1000, 1001, Home, NA),
        new(1200, 2002, Home, NA),
        new(1500, 1001, Detail, "laptops"),
        new(1700, 2002, Catalog, NA),
        new(2000, 1001, AddToCart, "laptops"),
        new(2100, 2002, Detail, "cameras"),
        new(2400, 1001, Order, "laptops"),
        new(2600, 2002, Catalog, NA),
        new(2800, 1001, Checkout, "laptops"),
        new(3000, 1001, End, End),
        new(3300, 2002, Detail, "AirPods"),
        new(3900, 2002, End, End),
        new(8500, 1001, Detail, "soundbars"),
        new(9000, 1001, Detail, "cd players"),
        new(9000, 2002, Detail, "cameras"),
        new(9400, 1001, AddToCart, "cd players"),
        new(9500, 2002, End, End),
        new(9999, 1001, Checkout, "cd players"),
        new(12000, 2002, Detail, "video games"),
        new(12500, 2002, Checkout, "video games"),
    ];

    private static readonly Sess SessionA = new(1001, 4, 4, ["laptops"], 1000, 4000);
    private static readonly Sess SessionC = new(1001, 4, 4, ["cd players", "soundbars"], 8500, 10999);
    private static readonly Sess SessionE = new(2002, 2, 2, ["video games"], 12000, 13500);

    [Fact]
    public void Case1_in_order_two_users_fire_partly_on_a_later_event_and_the_rest_on_Finish()
    {
        RunCase1Scenario(Case1InOrder);
    }

    [Fact]
    public void Case2_out_of_order_within_20s_gives_the_same_results_as_the_in_order_run()
    {
        // Same events, shuffled. Max event time before the pushers is 12500, every event is >= 12500 - 20000, and
        // the watermark stays at 12500 - 20001 = -7501, so no session fires early. Within each checkout session every
        // qualifying event arrives before the checkout, so orderCheckoutEventCount is unchanged (4, 4, 2):
        //  A: 2400, 1500, 3000, 2000 arrive before 2800 checkout -> 3 qualifying + checkout = 4.
        //     windows [2400,3400) + [1500,2500) -> [1500,3400); + [3000,4000) -> [1500,4000); 1000 joins last.
        //  B: [3900,4900)+[3300,4300) -> [3300,4900); [1200,2200)+[2100,3100) -> [1200,3100);
        //     2600 -> [2600,3600) bridges both -> [1200,4900), eventCount 1 + 1 = 2.
        //  C: 9400, 8500, 9000 before 9999 checkout -> 4.  D: 9500 then 9000 -> [9000,10500).
        //  E: 12000 before 12500 checkout -> 2.
        Ev[] shuffled =
        [
            new(12000, 2002, Detail, "video games"),
            new(3900, 2002, End, End),
            new(2400, 1001, Order, "laptops"),
            new(3300, 2002, Detail, "AirPods"),
            new(9400, 1001, AddToCart, "cd players"),
            new(1500, 1001, Detail, "laptops"),
            new(3000, 1001, End, End),
            new(1200, 2002, Home, NA),
            new(2000, 1001, AddToCart, "laptops"),
            new(9500, 2002, End, End),
            new(2800, 1001, Checkout, "laptops"),
            new(8500, 1001, Detail, "soundbars"),
            new(2100, 2002, Detail, "cameras"),
            new(12500, 2002, Checkout, "video games"),
            new(1000, 1001, Home, NA),
            new(1700, 2002, Catalog, NA),
            new(9000, 2002, Detail, "cameras"),
            new(2600, 2002, Catalog, NA),
            new(9000, 1001, Detail, "cd players"),
            new(9999, 1001, Checkout, "cd players"),
        ];
        // sanity: it is a permutation of the in-order list
        Assert.Equal(Case1InOrder.OrderBy(e => e.ToString(), StringComparer.Ordinal),
                     shuffled.OrderBy(e => e.ToString(), StringComparer.Ordinal));

        RunCase1Scenario(shuffled);
    }

    private static void RunCase1Scenario(Ev[] events)
    {
        var h = new Harness(0);
        foreach (var e in events)
        {
            h.Send(e);
            Assert.Empty(h.Job.TakeOutputs());
        }
        Assert.Equal(B + 12500 - 20001, h.Job.Watermark);

        // Pusher 1: user 3003 at 24000 -> watermark 24000 - 20001 = 3999 = end - 1 of session A: A fires (exactly at
        // the boundary). B (4899), C (10998), D (10499), E (13499) do not. Window [0, 10000) needs 9999: not yet.
        h.Send(new Ev(24000, 3003, Detail, "ear phones"));
        Assert.Equal(B + 3999, h.Job.Watermark);
        AssertOutputs(h.Job.TakeOutputs(), SessionA);

        // Pusher 2: user 3003 at 33000 (new session: 33000 - 24000 > 1000) -> watermark 12999.
        // Sessions B (4899), C (10998), D (10499) fire; only C has a checkout. 3003@24000 (24999) and E (13499) do not.
        // Window [0, 10000) (9999 <= 12999) fires with A and B (B is handed over before the same watermark reaches
        // the 10 s window): 2 sessions, 1 with checkout, 50 %; laptops 1 (A), AirPods 1 (B), cameras 1 (B).
        // Window [10000, 20000) (19999) holds C and D but does not fire yet.
        h.Send(new Ev(33000, 3003, Detail, "ear phones"));
        Assert.Equal(B + 12999, h.Job.Watermark);
        var batch = h.Job.TakeOutputs();
        AssertOutputs(batch,
            SessionC,
            new Counts(0, 2, 1),
            new Dept("laptops", 0, 1), new Dept("AirPods", 0, 1), new Dept("cameras", 0, 1));
        AssertSessionsBeforeWindows(batch);

        // Finish: E (13499), 3003@24000 [24000,25000), 3003@33000 [33000,34000) fire; only E has a checkout.
        // [10000, 20000): C, D, E -> 3 sessions, 2 with checkout (C, E), 66.67 %;
        //   cd players 1 (C), soundbars 1 (C), cameras 1 (D), video games 1 (E).
        // [20000, 30000): 3003@24000 (t 24999) -> 1, 0, 0 %; ear phones 1.
        // [30000, 40000): 3003@33000 (t 33999) -> 1, 0, 0 %; ear phones 1.
        h.Job.Finish();
        Assert.Equal(long.MaxValue, h.Job.Watermark);
        var final = h.Job.TakeOutputs();
        AssertOutputs(final,
            SessionE,
            new Counts(10000, 3, 2),
            new Dept("cd players", 10000, 1), new Dept("soundbars", 10000, 1),
            new Dept("cameras", 10000, 1), new Dept("video games", 10000, 1),
            new Counts(20000, 1, 0), new Dept("ear phones", 20000, 1),
            new Counts(30000, 1, 0), new Dept("ear phones", 30000, 1));
        AssertSessionsBeforeWindows(final);
        Assert.Empty(h.Job.TakeOutputs());
        Assert.Equal(0, h.Job.LateEvents);
        Assert.Equal(0, h.Job.BadEvents);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Case 3: late beyond 20 s.
    // ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void Case3_late_events_are_dropped_and_counted_a_fired_session_is_final()
    {
        var outputs = RunLateScenario(includeDroppedEvents: true, out var late);
        Assert.Equal(2, late);

        // Finish: 7007 [23000,24000) count 1, no checkout; 1010 [1001,3001) count 2 checkout 2;
        // 5005 [2800,3800) count 1, no checkout.
        // [0, 10000): 5005@1000 (t 2799, checkout), 1010@1001 (t 3000, checkout), 5005@2800 (t 3799)
        //   -> 3 sessions, 2 with checkout; laptops 1, soundbars 1, AirPods 1.
        // [20000, 30000): 7007 (t 23999) -> 1, 0; ear phones 1.
        AssertOutputs(outputs,
            new Sess(5005, 2, 2, ["laptops"], 1000, 2800),
            new Sess(1010, 2, 2, ["soundbars"], 1001, 3001),
            new Counts(0, 3, 2),
            new Dept("laptops", 0, 1), new Dept("soundbars", 0, 1), new Dept("AirPods", 0, 1),
            new Counts(20000, 1, 0), new Dept("ear phones", 20000, 1));
    }

    [Fact]
    public void Case3_the_outputs_are_unchanged_by_the_dropped_events()
    {
        var with = RunLateScenario(includeDroppedEvents: true, out var lateWith);
        var without = RunLateScenario(includeDroppedEvents: false, out var lateWithout);
        Assert.Equal(2, lateWith);
        Assert.Equal(0, lateWithout);
        AssertSameOutputs(Sorted(without), Sorted(with));
    }

    private static List<JobOutput> RunLateScenario(bool includeDroppedEvents, out long lateEvents)
    {
        var h = new Harness(0);
        var all = new List<JobOutput>();

        // 5005: 1000 laptops, 1800 checkout laptops -> [1000, 2800), eventCount 2, checkout 2; end - 1 = 2799.
        h.Send(new Ev(1000, 5005, Detail, "laptops"));
        h.Send(new Ev(1800, 5005, Checkout, "laptops"));
        Assert.Empty(h.Job.TakeOutputs());

        // 7007 at 23000 -> watermark 2999 >= 2799: the 5005 session fires.
        h.Send(new Ev(23000, 7007, Detail, "ear phones"));
        Assert.Equal(B + 2999, h.Job.Watermark);
        var fired = h.Job.TakeOutputs();
        AssertOutputs(fired, new Sess(5005, 2, 2, ["laptops"], 1000, 2800));
        all.AddRange(fired);

        if (includeDroppedEvents)
        {
            // 5005 at 1500: window [1500, 2500), end - 1 = 2499 <= 2999; its session already fired -> late.
            h.Send(new Ev(1500, 5005, Detail, "cameras"));
            Assert.Equal(1, h.Job.LateEvents);
            Assert.Empty(h.Job.TakeOutputs());
            Assert.Equal(B + 2999, h.Job.Watermark);

            // 9009 at 2000: window [2000, 3000), end - 1 = 2999 <= 2999 -> late (boundary).
            h.Send(new Ev(2000, 9009, Detail, "cameras"));
            Assert.Equal(2, h.Job.LateEvents);
            Assert.Empty(h.Job.TakeOutputs());
            Assert.Equal(B + 2999, h.Job.Watermark);
        }

        // 1010 at 2001: window [2001, 3001), end - 1 = 3000 > 2999 -> accepted although 21 s behind the max.
        h.Send(new Ev(2001, 1010, Detail, "soundbars"));
        // 1010 at 1001: own window [1001, 2001) would be late (2000 <= 2999), but it touches the unfired session
        // [2001, 3001) -> merged [1001, 3001), end - 1 = 3000 > 2999 -> joins it. The checkout is added to the
        // session's accumulator: eventCount 1 + 1 = 2, orderCheckoutEventCount set to 2.
        h.Send(new Ev(1001, 1010, Checkout, "soundbars"));
        // 5005 at 2800: window [2800, 3800) touches the FIRED session [1000, 2800), which is final -> a new session
        // [2800, 3800), eventCount 1, no checkout. Not late: 3799 > 2999.
        h.Send(new Ev(2800, 5005, Detail, "AirPods"));
        Assert.Equal(includeDroppedEvents ? 2 : 0, h.Job.LateEvents);
        Assert.Empty(h.Job.TakeOutputs());
        Assert.Equal(B + 2999, h.Job.Watermark);

        h.Job.Finish();
        var final = h.Job.TakeOutputs();
        AssertSessionsBeforeWindows(final);
        all.AddRange(final);
        Assert.Equal(0, h.Job.BadEvents);
        lateEvents = h.Job.LateEvents;
        return all;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Case 4: merging sessions.
    // ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void Case4_a_bridging_event_merges_two_sessions_touching_at_exactly_1000ms_and_1001ms_splits()
    {
        var h = new Harness(0);

        // 4004 S1: 1000 laptops, 1400 checkout laptops -> [1000, 2400), eventCount 2, checkout 2.
        h.Send(new Ev(1000, 4004, Detail, "laptops"));
        h.Send(new Ev(1400, 4004, Checkout, "laptops"));
        // 4004 S2: 3400 checkout cameras (first event: eventCount 1, checkout 1), 3700 cd players (eventCount 2)
        // -> [3400, 4700); [2400, 3400) lies between: S1 and S2 do not touch (1400 -> 3400 is 2000 ms).
        h.Send(new Ev(3400, 4004, Checkout, "cameras"));
        h.Send(new Ev(3700, 4004, Detail, "cd players"));
        // Bridge at 2400: window [2400, 3400) touches S1's end 2400 (1400 -> 2400 = 1000 ms) and S2's start 3400
        // (2400 -> 3400 = 1000 ms). Merge S1 + S2: eventCount 2 + 2 = 4, checkout 2 + 1 = 3,
        // deptList {laptops, cameras, cd players}; then the bridge adds AirPods: eventCount 5, checkout stays 3.
        // -> [1000, 4700), timestamp 4699.
        h.Send(new Ev(2400, 4004, Detail, "AirPods"));

        // 4007: later event first, then an event exactly 1000 ms earlier: [5000,6000) touches [6000,7000)
        // -> one session [5000, 7000), eventCount 2, no checkout, timestamp 6999.
        h.Send(new Ev(6000, 4007, Detail, "laptops"));
        h.Send(new Ev(5000, 4007, Detail, "cameras"));

        // 4005: 10000 checkout laptops, 11001 checkout cameras: 1001 ms apart -> two sessions
        // [10000, 11000) (count 1, checkout 1, t 10999) and [11001, 12001) (count 1, checkout 1, t 12000).
        h.Send(new Ev(10000, 4005, Checkout, "laptops"));
        h.Send(new Ev(11001, 4005, Checkout, "cameras"));

        // 4006: 20000 laptops, 21000 checkout laptops: exactly 1000 ms apart -> one session [20000, 22000),
        // count 2, checkout 2, t 21999.
        h.Send(new Ev(20000, 4006, Detail, "laptops"));
        h.Send(new Ev(21000, 4006, Checkout, "laptops"));

        // watermark 21000 - 20001 = 999: nothing fires.
        Assert.Equal(B + 999, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());

        h.Job.Finish();
        var final = h.Job.TakeOutputs();
        // [0, 10000): 4004 (t 4699, checkout 3), 4007 (t 6999, none) -> 2, 1, 50 %;
        //   AirPods 1, cameras 2, cd players 1, laptops 2.
        // [10000, 20000): both 4005 sessions -> 2, 2, 100 %; laptops 1, cameras 1.
        // [20000, 30000): 4006 -> 1, 1, 100 %; laptops 1.
        AssertOutputs(final,
            new Sess(4004, 5, 3, ["AirPods", "cameras", "cd players", "laptops"], 1000, 4700),
            new Sess(4005, 1, 1, ["laptops"], 10000, 11000),
            new Sess(4005, 1, 1, ["cameras"], 11001, 12001),
            new Sess(4006, 2, 2, ["laptops"], 20000, 22000),
            new Counts(0, 2, 1),
            new Dept("AirPods", 0, 1), new Dept("cameras", 0, 2), new Dept("cd players", 0, 1), new Dept("laptops", 0, 2),
            new Counts(10000, 2, 2),
            new Dept("laptops", 10000, 1), new Dept("cameras", 10000, 1),
            new Counts(20000, 1, 1),
            new Dept("laptops", 20000, 1));
        AssertSessionsBeforeWindows(final);
        Assert.Equal(0, h.Job.LateEvents);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Case 5: orderCheckoutEventCount semantics.
    // ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void Case5_orderCheckoutEventCount_is_set_to_the_eventCount_so_far()
    {
        var h = new Harness(0);

        // 501: N/A, N/A, laptops, laptops, laptops, checkout laptops, "" -> eventCount 4, checkout 4 (the checkout
        // itself is counted first). [1000, 2600).
        h.Send(new Ev(1000, 501, Home, NA));
        h.Send(new Ev(1100, 501, Catalog, NA));
        h.Send(new Ev(1200, 501, Detail, "laptops"));
        h.Send(new Ev(1300, 501, AddToCart, "laptops"));
        h.Send(new Ev(1400, 501, Order, "laptops"));
        h.Send(new Ev(1500, 501, Checkout, "laptops"));
        h.Send(new Ev(1600, 501, End, End));

        // 502: cameras (1), checkout with product "N/A" (not counted: checkout = 1), AirPods (2; checkout stays 1).
        // [1000, 2200), eventCount 2, checkout 1, [AirPods, cameras].
        h.Send(new Ev(1000, 502, Detail, "cameras"));
        h.Send(new Ev(1100, 502, Checkout, NA));
        h.Send(new Ev(1200, 502, Detail, "AirPods"));

        // 503: checkout with product "" first (eventCount 0 -> checkout set to 0), then laptops (1).
        // [1000, 2500), eventCount 1, checkout 0 -> NOT a checkout session.
        h.Send(new Ev(1000, 503, Checkout, ""));
        h.Send(new Ev(1500, 503, Detail, "laptops"));

        // 504: laptops (1), checkout laptops (2 -> 2), cameras (3), checkout cameras (4 -> set to 4, not 2 + 4).
        // [1000, 2300), eventCount 4, checkout 4.
        h.Send(new Ev(1000, 504, Detail, "laptops"));
        h.Send(new Ev(1100, 504, Checkout, "laptops"));
        h.Send(new Ev(1200, 504, Detail, "cameras"));
        h.Send(new Ev(1300, 504, Checkout, "cameras"));

        // 506: arrival order matters: checkout at 1500 arrives first (eventCount 1 -> checkout 1), then the
        // product_detail at 1000 joins (eventCount 2, checkout stays 1). [1000, 2500).
        h.Send(new Ev(1500, 506, Checkout, "laptops"));
        h.Send(new Ev(1000, 506, Detail, "laptops"));

        Assert.Empty(h.Job.TakeOutputs());
        h.Job.Finish();
        var final = h.Job.TakeOutputs();
        // [0, 10000): 501, 502, 503, 504, 506 -> 5 sessions, 4 with checkout (not 503), 80 %;
        //   laptops: 501, 503, 504, 506 = 4; cameras: 502, 504 = 2; AirPods: 502 = 1.
        AssertOutputs(final,
            new Sess(501, 4, 4, ["laptops"], 1000, 2600),
            new Sess(502, 2, 1, ["AirPods", "cameras"], 1000, 2200),
            new Sess(504, 4, 4, ["cameras", "laptops"], 1000, 2300),
            new Sess(506, 2, 1, ["laptops"], 1000, 2500),
            new Counts(0, 5, 4),
            new Dept("laptops", 0, 4), new Dept("cameras", 0, 2), new Dept("AirPods", 0, 1));
        AssertSessionsBeforeWindows(final);
    }

    [Fact]
    public void Case5_a_bridging_checkout_is_added_to_the_merged_session_and_sets_the_merged_eventCount()
    {
        var h = new Harness(0);
        // 505 S1: laptops, checkout laptops -> [1000, 2100), eventCount 2, checkout 2.
        h.Send(new Ev(1000, 505, Detail, "laptops"));
        h.Send(new Ev(1100, 505, Checkout, "laptops"));
        // 505 S2: cameras at 3100 -> [3100, 4100), eventCount 1, checkout 0 (does not touch S1: 2100 < 3100).
        h.Send(new Ev(3100, 505, Detail, "cameras"));
        // Bridge: checkout cameras at 2100 -> [2100, 3100) touches both. S1 + S2 merge (eventCount 3, checkout 2),
        // the event joins the merged session: eventCount 4, orderCheckoutEventCount SET to 4.
        h.Send(new Ev(2100, 505, Checkout, "cameras"));

        Assert.Empty(h.Job.TakeOutputs());
        h.Job.Finish();
        var final = h.Job.TakeOutputs();
        AssertOutputs(final,
            new Sess(505, 4, 4, ["cameras", "laptops"], 1000, 4100),
            new Counts(0, 1, 1),
            new Dept("cameras", 0, 1), new Dept("laptops", 0, 1));
        AssertSessionsBeforeWindows(final);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Case 6: several partitions, one idle.
    // ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void Case6_an_idle_partition_holds_the_watermark_until_60s_then_Tick_releases_it()
    {
        var h = IdleScenarioUntil59s();

        // 61 s after assignment: partition 1 never had an event -> idle; partition 0 had one 31 s ago -> active.
        // Watermark = wm_0 = 30500 - 20001 = 10499: 601 [1000, 2000) (t 1999) fires with its checkout; the 10 s
        // window [0, 10000) (9999) fires: 1 session, 1 with checkout, 100 %; laptops 1.
        h.Clock.Advance(TimeSpan.FromSeconds(2));
        h.Job.Tick();
        Assert.Equal(B + 10499, h.Job.Watermark);
        var batch = h.Job.TakeOutputs();
        AssertOutputs(batch,
            new Sess(601, 1, 1, ["laptops"], 1000, 2000),
            new Counts(0, 1, 1), new Dept("laptops", 0, 1));
        AssertSessionsBeforeWindows(batch);

        // 120 s more: every partition is idle -> the watermark does not move.
        h.Clock.Advance(TimeSpan.FromSeconds(120));
        h.Job.Tick();
        Assert.Equal(B + 10499, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());

        // Finish: 602 [30000, 31500), eventCount 2, no checkout (t 31499) -> [30000, 40000): 1, 0, 0 %; cameras 1.
        h.Job.Finish();
        AssertOutputs(h.Job.TakeOutputs(), new Counts(30000, 1, 0), new Dept("cameras", 30000, 1));
    }

    [Fact]
    public void Case6_an_idle_partition_is_released_by_the_next_event_on_another_partition()
    {
        var h = IdleScenarioUntil59s();

        // 61 s after assignment an event on partition 0: 602 at 31000 joins [30000, 32000) (eventCount 3);
        // partition 1 is idle -> watermark = wm_0 = 31000 - 20001 = 10999. Same firing as with Tick.
        h.Clock.Advance(TimeSpan.FromSeconds(2));
        h.Send(new Ev(31000, 602, Detail, "cameras"), partition: 0);
        Assert.Equal(B + 10999, h.Job.Watermark);
        var batch = h.Job.TakeOutputs();
        AssertOutputs(batch,
            new Sess(601, 1, 1, ["laptops"], 1000, 2000),
            new Counts(0, 1, 1), new Dept("laptops", 0, 1));
        AssertSessionsBeforeWindows(batch);

        h.Job.Finish();
        AssertOutputs(h.Job.TakeOutputs(), new Counts(30000, 1, 0), new Dept("cameras", 30000, 1));
    }

    private static Harness IdleScenarioUntil59s()
    {
        var h = new Harness(0, 1); // both assigned at clock time T0

        // partition 0: 601 checkout laptops at 1000 -> [1000, 2000); 602 cameras at 30000.
        // wm_0 = 30000 - 20001 = 9999, but partition 1 has no event and is not idle: watermark = long.MinValue.
        h.Send(new Ev(1000, 601, Checkout, "laptops"), partition: 0);
        h.Send(new Ev(30000, 602, Detail, "cameras"), partition: 0);
        Assert.Equal(long.MinValue, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());

        // T0 + 30 s: another event on partition 0 (keeps partition 0 active): 602 at 30500 joins [30000, 31500).
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        h.Send(new Ev(30500, 602, Detail, "cameras"), partition: 0);
        Assert.Equal(long.MinValue, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());

        // T0 + 59 s: partition 1 is still not idle.
        h.Clock.Advance(TimeSpan.FromSeconds(29));
        h.Job.Tick();
        Assert.Equal(long.MinValue, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());
        return h;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Case 7: bad input.
    // ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void Case7_bad_input_is_counted_and_skipped_and_changes_nothing_else()
    {
        var h = new Harness(0);
        h.Send(new Ev(1000, 701, Checkout, "laptops"));
        var wm = B + 1000 - 20001;
        Assert.Equal(wm, h.Job.Watermark);

        byte[][] bad =
        [
            Encoding.UTF8.GetBytes("hello, not json"),
            Encoding.UTF8.GetBytes("{\"ip\":\"66.249.1.17\",\"eventtimestamp\":"),
            [],
            Encoding.UTF8.GetBytes("[1,2,3]"),
            // missing userid, with a far event time: if it were used, the watermark would jump and fire 701
            Encoding.UTF8.GetBytes($$"""{"ip":"66.249.1.17","eventtimestamp":{{B + 90000}},"devicetype":"tablet","event_type":"order_checkout","product_type":"laptops","globalseq":1,"prevglobalseq":0}"""),
            // missing eventtimestamp
            Encoding.UTF8.GetBytes("""{"ip":"66.249.1.17","devicetype":"tablet","event_type":"order_checkout","product_type":"laptops","userid":777,"globalseq":1,"prevglobalseq":0}"""),
            // userid not a number
            Encoding.UTF8.GetBytes($$"""{"ip":"66.249.1.17","eventtimestamp":{{B + 1200}},"devicetype":"tablet","event_type":"order_checkout","product_type":"laptops","userid":"abc","globalseq":1,"prevglobalseq":0}"""),
            // eventtimestamp 0 and negative
            new Ev(0, 777, Checkout, "laptops", Absolute: true).ToJson(),
            new Ev(-5, 778, Checkout, "laptops", Absolute: true).ToJson(),
        ];
        for (var i = 0; i < bad.Length; i++)
        {
            h.Send(bad[i]);
            Assert.Equal(i + 1, h.Job.BadEvents);
            Assert.Equal(wm, h.Job.Watermark);
            Assert.Equal(0, h.Job.LateEvents);
            Assert.Empty(h.Job.TakeOutputs());
        }

        // a good event after the bad ones: 702 cameras at 1500 -> [1500, 2500), no checkout.
        h.Send(new Ev(1500, 702, Detail, "cameras"));
        Assert.Equal(B + 1500 - 20001, h.Job.Watermark);

        h.Job.Finish();
        // [0, 10000): 701 (t 1999, checkout 1), 702 (t 2499) -> 2, 1, 50 %; laptops 1, cameras 1.
        var final = h.Job.TakeOutputs();
        AssertOutputs(final,
            new Sess(701, 1, 1, ["laptops"], 1000, 2000),
            new Counts(0, 2, 1), new Dept("laptops", 0, 1), new Dept("cameras", 0, 1));
        Assert.Equal(bad.Length, h.Job.BadEvents);
        Assert.Equal(0, h.Job.LateEvents);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Case 8: Finish.
    // ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void Case8_Finish_fires_everything_sessions_before_the_10s_windows()
    {
        var h = new Harness(0);
        // 801: checkout laptops at 1000 -> [1000, 2000), t 1999 -> [0, 10000).
        // 805: soundbars at 9000 -> [9000, 10000), t 9999 -> [0, 10000).
        // 802: checkout cameras at 12000 -> [12000, 13000), t 12999 -> [10000, 20000).
        // 803: AirPods at 19000 -> [19000, 20000), t 19999 -> [10000, 20000).
        // 804: cd players at 19001 -> [19001, 20001), t 20000 -> [20000, 30000).
        h.Send(new Ev(1000, 801, Checkout, "laptops"));
        h.Send(new Ev(9000, 805, Detail, "soundbars"));
        h.Send(new Ev(12000, 802, Checkout, "cameras"));
        h.Send(new Ev(19000, 803, Detail, "AirPods"));
        h.Send(new Ev(19001, 804, Detail, "cd players"));
        Assert.Equal(B + 19001 - 20001, h.Job.Watermark); // -1000: nothing fires
        Assert.Empty(h.Job.TakeOutputs());

        h.Job.Finish();
        Assert.Equal(long.MaxValue, h.Job.Watermark);
        var final = h.Job.TakeOutputs();
        AssertOutputs(final,
            new Sess(801, 1, 1, ["laptops"], 1000, 2000),
            new Sess(802, 1, 1, ["cameras"], 12000, 13000),
            new Counts(0, 2, 1), new Dept("laptops", 0, 1), new Dept("soundbars", 0, 1),
            new Counts(10000, 2, 1), new Dept("cameras", 10000, 1), new Dept("AirPods", 10000, 1),
            new Counts(20000, 1, 0), new Dept("cd players", 20000, 1));
        AssertSessionsBeforeWindows(final);
        Assert.Empty(h.Job.TakeOutputs());
    }

    [Fact]
    public void Windows_fire_exactly_when_the_watermark_reaches_end_minus_1()
    {
        var h = new Harness(0);
        // 901: checkout laptops at 5000 -> [5000, 6000), t 5999.
        h.Send(new Ev(5000, 901, Checkout, "laptops"));
        // 902 at 25999 -> watermark 5998 < 5999: nothing.
        h.Send(new Ev(25999, 902, Detail, "cameras"));
        Assert.Equal(B + 5998, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());
        // 902 at 26000 joins [25999, 27000) -> watermark 5999: 901 fires; [0, 10000) (9999) does not.
        h.Send(new Ev(26000, 902, Detail, "cameras"));
        Assert.Equal(B + 5999, h.Job.Watermark);
        AssertOutputs(h.Job.TakeOutputs(), new Sess(901, 1, 1, ["laptops"], 5000, 6000));
        // 902 at 29999 (new session: 29999 - 26000 > 1000) -> watermark 9998: nothing.
        h.Send(new Ev(29999, 902, Detail, "cameras"));
        Assert.Equal(B + 9998, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());
        // 902 at 30000 joins [29999, 31000) -> watermark 9999: [0, 10000) fires: 1, 1, 100 %; laptops 1.
        h.Send(new Ev(30000, 902, Detail, "cameras"));
        Assert.Equal(B + 9999, h.Job.Watermark);
        AssertOutputs(h.Job.TakeOutputs(), new Counts(0, 1, 1), new Dept("laptops", 0, 1));

        // Finish: 902 [25999, 27000) count 2 (t 26999) -> [20000, 30000); 902 [29999, 31000) count 2 (t 30999)
        // -> [30000, 40000). No checkouts.
        h.Job.Finish();
        AssertOutputs(h.Job.TakeOutputs(),
            new Counts(20000, 1, 0), new Dept("cameras", 20000, 1),
            new Counts(30000, 1, 0), new Dept("cameras", 30000, 1));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Extra edge cases.
    // ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void Extra_sessions_without_products_still_count_and_department_counts_are_per_session()
    {
        var h = new Harness(0);
        // 11: only N/A and "" events -> [1000, 3000), eventCount 0, checkout 0, deptList [] - still a session.
        h.Send(new Ev(1000, 11, Home, NA));
        h.Send(new Ev(1500, 11, Catalog, NA));
        h.Send(new Ev(2000, 11, End, End));
        // 12: laptops three times -> [1000, 2300), eventCount 3, deptList [laptops] (distinct);
        //     laptops at 5000 -> second session [5000, 6000), eventCount 1.
        h.Send(new Ev(1000, 12, Detail, "laptops"));
        h.Send(new Ev(1200, 12, AddToCart, "laptops"));
        h.Send(new Ev(1300, 12, Detail, "laptops"));
        h.Send(new Ev(5000, 12, Detail, "laptops"));
        // 13: a checkout with product N/A as the only event -> eventCount 0, checkout set to 0: no checkout session.
        h.Send(new Ev(1000, 13, Checkout, NA));

        Assert.Empty(h.Job.TakeOutputs());
        h.Job.Finish();
        // [0, 10000): 11, 12@1000, 12@5000, 13 -> 4 sessions, 0 with checkout, 0 %; laptops in 2 sessions.
        AssertOutputs(h.Job.TakeOutputs(), new Counts(0, 4, 0), new Dept("laptops", 0, 2));
    }

    [Fact]
    public void Extra_an_event_touching_a_fired_and_an_unfired_session_joins_only_the_unfired_one()
    {
        var h = new Harness(0);
        // 21: F = laptops at 1000 -> [1000, 2000), t 1999; U = checkout cameras at 3000 -> [3000, 4000), count 1,
        //     checkout 1, t 3999.
        h.Send(new Ev(1000, 21, Detail, "laptops"));
        h.Send(new Ev(3000, 21, Checkout, "cameras"));
        // 22 at 22000 -> watermark 1999: F fires (no checkout, nothing on a topic; [0, 10000) not yet).
        h.Send(new Ev(22000, 22, Detail, "soundbars"));
        Assert.Equal(B + 1999, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());
        // 21 at 2000: [2000, 3000) touches fired F (final, ignored) and unfired U -> joins U: [2000, 4000),
        //     eventCount 2, checkout stays 1, [AirPods, cameras]. Not late (3999 > 1999).
        h.Send(new Ev(2000, 21, Detail, "AirPods"));
        Assert.Equal(0, h.Job.LateEvents);
        Assert.Empty(h.Job.TakeOutputs());

        h.Job.Finish();
        // [0, 10000): F (1999), U (3999) -> 2, 1, 50 %; laptops 1, AirPods 1, cameras 1.
        // [20000, 30000): 22 [22000, 23000) -> 1, 0; soundbars 1.
        var final = h.Job.TakeOutputs();
        AssertOutputs(final,
            new Sess(21, 2, 1, ["AirPods", "cameras"], 2000, 4000),
            new Counts(0, 2, 1), new Dept("laptops", 0, 1), new Dept("AirPods", 0, 1), new Dept("cameras", 0, 1),
            new Counts(20000, 1, 0), new Dept("soundbars", 20000, 1));
        AssertSessionsBeforeWindows(final);
    }

    [Fact]
    public void Extra_a_partition_that_had_events_goes_idle_after_60s_of_silence()
    {
        var h = new Harness(0, 1); // assigned at T0
        // p0: 31 checkout laptops at 1000; p1: 32 cameras at 2000 -> watermark min(1000, 2000) - 20001 = -19001.
        h.Send(new Ev(1000, 31, Checkout, "laptops"), partition: 0);
        h.Send(new Ev(2000, 32, Detail, "cameras"), partition: 1);
        Assert.Equal(B + 1000 - 20001, h.Job.Watermark);

        // T0 + 30 s: p0 gets 33 soundbars at 40000 -> wm_0 = 19999, wm_1 = -18001 -> watermark -18001.
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        h.Send(new Ev(40000, 33, Detail, "soundbars"), partition: 0);
        Assert.Equal(B + 2000 - 20001, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());

        // T0 + 61 s: p1 silent for 61 s -> idle; p0 silent for 31 s -> active. Watermark = wm_0 = 19999.
        // 31 [1000, 2000) (checkout) and 32 [2000, 3000) fire; [0, 10000) fires: 2, 1, 50 %; laptops 1, cameras 1.
        // [10000, 20000) is empty (nothing is emitted for it); 33 [40000, 41000) stays open.
        h.Clock.Advance(TimeSpan.FromSeconds(31));
        h.Job.Tick();
        Assert.Equal(B + 19999, h.Job.Watermark);
        var batch = h.Job.TakeOutputs();
        AssertOutputs(batch,
            new Sess(31, 1, 1, ["laptops"], 1000, 2000),
            new Counts(0, 2, 1), new Dept("laptops", 0, 1), new Dept("cameras", 0, 1));
        AssertSessionsBeforeWindows(batch);

        h.Job.Finish();
        AssertOutputs(h.Job.TakeOutputs(), new Counts(40000, 1, 0), new Dept("soundbars", 40000, 1));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Watermark.
    // ------------------------------------------------------------------------------------------------------------

    [Fact]
    public void Watermark_is_the_min_over_partitions_of_max_event_time_minus_20001()
    {
        const long T = 50_000;
        var h = new Harness(0, 1, 2);
        Assert.Equal(long.MinValue, h.Job.Watermark);

        h.Send(new Ev(T, 1, Home, NA), partition: 0);
        Assert.Equal(long.MinValue, h.Job.Watermark);
        h.Send(new Ev(T, 2, Home, NA), partition: 1);
        Assert.Equal(long.MinValue, h.Job.Watermark);
        h.Send(new Ev(T, 3, Home, NA), partition: 2);
        Assert.Equal(B + T - 20001, h.Job.Watermark);

        // partition 1 moves ahead, the others hold the min.
        h.Send(new Ev(T + 10_000, 2, Home, NA), partition: 1);
        Assert.Equal(B + T - 20001, h.Job.Watermark);
        // an older event on partition 0 does not lower its max.
        h.Send(new Ev(T - 5_000, 1, Home, NA), partition: 0);
        Assert.Equal(B + T - 20001, h.Job.Watermark);
        // partition 0 to T + 3000, partition 2 to T + 7000: min is partition 0.
        h.Send(new Ev(T + 3_000, 1, Home, NA), partition: 0);
        h.Send(new Ev(T + 7_000, 3, Home, NA), partition: 2);
        Assert.Equal(B + T + 3_000 - 20001, h.Job.Watermark);
        Assert.Empty(h.Job.TakeOutputs());
        Assert.Equal(0, h.Job.LateEvents);
    }

    [Fact]
    public void Watermark_with_one_partition_follows_its_max_event_time()
    {
        var h = new Harness(0);
        Assert.Equal(long.MinValue, h.Job.Watermark);
        h.Send(new Ev(40_000, 1, Home, NA));
        Assert.Equal(B + 40_000 - 20001, h.Job.Watermark);
        h.Send(new Ev(30_000, 2, Home, NA));
        Assert.Equal(B + 40_000 - 20001, h.Job.Watermark);
        h.Send(new Ev(41_234, 1, Home, NA));
        Assert.Equal(B + 41_234 - 20001, h.Job.Watermark);
    }

    // ============================================================================================================
    // Helpers
    // ============================================================================================================

    /// <summary>One click event; <paramref name="T"/> is relative to <see cref="B"/> unless Absolute.</summary>
    private sealed record Ev(long T, long User, string Type, string Product, bool Absolute = false)
    {
        private static long s_seq;

        public byte[] ToJson()
        {
            var seq = Interlocked.Increment(ref s_seq);
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteString("ip", "66.249.1.17");
                w.WriteNumber("eventtimestamp", Absolute ? T : B + T);
                w.WriteString("devicetype", "tablet");
                w.WriteString("event_type", Type);
                w.WriteString("product_type", Product);
                w.WriteNumber("userid", User);
                w.WriteNumber("globalseq", seq);
                w.WriteNumber("prevglobalseq", seq - 1);
                w.WriteEndObject();
            }
            return ms.ToArray();
        }
    }

    private sealed class Harness
    {
        private readonly Dictionary<int, long> _offsets = new();

        public Harness(params int[] partitions)
        {
            Job = new ClickstreamJob(null, Clock);
            // The brief names this AssignPartitions; the implementation (8e8a8a8) calls it Assign (IStreamJob).
            Job.Assign(partitions);
            foreach (var p in partitions) _offsets[p] = 0;
        }

        public FakeTimeProvider Clock { get; } = new();
        public ClickstreamJob Job { get; }

        public void Send(Ev e, int partition = 0) => Send(e.ToJson(), partition);

        public void Send(byte[] value, int partition = 0)
        {
            var offset = _offsets.GetValueOrDefault(partition);
            _offsets[partition] = offset + 1;
            Job.Process(partition, offset, value);
        }
    }

    private abstract record Expected;

    /// <summary>A session with a checkout, on the checkout topic. Begin/End relative to B.</summary>
    private sealed record Sess(long UserId, int EventCount, int CheckoutCount, string[] Depts, long Begin, long End) : Expected;

    /// <summary>A 10 s session-count window. Begin relative to B.</summary>
    private sealed record Counts(long Begin, int Sessions, int WithCheckout) : Expected;

    /// <summary>A 10 s department window. Begin relative to B.</summary>
    private sealed record Dept(string Name, long Begin, int Count) : Expected;

    private static readonly string[] SessionFields =
        ["deptList", "eventCount", "eventKey", "orderCheckoutEventCount", "userId", "windowBeginTime", "windowEndTime"];
    private static readonly string[] CountsFields =
        ["percentSessionswithBuy", "userSessionCount", "userSessionCountWithOrderCheckout", "windowBeginTime", "windowEndTime"];
    private static readonly string[] DeptFields =
        ["departmentCount", "departmentName", "windowBeginTime", "windowEndTime"];

    private static string Canon(Expected e) => e switch
    {
        Sess s => SessionLine(CheckoutTopic, $"{s.UserId}@{B + s.Begin}", B + s.End - 1,
            s.UserId, s.EventCount, s.CheckoutCount, s.Depts, 1, B + s.Begin, B + s.End),
        Counts c => CountsLine(CountsTopic, $"{B + c.Begin}", B + c.Begin + 9999,
            c.Sessions, c.WithCheckout, 100.0 * c.WithCheckout / c.Sessions, B + c.Begin, B + c.Begin + 10000),
        Dept d => DeptLine(DeptTopic, $"{d.Name}@{B + d.Begin}", B + d.Begin + 9999,
            d.Name, d.Count, B + d.Begin, B + d.Begin + 10000),
        _ => throw new InvalidOperationException(),
    };

    private static string SessionLine(string topic, string key, long ts, long userId, long eventCount, long checkout,
        IEnumerable<string> depts, long eventKey, long begin, long end) =>
        $"{topic} | key={key} | ts={ts} | userId={userId} eventCount={eventCount} orderCheckoutEventCount={checkout} " +
        $"deptList={JsonSerializer.Serialize(depts.ToArray())} eventKey={eventKey} windowBeginTime={begin} windowEndTime={end}";

    private static string CountsLine(string topic, string key, long ts, long sessions, long withCheckout, double percent,
        long begin, long end) =>
        $"{topic} | key={key} | ts={ts} | userSessionCount={sessions} userSessionCountWithOrderCheckout={withCheckout} " +
        // tolerance ~1e-9 via rounding to 9 decimals
        $"percentSessionswithBuy={percent.ToString("F9", System.Globalization.CultureInfo.InvariantCulture)} " +
        $"windowBeginTime={begin} windowEndTime={end}";

    private static string DeptLine(string topic, string key, long ts, string name, long count, long begin, long end) =>
        $"{topic} | key={key} | ts={ts} | departmentName={name} departmentCount={count} windowBeginTime={begin} windowEndTime={end}";

    private static string Canon(JobOutput o)
    {
        try
        {
            using var doc = JsonDocument.Parse(o.Value);
            var v = doc.RootElement;
            var names = v.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            string[] expectedNames = o.Topic switch
            {
                CheckoutTopic => SessionFields,
                CountsTopic => CountsFields,
                DeptTopic => DeptFields,
                _ => [],
            };
            if (!names.SequenceEqual(expectedNames))
                return $"{o.Topic} | key={o.Key} | ts={o.Timestamp} | UNEXPECTED FIELDS {string.Join(",", names)}: {o.Value}";
            return o.Topic switch
            {
                CheckoutTopic => SessionLine(o.Topic, o.Key, o.Timestamp,
                    v.GetProperty("userId").GetInt64(), v.GetProperty("eventCount").GetInt32(),
                    v.GetProperty("orderCheckoutEventCount").GetInt32(),
                    v.GetProperty("deptList").EnumerateArray().Select(x => x.GetString()!),
                    v.GetProperty("eventKey").GetInt32(),
                    v.GetProperty("windowBeginTime").GetInt64(), v.GetProperty("windowEndTime").GetInt64()),
                CountsTopic => CountsLine(o.Topic, o.Key, o.Timestamp,
                    v.GetProperty("userSessionCount").GetInt64(),
                    v.GetProperty("userSessionCountWithOrderCheckout").GetInt64(),
                    v.GetProperty("percentSessionswithBuy").GetDouble(),
                    v.GetProperty("windowBeginTime").GetInt64(), v.GetProperty("windowEndTime").GetInt64()),
                DeptTopic => DeptLine(o.Topic, o.Key, o.Timestamp,
                    v.GetProperty("departmentName").GetString()!, v.GetProperty("departmentCount").GetInt64(),
                    v.GetProperty("windowBeginTime").GetInt64(), v.GetProperty("windowEndTime").GetInt64()),
                _ => $"UNKNOWN TOPIC {o}",
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return $"UNPARSABLE ({ex.GetType().Name}: {ex.Message}) {o}";
        }
    }

    private static List<string> Sorted(IEnumerable<JobOutput> outputs) =>
        outputs.Select(Canon).OrderBy(s => s, StringComparer.Ordinal).ToList();

    /// <summary>Compares as a multiset (the order of outputs fired by one watermark is not defined).</summary>
    private static void AssertOutputs(IReadOnlyList<JobOutput> actual, params Expected[] expected)
    {
        AssertSameOutputs(expected.Select(Canon).OrderBy(s => s, StringComparer.Ordinal).ToList(), Sorted(actual));
    }

    /// <summary>Multiset equality of canonical output lines, with a readable message (missing / unexpected lines).</summary>
    private static void AssertSameOutputs(List<string> expected, List<string> actual)
    {
        if (expected.SequenceEqual(actual)) return;
        var missing = new List<string>(expected);
        var unexpected = new List<string>();
        foreach (var a in actual)
            if (!missing.Remove(a)) unexpected.Add(a);
        Assert.Fail("Outputs differ.\n  MISSING (expected, not emitted):\n    " + string.Join("\n    ", missing) +
                    "\n  UNEXPECTED (emitted, not expected):\n    " + string.Join("\n    ", unexpected));
    }

    /// <summary>Sessions fired by a watermark are emitted before the 10 s windows that the same watermark fires.</summary>
    private static void AssertSessionsBeforeWindows(IReadOnlyList<JobOutput> batch)
    {
        var lastSession = -1;
        var firstWindow = int.MaxValue;
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].Topic == CheckoutTopic) lastSession = i;
            else if (firstWindow == int.MaxValue) firstWindow = i;
        }
        Assert.True(lastSession < firstWindow,
            "a session output came after a 10 s window output: " + string.Join(" ; ", batch.Select(o => $"{o.Topic}/{o.Key}")));
    }
}
