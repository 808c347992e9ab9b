using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Beltline.Streams;

namespace Beltline.Line.ClickstreamProcessor;

/// <summary>
/// The clickstream job, twin of the workshop's Flink job (workshop-spec §2): clicks keyed by userid into 1 s event-time
/// session windows (UserAggregate); sessions with an order checkout to their topic; every session into 10 s tumbling
/// windows counting sessions (and those with a checkout) and, per department in its deptList, sessions per
/// department. Session results carry the timestamp end − 1 and reach the 10 s windows before the watermark that
/// fired them, which is what lines the 10 s windows up behind the sessions. Output keys are derived from
/// (key, window), so a replay rewrites the same records.
/// </summary>
public sealed class ClickstreamJob : IStreamJob
{
    private const long SessionCountKey = 1; // the original's eventKey: every session in one 10 s stream

    private readonly ClickstreamJobOptions _options;
    private readonly PartitionWatermarks _watermarks;
    private readonly SessionWindows<long, UserSession> _sessions;
    private readonly TumblingWindows<long, SessionCounts> _sessionCounts;
    private readonly TumblingWindows<string, DepartmentCount> _departments;
    private readonly List<JobOutput> _outputs = [];
    private readonly ArrayBufferWriter<byte> _json = new(512);
    private readonly Utf8JsonWriter _writer;

    public ClickstreamJob(ClickstreamJobOptions? options = null, TimeProvider? processingClock = null)
    {
        _options = options ?? new ClickstreamJobOptions();
        _watermarks = new PartitionWatermarks(_options.OutOfOrderness, _options.IdleTimeout, processingClock ?? TimeProvider.System);
        _sessions = new SessionWindows<long, UserSession>((long)_options.SessionGap.TotalMilliseconds, UserSession.Aggregate);
        var size = (long)_options.AggregateWindow.TotalMilliseconds;
        _sessionCounts = new TumblingWindows<long, SessionCounts>(size, () => new SessionCounts());
        _departments = new TumblingWindows<string, DepartmentCount>(size, () => new DepartmentCount());
        _writer = new Utf8JsonWriter(_json);
    }

    public long Watermark => _watermarks.Current;

    public long ProcessedEvents { get; private set; }

    public long LateEvents { get; private set; }

    public long BadEvents { get; private set; }

    public int OpenSessions => _sessions.OpenSessions;

    public void Assign(IEnumerable<int> partitions)
    {
        _watermarks.Assign(partitions);
        AdvanceWatermark();
    }

    public void Revoke(IEnumerable<int> partitions) => _watermarks.Revoke(partitions);

    public RecordOutcome Process(int partition, long offset, ReadOnlySpan<byte> value) => Process(partition, offset, value, out _);

    public RecordOutcome Process(int partition, long offset, ReadOnlySpan<byte> value, out string? reason)
    {
        if (!ClickInput.TryParse(value, out var click, out reason))
        {
            BadEvents++;
            return RecordOutcome.Bad;
        }
        // The element meets the windows under the watermark that was current before it; then the watermark moves.
        _watermarks.OnEvent(partition, click.EventTimestamp);
        var outcome = RecordOutcome.Processed;
        if (_sessions.Assign(click.UserId, click.EventTimestamp) is { } session)
        {
            session.Add(click);
            ProcessedEvents++;
        }
        else
        {
            LateEvents++;
            outcome = RecordOutcome.Late;
        }
        AdvanceWatermark();
        return outcome;
    }

    public void Tick() => AdvanceWatermark();

    public void Finish()
    {
        _watermarks.AdvanceToEnd();
        Fire(long.MaxValue);
    }

    public IReadOnlyList<JobOutput> TakeOutputs()
    {
        if (_outputs.Count == 0)
            return [];
        var taken = _outputs.ToArray();
        _outputs.Clear();
        return taken;
    }

    private void AdvanceWatermark()
    {
        if (_watermarks.Advance())
            Fire(_watermarks.Current);
    }

