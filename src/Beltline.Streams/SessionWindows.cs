namespace Beltline.Streams;

/// <summary>An event-time window [Start, End); its results carry the timestamp <see cref="MaxTimestamp"/> = End − 1.</summary>
public readonly record struct TimeWindow(long Start, long End)
{
    public long MaxTimestamp => End - 1;

    /// <summary>Flink's <c>TimeWindow.intersects</c>: overlapping or touching windows belong together.</summary>
    public bool Intersects(TimeWindow other) => Start <= other.End && End >= other.Start;

    public TimeWindow Cover(TimeWindow other) => new(Math.Min(Start, other.Start), Math.Max(End, other.End));
}

/// <summary>What a window operator needs of an aggregate: a fresh accumulator and the merge of two.</summary>
public interface IWindowAggregate<TAcc>
{
    TAcc Create();

    /// <summary>Folds <paramref name="source"/> into <paramref name="target"/> (session windows merging).</summary>
    void Merge(TAcc target, TAcc source);
}

/// <summary>
/// Keyed event-time session windows with an incremental aggregate and allowed lateness 0, reproducing Flink's
/// <c>WindowOperator</c> with <c>EventTimeSessionWindows</c> and <c>MergingWindowSet</c>: an element opens
/// [t, t + gap); windows that overlap or touch merge (their accumulators too) before the element is added; an
/// element whose merged window is already behind the watermark is late and dropped; a window fires once the
/// watermark reaches its end − 1, and is then gone, so a later element nearby starts a new session.
/// </summary>
public sealed class SessionWindows<TKey, TAcc>(long gapMs, IWindowAggregate<TAcc> aggregate) where TKey : notnull where TAcc : class
{
    /// <summary>A key's open sessions; almost always one, so a list beats anything cleverer.</summary>
    private readonly Dictionary<TKey, List<Session>> _open = [];

    // Firing order by end − 1. A session that grows or merges leaves its old entry behind; it is skipped when popped.
    private readonly PriorityQueue<(TKey Key, TimeWindow Window), long> _timers = new();

    public sealed class Session(TimeWindow window, TAcc accumulator)
    {
        public TimeWindow Window { get; internal set; } = window;

        public TAcc Accumulator { get; } = accumulator;
    }

    /// <summary>The watermark this operator has seen (it decides lateness).</summary>
    public long Watermark { get; private set; } = long.MinValue;

    public int OpenSessions => _open.Values.Sum(s => s.Count);

    /// <summary>
    /// The session an element at <paramref name="timestamp"/> belongs to, merged as Flink merges; null when the
    /// element is late. The caller adds the element to the returned accumulator.
    /// </summary>
    public TAcc? Assign(TKey key, long timestamp)
    {
        var window = new TimeWindow(timestamp, timestamp + gapMs);
        if (!_open.TryGetValue(key, out var sessions))
        {
            if (window.MaxTimestamp <= Watermark)
                return default;
            var created = new Session(window, aggregate.Create());
            _open[key] = [created];
            _timers.Enqueue((key, window), window.MaxTimestamp);
            return created.Accumulator;
        }

        Session? target = null;
        var before = default(TimeWindow);
        for (var i = 0; i < sessions.Count; i++)
        {
            var session = sessions[i];
            if (!session.Window.Intersects(window))
                continue;
            if (target is null)
            {
                target = session;
                before = session.Window;
                continue;
            }
            // The element bridges two sessions: one accumulator takes the other's content.
            target.Window = target.Window.Cover(session.Window);
            aggregate.Merge(target.Accumulator, session.Accumulator);
            sessions.RemoveAt(i--);
        }
        if (target is null)
        {
            if (window.MaxTimestamp <= Watermark)
                return default;
            target = new Session(window, aggregate.Create());
            sessions.Add(target);
            _timers.Enqueue((key, window), window.MaxTimestamp);
            return target.Accumulator;
        }
        target.Window = target.Window.Cover(window);
        if (target.Window != before)
            _timers.Enqueue((key, target.Window), target.Window.MaxTimestamp);
        return target.Accumulator;
    }

    /// <summary>Fires, in end order, every session whose end − 1 the watermark has reached, and forgets it.</summary>
    public void AdvanceWatermark(long watermark, Action<TKey, TimeWindow, TAcc> fire)
    {
        if (watermark <= Watermark)
            return;
        Watermark = watermark;
        while (_timers.TryPeek(out var timer, out var maxTimestamp) && maxTimestamp <= watermark)
        {
            _timers.Dequeue();
            if (!_open.TryGetValue(timer.Key, out var sessions))
                continue;
            var index = sessions.FindIndex(s => s.Window == timer.Window);
            if (index < 0)
                continue; // grown or merged since: its newer entry fires it
            var session = sessions[index];
            if (sessions.Count == 1)
                _open.Remove(timer.Key);
            else
                sessions.RemoveAt(index);
            fire(timer.Key, session.Window, session.Accumulator);
        }
    }

    /// <summary>Every open session, for a checkpoint.</summary>
    public IEnumerable<(TKey Key, TimeWindow Window, TAcc Accumulator)> Snapshot() =>
        _open.SelectMany(p => p.Value.Select(s => (p.Key, s.Window, s.Accumulator)));

    /// <summary>Puts back a checkpoint's sessions and watermark into an empty operator.</summary>
    public void Restore(IEnumerable<(TKey Key, TimeWindow Window, TAcc Accumulator)> sessions, long watermark)
    {
        Watermark = watermark;
        foreach (var (key, window, accumulator) in sessions)
        {
            if (!_open.TryGetValue(key, out var list))
                _open[key] = list = [];
            list.Add(new Session(window, accumulator));
            _timers.Enqueue((key, window), window.MaxTimestamp);
        }
    }
}
