using System.Diagnostics.Metrics;

namespace Beltline.Streams;

/// <summary>
/// A running job's instruments on the <c>Beltline.Streams</c> meter, for any System.Diagnostics.Metrics listener
/// (OpenTelemetry, prometheus-net, dotnet-counters); each carries the input topic as a tag.
/// </summary>
internal sealed class StreamJobMetrics : IDisposable
{
    public const string MeterName = "Beltline.Streams";

    private readonly Meter _meter = new(MeterName);
    private readonly KeyValuePair<string, object?> _topic;

    public StreamJobMetrics(string inputTopic, Func<long> watermark)
    {
        _topic = KeyValuePair.Create<string, object?>("topic", inputTopic);
        Records = _meter.CreateCounter<long>("beltline_stream_records", description: "Input records read.");
        Late = _meter.CreateCounter<long>("beltline_stream_late_records", description: "Input records dropped as late: their window had fired.");
        Bad = _meter.CreateCounter<long>("beltline_stream_bad_records", description: "Input records skipped as unusable (not JSON, missing fields, nonsense timestamps).");
        Outputs = _meter.CreateCounter<long>("beltline_stream_outputs", description: "Window results written.");
        Checkpoints = _meter.CreateCounter<long>("beltline_stream_checkpoints", description: "Checkpoints taken.");
        _meter.CreateObservableGauge("beltline_stream_watermark_ms", () => new Measurement<long>(watermark(), _topic),
            unit: "ms", description: "The job's event-time watermark, epoch milliseconds.");
    }

    public Counter<long> Records { get; }

    public Counter<long> Late { get; }

    public Counter<long> Bad { get; }

    public Counter<long> Outputs { get; }

    public Counter<long> Checkpoints { get; }

    public void Add(Counter<long> counter, long value)
    {
        if (value != 0)
            counter.Add(value, _topic);
    }

    public void Dispose() => _meter.Dispose();
}
