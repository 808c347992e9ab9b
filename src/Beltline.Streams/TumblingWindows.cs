namespace Beltline.Streams;

/// <summary>
/// Keyed event-time tumbling windows with an incremental aggregate and allowed lateness 0, as Flink's
/// <c>TumblingEventTimeWindows</c>: an element at t belongs to [t − t mod size, + size); a window fires once the
/// watermark reaches its end − 1; an element for a window already behind the watermark is late and dropped.
/// </summary>
public sealed class TumblingWindows<TKey, TAcc>(long sizeMs, Func<TAcc> create) where TKey : notnull where TAcc : class
{
    private readonly Dictionary<(TKey Key, long Start), TAcc> _open = [];
    private readonly PriorityQueue<(TKey Key, long Start), long> _timers = new();

    public long Watermark { get; private set; } = long.MinValue;

    public int OpenWindows => _open.Count;

    public TimeWindow WindowOf(long timestamp)
    {
        var start = timestamp - (((timestamp % sizeMs) + sizeMs) % sizeMs);
        return new TimeWindow(start, start + sizeMs);
    }

    /// <summary>The accumulator of the window holding <paramref name="timestamp"/>; null when that window is late.</summary>
    public TAcc? Assign(TKey key, long timestamp)
    {
        var window = WindowOf(timestamp);
        if (window.MaxTimestamp <= Watermark)
            return default;
        if (!_open.TryGetValue((key, window.Start), out var accumulator))
        {
            _open[(key, window.Start)] = accumulator = create();
            _timers.Enqueue((key, window.Start), window.MaxTimestamp);
        }
        return accumulator;
    }

    public void AdvanceWatermark(long watermark, Action<TKey, TimeWindow, TAcc> fire)
    {
        if (watermark <= Watermark)
            return;
        Watermark = watermark;
        while (_timers.TryPeek(out var timer, out var maxTimestamp) && maxTimestamp <= watermark)
        {
            _timers.Dequeue();
            if (_open.Remove(timer, out var accumulator))
                fire(timer.Key, new TimeWindow(timer.Start, timer.Start + sizeMs), accumulator);
        }
    }

    public IEnumerable<(TKey Key, long Start, TAcc Accumulator)> Snapshot() => _open.Select(p => (p.Key.Key, p.Key.Start, p.Value));

    public void Restore(IEnumerable<(TKey Key, long Start, TAcc Accumulator)> windows, long watermark)
    {
        Watermark = watermark;
        foreach (var (key, start, accumulator) in windows)
        {
            _open[(key, start)] = accumulator;
            _timers.Enqueue((key, start), start + sizeMs - 1);
        }
    }
}