    private void Fire(long watermark)
    {
        _sessions.AdvanceWatermark(watermark, OnSession);
        _sessionCounts.AdvanceWatermark(watermark, OnSessionCounts);
        _departments.AdvanceWatermark(watermark, OnDepartmentCount);
    }

    private void OnSession(long userId, TimeWindow window, UserSession session)
    {
        var timestamp = window.MaxTimestamp;
        if (session.OrderCheckoutEventCount != 0)
        {
            var depts = session.Departments.Order(StringComparer.Ordinal).ToArray();
            Emit(_options.SessionsTopic, $"{userId}@{window.Start}", timestamp, json =>
            {
                json.WriteNumber("userId", userId);
                json.WriteNumber("eventCount", session.EventCount);
                json.WriteNumber("orderCheckoutEventCount", session.OrderCheckoutEventCount);
                json.WriteStartArray("deptList");
                foreach (var dept in depts)
                    json.WriteStringValue(dept);
                json.WriteEndArray();
                json.WriteNumber("eventKey", SessionCountKey);
                json.WriteNumber("windowBeginTime", window.Start);
                json.WriteNumber("windowEndTime", window.End);
            });
        }
        // Session results are late for no 10 s window: they fired under a watermark the 10 s windows have not seen yet.
        var counts = _sessionCounts.Assign(SessionCountKey, timestamp)!;
        counts.Sessions++;
        if (session.OrderCheckoutEventCount != 0)
            counts.WithOrderCheckout++;
        foreach (var dept in session.Departments)
            _departments.Assign(dept, timestamp)!.Sessions++;
    }

    private void OnSessionCounts(long key, TimeWindow window, SessionCounts counts) =>
        Emit(_options.SessionCountsTopic, window.Start.ToString(CultureInfo.InvariantCulture), window.MaxTimestamp, json =>
        {
            json.WriteNumber("userSessionCount", counts.Sessions);
            json.WriteNumber("userSessionCountWithOrderCheckout", counts.WithOrderCheckout);
            // The original divides integers (33.0 for a third); Beltline gives the true percentage.
            json.WriteNumber("percentSessionswithBuy", 100.0 * counts.WithOrderCheckout / counts.Sessions);
            json.WriteNumber("windowBeginTime", window.Start);
            json.WriteNumber("windowEndTime", window.End);
        });

    private void OnDepartmentCount(string department, TimeWindow window, DepartmentCount count) =>
        Emit(_options.DepartmentsTopic, $"{department}@{window.Start}", window.MaxTimestamp, json =>
        {
            json.WriteString("departmentName", department);
            json.WriteNumber("departmentCount", count.Sessions);
            json.WriteNumber("windowBeginTime", window.Start);
            json.WriteNumber("windowEndTime", window.End);
        });

    private void Emit(string topic, string key, long timestamp, Action<Utf8JsonWriter> writeFields)
    {
        _json.ResetWrittenCount();
        _writer.Reset(_json);
        _writer.WriteStartObject();
        writeFields(_writer);
        _writer.WriteEndObject();
        _writer.Flush();
        _outputs.Add(new JobOutput(topic, key, Encoding.UTF8.GetString(_json.WrittenSpan), timestamp));
    }

