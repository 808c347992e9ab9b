using Confluent.Kafka;

namespace Beltline.Line.Clickstream;

/// <summary>Where generated clicks go: Kafka in production, a list in tests.</summary>
public interface IClickEventSink : IDisposable
{
    /// <summary>Hands one click over; its fate is reported to <paramref name="deliveries"/> when known.</summary>
    void Send(in ClickEvent click, string key, ClickDeliveries deliveries);

    /// <summary>Waits until every click has been reported or the timeout passes; returns how many are still pending.</summary>
    int Flush(TimeSpan timeout);
}

/// <summary>One generator thread's delivery outcomes, updated from the client's delivery-report thread.</summary>
public sealed class ClickDeliveries
{
    private long _delivered;
    private long _failed;
    private string? _firstError;

    public ClickDeliveries() => KafkaHandler = report =>
    {
        if (report.Error.IsError)
            Failed(report.Error.Reason);
        else
            Delivered();
    };

    public long DeliveredCount => Interlocked.Read(ref _delivered);

    public long FailedCount => Interlocked.Read(ref _failed);

    public string? FirstError => Volatile.Read(ref _firstError);

    /// <summary>The delivery handler handed to Confluent.Kafka, made once per thread rather than per click.</summary>
    internal Action<DeliveryReport<string, ClickEvent>> KafkaHandler { get; }

    public void Delivered() => Interlocked.Increment(ref _delivered);

    public void Failed(string reason)
    {
        Interlocked.CompareExchange(ref _firstError, reason, null);
        Interlocked.Increment(ref _failed);
    }
}

/// <summary>Clicks to a Kafka topic through one producer shared by all threads, as the original does; key = userid.</summary>
public sealed class KafkaClickEventSink : IClickEventSink
{
    private readonly IProducer<string, ClickEvent> _producer;
    private readonly string _topic;

    public KafkaClickEventSink(ProducerConfig config, string topic, ISerializer<ClickEvent>? serializer = null)
    {
        _topic = topic;
        _producer = new ProducerBuilder<string, ClickEvent>(config)
            .SetValueSerializer(serializer ?? ClickEventJsonSerializer.Instance)
            .Build();
    }

    /// <summary>The original's producer settings (acks=all, retries=5, client.id, batch 16384, linger 0), for a config to start from.</summary>
    public static ProducerConfig OriginalDefaults() => new()
    {
        ClientId = "clickstream-producer",
        Acks = Acks.All,
        MessageSendMaxRetries = 5,
        BatchSize = 16384,
        LingerMs = 0,
    };

    public void Send(in ClickEvent click, string key, ClickDeliveries deliveries)
    {
        while (true)
        {
            try
            {
                _producer.Produce(_topic, new Message<string, ClickEvent> { Key = key, Value = click }, deliveries.KafkaHandler);
                return;
            }
            catch (ProduceException<string, ClickEvent> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The client's buffer is full (the broker is slower than the generator): wait for deliveries, like
                // the Java producer blocking in send() for max.block.ms.
                Thread.Sleep(5);
            }
        }
    }

    public int Flush(TimeSpan timeout) => _producer.Flush(timeout);

    public void Dispose() => _producer.Dispose();
}
