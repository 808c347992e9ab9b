using Microsoft.Extensions.Time.Testing;

namespace Beltline.Streams.Tests;

/// <summary>The operators on their own, with string keys and a counting aggregate (the clickstream job's rules are in its golden tests).</summary>
public sealed class WindowTests
{
    private sealed class Count
    {
        public int Value;
    }

    private sealed class CountAggregate : IWindowAggregate<Count>
    {
        public Count Create() => new();

        public void Merge(Count target, Count source) => target.Value += source.Value;
    }

    private static List<(string Key, TimeWindow Window, int Count)> Fired<TAcc>(Action<Action<string, TimeWindow, TAcc>> advance, Func<TAcc, int> value)
    {
        var fired = new List<(string, TimeWindow, int)>();
        advance((key, window, acc) => fired.Add((key, window, value(acc))));
        return fired;
    }

    [Fact]
    public void Sessions_grow_merge_when_touching_and_fire_at_end_minus_one()
    {
        var sessions = new SessionWindows<string, Count>(1000, new CountAggregate());
        sessions.Assign("a", 0)!.Value++;
        sessions.Assign("a", 2000)!.Value++;      // [2000, 3000): a second session
        sessions.Assign("a", 1000)!.Value++;      // [1000, 2000) touches both: one session [0, 3000)
        sessions.Assign("b", 5000)!.Value++;

        Assert.Empty(Fired<Count>(f => sessions.AdvanceWatermark(2998, f), c => c.Value));
        Assert.Equal([("a", new TimeWindow(0, 3000), 3)], Fired<Count>(f => sessions.AdvanceWatermark(2999, f), c => c.Value));
        Assert.Null(sessions.Assign("a", 1500));  // its window [1500, 2500) is behind the watermark: late
        Assert.NotNull(sessions.Assign("a", 2500)); // [2500, 3500) is not: a new session, the fired one is gone
        Assert.Equal(2, sessions.OpenSessions);
    }

    [Fact]
    public void A_late_element_that_touches_an_open_session_joins_it()
    {
        var sessions = new SessionWindows<string, Count>(1000, new CountAggregate());
        sessions.Assign("a", 10_000)!.Value++;
        sessions.AdvanceWatermark(9_500, (_, _, _) => { });

        var joined = sessions.Assign("a", 9_000);    // its own window [9000, 10000) is behind, but it touches [10000, 11000)

        Assert.NotNull(joined);
        joined.Value++;
        Assert.Equal([("a", new TimeWindow(9_000, 11_000), 2)], Fired<Count>(f => sessions.AdvanceWatermark(long.MaxValue, f), c => c.Value));
    }

    [Fact]
    public void Tumbling_windows_align_to_their_size_and_refuse_elements_for_fired_windows()
    {
        var windows = new TumblingWindows<string, Count>(10_000, () => new Count());
        windows.Assign("x", 9_999)!.Value++;
        windows.Assign("x", 10_000)!.Value++;
        windows.Assign("x", -1)!.Value++;

        Assert.Equal(new TimeWindow(-10_000, 0), windows.WindowOf(-1));
        var fired = Fired<Count>(f => windows.AdvanceWatermark(9_999, f), c => c.Value);
        Assert.Equal([("x", new TimeWindow(-10_000, 0), 1), ("x", new TimeWindow(0, 10_000), 1)], fired);
        Assert.Null(windows.Assign("x", 5_000));
        Assert.Equal(1, windows.OpenWindows);
    }

    [Fact]
    public void State_survives_a_snapshot_and_restore()
    {
        var sessions = new SessionWindows<string, Count>(1000, new CountAggregate());
        sessions.Assign("a", 100)!.Value = 4;
        sessions.AdvanceWatermark(50, (_, _, _) => { });
        var restored = new SessionWindows<string, Count>(1000, new CountAggregate());

        restored.Restore(sessions.Snapshot().ToList(), sessions.Watermark);

        Assert.Equal(50, restored.Watermark);
        Assert.Equal([("a", new TimeWindow(100, 1100), 4)], Fired<Count>(f => restored.AdvanceWatermark(long.MaxValue, f), c => c.Value));
    }

    [Fact]
    public void The_watermark_is_the_minimum_over_active_partitions_and_never_goes_back()
    {
        var clock = new FakeTimeProvider();
        var watermarks = new PartitionWatermarks(TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(1), clock);
        watermarks.Assign([0, 1]);
        watermarks.OnEvent(0, 50_000);

        Assert.False(watermarks.Advance());         // partition 1 has nothing yet
        watermarks.OnEvent(1, 40_000);
        Assert.True(watermarks.Advance());
        Assert.Equal(19_999, watermarks.Current);
        watermarks.OnEvent(1, 10_000);               // an old event lowers nothing
        Assert.False(watermarks.Advance());
        clock.Advance(TimeSpan.FromSeconds(61));     // both idle: nothing moves
        Assert.False(watermarks.Advance());
        watermarks.OnEvent(0, 60_000);               // partition 1 is idle, partition 0 leads alone
        Assert.True(watermarks.Advance());
        Assert.Equal(39_999, watermarks.Current);
    }
}
