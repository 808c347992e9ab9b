using Confluent.Kafka;

namespace Beltline.Streams;

/// <summary>
/// Where a job's results go. A checkpoint is taken only after <see cref="Flush"/> says every result written so far
/// is durable there, so a sink may batch as it likes.
/// </summary>
public interface IOutputSink : IDisposable
{
    void Write(JobOutput output);

    /// <summary>Waits until everything written is durable; throws when something was lost or the timeout passed.</summary>
    void Flush(TimeSpan timeout);
}

/// <summary>Results to Kafka topics: key and JSON value, the result's event time as the record timestamp (Flink's setWriteTimestampToKafka).</summary>
public sealed class KafkaOutputSink(ProducerConfig config) : IOutputSink
{
    private readonly IProducer<string, string> _producer = new ProducerBuilder<string, string>(config).Build();
    private string? _deliveryError;

    public void Write(JobOutput output)
    {
        var message = new Message<string, string> { Key = output.Key, Value = output.Value, Timestamp = new Timestamp(output.Timestamp, TimestampType.CreateTime) };
        _producer.Produce(output.Topic, message, report =>
        {
            if (report.Error.IsError)
                Interlocked.CompareExchange(ref _deliveryError, $"{output.Topic}: {report.Error.Reason}", null);
        });
        if (Volatile.Read(ref _deliveryError) is { } error)
            throw new KafkaException(new Error(ErrorCode.Local_Fail, $"A result was not delivered: {error}"));
    }

    public void Flush(TimeSpan timeout)
    {
        var pending = _producer.Flush(timeout);
        if (Volatile.Read(ref _deliveryError) is { } error)
            throw new KafkaException(new Error(ErrorCode.Local_Fail, $"A result was not delivered: {error}"));
        if (pending > 0)
            throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"{pending} results were still undelivered after {timeout.TotalSeconds} s."));
    }

    public void Dispose() => _producer.Dispose();
}
