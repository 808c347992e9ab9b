using BenchmarkDotNet.Attributes;
using Beltline.Line.Clickstream;

namespace Beltline.Benchmarks.Line;

/// <summary>
/// The clickstream producer's own cost per click, before Confluent.Kafka: the session state machine and the JSON
/// value. What is left of a core after these goes to the client and the broker.
/// </summary>
[MemoryDiagnoser]
public class ClickGeneration
{
    private ClickSessionGenerator _sessions = null!;
    private ClickEvent _click;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _sessions = new ClickSessionGenerator(new ClickstreamSequence(), new Random(42));
        _click = new ClickEvent("66.249.1.17", 1_700_000_000_123, "tablet", "product_detail", "AirPods", 4321, 77, 76);
    }

    // One step of a session, a new session whenever the last one ended.
    [Benchmark]
    public ClickEvent NextEvent()
    {
        if (_sessions.SessionEnded)
            _sessions.StartSession();
        return _sessions.NextEvent(1_700_000_000_000);
    }

    [Benchmark]
    public byte[] SerializeJson() => ClickEventJsonSerializer.ToJson(_click);
}
