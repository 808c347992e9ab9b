using System.Diagnostics.Metrics;
using Beltline.Protocol;

namespace Beltline.Broker.Telemetry;

/// <summary>
/// The broker's instruments on System.Diagnostics.Metrics (meter "Beltline.Broker"), so any collector can read
/// them; the CLI exposes them in Prometheus format. Names follow Kafka's BrokerTopicMetrics where one exists.
/// </summary>
internal sealed class BrokerMetrics : IDisposable
{
    public const string MeterName = "Beltline.Broker";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private long _connections;

    public BrokerMetrics(Func<IEnumerable<Measurement<long>>> logSizes, Func<IEnumerable<Measurement<long>>>? groups = null, Func<long>? groupMembers = null)
    {
        _meter = new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("requests", description: "Requests handled, by API.");
        _requestDuration = _meter.CreateHistogram<double>("request_duration", unit: "ms", description: "Time from a request's arrival to its response being queued.");
        BytesIn = _meter.CreateCounter<long>("bytes_in", unit: "By", description: "Record batch bytes appended (BytesInPerSec).");
        BytesOut = _meter.CreateCounter<long>("bytes_out", unit: "By", description: "Record batch bytes sent to fetchers (BytesOutPerSec).");
        MessagesIn = _meter.CreateCounter<long>("messages_in", description: "Records appended (MessagesInPerSec).");
        ProtocolErrors = _meter.CreateCounter<long>("protocol_errors", description: "Connections closed for malformed, oversized or unsupported requests.");
        _meter.CreateObservableGauge("connections", () => Interlocked.Read(ref _connections), description: "Open client connections.");
        _meter.CreateObservableGauge("log_size", logSizes, unit: "By", description: "Bytes on disk per partition log.");
        if (groups is not null)
            _meter.CreateObservableGauge("groups", groups, description: "Consumer groups, by state.");
        if (groupMembers is not null)
            _meter.CreateObservableGauge("group_members", groupMembers, description: "Members of all consumer groups.");
    }

    public Counter<long> BytesIn { get; }
    public Counter<long> BytesOut { get; }
    public Counter<long> MessagesIn { get; }
    public Counter<long> ProtocolErrors { get; }

    public void ConnectionOpened() => Interlocked.Increment(ref _connections);
    public void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    public void RequestHandled(ApiKey api, double milliseconds)
    {
        var tag = new KeyValuePair<string, object?>("api", api.ToString());
        _requests.Add(1, tag);
        _requestDuration.Record(milliseconds, tag);
    }

    public void Dispose() => _meter.Dispose();
}
