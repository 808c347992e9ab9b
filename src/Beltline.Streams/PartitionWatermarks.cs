namespace Beltline.Streams;

/// <summary>
/// Event-time watermarks of a partitioned source, as Flink's Kafka source makes them with
/// <c>BoundedOutOfOrdernessWatermarks</c> and <c>withIdleness</c>: each partition's watermark is its largest event
/// time minus the out-of-orderness bound minus 1 ms; the source's is the smallest over the partitions that are not
/// idle (no event for the idle timeout, in processing time). It only moves forward, and stays put while every
/// partition is idle. Flink emits it every 200 ms of processing time; here it is re-evaluated after every event,
/// which makes a run reproducible and gives the same results for data within the bound.
/// </summary>
public sealed class PartitionWatermarks(TimeSpan outOfOrderness, TimeSpan idleTimeout, TimeProvider clock)
{
    private readonly long _boundMs = (long)outOfOrderness.TotalMilliseconds;
    private readonly Dictionary<int, PartitionTime> _partitions = [];

    private sealed class PartitionTime(long lastActivity)
    {
        public long MaxTimestamp = long.MinValue;
        public long LastActivity = lastActivity;
    }

    /// <summary>The combined watermark; long.MinValue until every active partition has seen an event.</summary>
    public long Current { get; private set; } = long.MinValue;

    public IReadOnlyCollection<int> Partitions => _partitions.Keys;

    /// <summary>The largest event time per partition, for checkpoints.</summary>
    public IEnumerable<KeyValuePair<int, long>> MaxTimestamps => _partitions.Select(p => KeyValuePair.Create(p.Key, p.Value.MaxTimestamp));

    /// <summary>Partitions count toward the watermark from their assignment; one that never gets an event turns idle after the timeout.</summary>
    public void Assign(IEnumerable<int> partitions)
    {
        var now = clock.GetTimestamp();
        foreach (var partition in partitions)
            _partitions.TryAdd(partition, new PartitionTime(now));
    }

    public void Revoke(IEnumerable<int> partitions)
    {
        foreach (var partition in partitions)
            _partitions.Remove(partition);
    }

    /// <summary>Restores a checkpoint: the partitions' largest event times and the combined watermark.</summary>
    public void Restore(IEnumerable<KeyValuePair<int, long>> maxTimestamps, long current)
    {
        var now = clock.GetTimestamp();
        foreach (var (partition, max) in maxTimestamps)
            _partitions[partition] = new PartitionTime(now) { MaxTimestamp = max };
        Current = current;
    }

    public void OnEvent(int partition, long timestamp)
    {
        if (!_partitions.TryGetValue(partition, out var state))
            _partitions[partition] = state = new PartitionTime(0);
        if (timestamp > state.MaxTimestamp)
            state.MaxTimestamp = timestamp;
        state.LastActivity = clock.GetTimestamp();
    }

    /// <summary>Recomputes the combined watermark; true when it moved forward.</summary>
    public bool Advance()
    {
        var now = clock.GetTimestamp();
        var combined = long.MaxValue;
        var anyActive = false;
        foreach (var state in _partitions.Values)
        {
            if (clock.GetElapsedTime(state.LastActivity, now) >= idleTimeout)
                continue;
            anyActive = true;
            var watermark = state.MaxTimestamp == long.MinValue ? long.MinValue : state.MaxTimestamp - _boundMs - 1;
            if (watermark < combined)
                combined = watermark;
        }
        if (!anyActive || combined <= Current)
            return false;
        Current = combined;
        return true;
    }

    /// <summary>The end of a bounded input: every window may fire.</summary>
    public void AdvanceToEnd() => Current = long.MaxValue;
}