    public void WriteCheckpoint(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("watermark", _watermarks.Current);
        json.WriteNumber("processed", ProcessedEvents);
        json.WriteNumber("late", LateEvents);
        json.WriteNumber("bad", BadEvents);
        json.WriteStartObject("partitionMaxTimestamps");
        foreach (var (partition, max) in _watermarks.MaxTimestamps)
            json.WriteNumber(partition.ToString(CultureInfo.InvariantCulture), max);
        json.WriteEndObject();
        json.WriteNumber("sessionsWatermark", _sessions.Watermark);
        json.WriteStartArray("sessions");
        foreach (var (userId, window, session) in _sessions.Snapshot())
        {
            json.WriteStartArray();
            json.WriteNumberValue(userId);
            json.WriteNumberValue(window.Start);
            json.WriteNumberValue(window.End);
            json.WriteNumberValue(session.EventCount);
            json.WriteNumberValue(session.OrderCheckoutEventCount);
            foreach (var dept in session.Departments)
                json.WriteStringValue(dept);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteNumber("countsWatermark", _sessionCounts.Watermark);
        json.WriteStartArray("sessionCounts");
        foreach (var (_, start, counts) in _sessionCounts.Snapshot())
        {
            json.WriteStartArray();
            json.WriteNumberValue(start);
            json.WriteNumberValue(counts.Sessions);
            json.WriteNumberValue(counts.WithOrderCheckout);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteNumber("departmentsWatermark", _departments.Watermark);
        json.WriteStartArray("departments");
        foreach (var (department, start, count) in _departments.Snapshot())
        {
            json.WriteStartArray();
            json.WriteStringValue(department);
            json.WriteNumberValue(start);
            json.WriteNumberValue(count.Sessions);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public void RestoreCheckpoint(JsonElement state)
    {
        ProcessedEvents = state.GetProperty("processed").GetInt64();
        LateEvents = state.GetProperty("late").GetInt64();
        BadEvents = state.GetProperty("bad").GetInt64();
        _watermarks.Restore(
            state.GetProperty("partitionMaxTimestamps").EnumerateObject().Select(p => KeyValuePair.Create(int.Parse(p.Name, CultureInfo.InvariantCulture), p.Value.GetInt64())),
            state.GetProperty("watermark").GetInt64());
        _sessions.Restore(state.GetProperty("sessions").EnumerateArray().Select(s =>
        {
            var fields = s.EnumerateArray().ToArray();
            var session = new UserSession { EventCount = fields[3].GetInt32(), OrderCheckoutEventCount = fields[4].GetInt32() };
            session.Departments.AddRange(fields.Skip(5).Select(f => f.GetString()!));
            return (fields[0].GetInt64(), new TimeWindow(fields[1].GetInt64(), fields[2].GetInt64()), session);
        }).ToList(), state.GetProperty("sessionsWatermark").GetInt64());
        _sessionCounts.Restore(state.GetProperty("sessionCounts").EnumerateArray().Select(c =>
        {
            var fields = c.EnumerateArray().ToArray();
            return (SessionCountKey, fields[0].GetInt64(), new SessionCounts { Sessions = fields[1].GetInt32(), WithOrderCheckout = fields[2].GetInt32() });
        }).ToList(), state.GetProperty("countsWatermark").GetInt64());
        _departments.Restore(state.GetProperty("departments").EnumerateArray().Select(d =>
        {
            var fields = d.EnumerateArray().ToArray();
            return (fields[0].GetString()!, fields[1].GetInt64(), new DepartmentCount { Sessions = fields[2].GetInt32() });
        }).ToList(), state.GetProperty("departmentsWatermark").GetInt64());
    }

    /// <summary>
    /// The original's UserAggregate accumulator: events that name a product, the event count at the order checkout,
    /// the distinct products seen.
    /// </summary>
    internal sealed class UserSession
    {
        public static readonly IWindowAggregate<UserSession> Aggregate = new SessionAggregate();

        public int EventCount;
        public int OrderCheckoutEventCount;
        public readonly List<string> Departments = [];

        public void Add(in ClickInput click)
        {
            if (click.HasProduct)
            {
                EventCount++;
                if (!Departments.Contains(click.ProductType))
                    Departments.Add(click.ProductType);
            }
            // Set, not added: the count so far, the checkout itself included when it names a product.
            if (click.IsOrderCheckout)
                OrderCheckoutEventCount = EventCount;
        }

        private sealed class SessionAggregate : IWindowAggregate<UserSession>
        {
            public UserSession Create() => new();

            public void Merge(UserSession target, UserSession source)
            {
                target.EventCount += source.EventCount;
                target.OrderCheckoutEventCount += source.OrderCheckoutEventCount;
                foreach (var dept in source.Departments)
                    if (!target.Departments.Contains(dept))
                        target.Departments.Add(dept);
            }
        }
    }

    internal sealed class SessionCounts
    {
        public int Sessions;
        public int WithOrderCheckout;
    }

    internal sealed class DepartmentCount
    {
        public int Sessions;
    }
}
