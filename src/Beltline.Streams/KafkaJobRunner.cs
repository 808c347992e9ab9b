using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Beltline.Streams;

/// <summary>How the runner reads, writes and checkpoints.</summary>
public sealed record KafkaJobOptions
{
    public required string InputTopic { get; init; }

    /// <summary>Where checkpoints live; one running job per directory.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>Read up to the end offsets seen at start, fire every window with a final watermark, and stop.</summary>
    public bool Bounded { get; init; }

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bad records (not JSON, missing fields, nonsense timestamps) are copied here with the reason in a header; null drops them.</summary>
    public string? DeadLetterTopic { get; init; }

    /// <summary>Late records (their window has fired) are copied here; null drops them.</summary>
    public string? LateTopic { get; init; }
}

/// <summary>A moment of a run.</summary>
public sealed record JobStatus(long Records, long Late, long Bad, long Outputs, long Watermark, long Checkpoints, TimeSpan Elapsed);

/// <summary>
/// Runs an <see cref="IStreamJob"/> over a Kafka topic: a consumer-group member reading its partitions, outputs
/// through its sinks (by default one Kafka producer), and a checkpoint every interval that first waits for every output to be acknowledged,
/// then saves the job's state with the offsets it covers, then commits those offsets to the group (for lag, not for
/// recovery). After a crash the job resumes from the checkpoint and writes again what came after it: outputs are
/// at-least-once, and since their keys are deterministic, the set of output records by key is that of an
/// uninterrupted run. Without a checkpoint the input is read from the beginning, as the Flink job's
/// setStartFromEarliest does.
/// </summary>
public sealed class KafkaJobRunner(IStreamJob job, ConsumerConfig consumerConfig, ProducerConfig producerConfig, KafkaJobOptions options, ILogger logger, IReadOnlyList<IOutputSink>? sinks = null)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(60);

    private readonly Dictionary<int, long> _nextOffsets = [];
    private readonly Stopwatch _elapsed = new();
    private long _records, _late, _bad, _outputs, _checkpoints;
    private string? _deliveryError;
    private StreamJobMetrics? _metrics;
    private long _lateSinceLog;
    private long _lastLateLog = -1000;

    public JobStatus Status => new(Interlocked.Read(ref _records), Interlocked.Read(ref _late), Interlocked.Read(ref _bad),
        Interlocked.Read(ref _outputs), Volatile.Read(ref _watermark), Interlocked.Read(ref _checkpoints), _elapsed.Elapsed);

    private long _watermark = long.MinValue;

    /// <summary>Runs on a thread of its own until cancelled (or, bounded, until the input's end); the final checkpoint is taken either way.</summary>
    public Task<JobStatus> RunAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private JobStatus Run(CancellationToken cancellationToken)
    {
        _elapsed.Start();
        using var metrics = _metrics = new StreamJobMetrics(options.InputTopic, () => Volatile.Read(ref _watermark));
        var store = new CheckpointStore(options.StateDirectory);
        var checkpoint = store.Load();
        if (checkpoint is not null)
        {
            job.RestoreCheckpoint(checkpoint.JobState);
            foreach (var (partition, offset) in checkpoint.NextOffsets)
                _nextOffsets[partition] = offset;
            logger.LogInformation("Restored the checkpoint of {TakenAt:o}: offsets {Offsets}, watermark {Watermark}",
                checkpoint.TakenAt, string.Join(", ", checkpoint.NextOffsets.Select(p => $"{p.Key}:{p.Value}")), job.Watermark);
        }

        var consumerSettings = new ConsumerConfig(consumerConfig.ToDictionary(p => p.Key, p => p.Value))
        {
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
        };
        ConsumerTuning.KeepFetching(consumerSettings);
        var outputSinks = sinks ?? [new KafkaOutputSink(producerConfig)];
        using var sideProducer = options.DeadLetterTopic is not null || options.LateTopic is not null
            ? new ProducerBuilder<byte[]?, byte[]>(producerConfig).Build()
            : null;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(consumerSettings)
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => job.Revoke(partitions.Select(p => p.Partition.Value)))
            .Build();

        var endOffsets = options.Bounded ? EndOffsets(consumer) : null;
        consumer.Subscribe(options.InputTopic);
        var nextCheckpoint = _elapsed.Elapsed + options.CheckpointInterval;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (endOffsets is not null && ReachedEnd(endOffsets))
                {
                    job.Finish();
                    Publish(outputSinks);
                    logger.LogInformation("Reached the end offsets seen at start; fired every window");
                    break;
                }
                var record = consumer.Consume(PollTimeout);
                if (record is null)
                    job.Tick();
                else
                    Process(record, sideProducer);
                Publish(outputSinks);
                if (_deliveryError is { } error)
                    throw new KafkaException(new Error(ErrorCode.Local_Fail, $"A dead-letter or late record was not delivered: {error}"));
                if (_elapsed.Elapsed >= nextCheckpoint)
                {
                    Checkpoint(store, consumer, outputSinks, sideProducer);
                    nextCheckpoint = _elapsed.Elapsed + options.CheckpointInterval;
                }
            }
            Checkpoint(store, consumer, outputSinks, sideProducer);
        }
        finally
        {
            _elapsed.Stop();
            consumer.Close();
            if (sinks is null)
                outputSinks[0].Dispose();
        }
        return Status;
    }

    private List<TopicPartitionOffset> OnAssigned(List<TopicPartition> partitions)
    {
        job.Assign(partitions.Select(p => p.Partition.Value));
        logger.LogInformation("Assigned partitions {Partitions}", string.Join(", ", partitions.Select(p => p.Partition.Value)));
        return partitions.Select(p => new TopicPartitionOffset(p,
            _nextOffsets.TryGetValue(p.Partition.Value, out var next) ? new Offset(next) : Offset.Beginning)).ToList();
    }

    private void Process(ConsumeResult<Ignore, byte[]> record, IProducer<byte[]?, byte[]>? sideProducer)
    {
        var partition = record.Partition.Value;
        var outcome = job.Process(partition, record.Offset.Value, record.Message.Value, out var reason);
        _nextOffsets[partition] = record.Offset.Value + 1;
        Interlocked.Increment(ref _records);
        _metrics!.Add(_metrics.Records, 1);
        switch (outcome)
        {
            case RecordOutcome.Bad:
                Interlocked.Increment(ref _bad);
                _metrics.Add(_metrics.Bad, 1);
                logger.LogWarning("Skipped a bad record at {Topic}/{Partition}@{Offset}: {Reason}", record.Topic, partition, record.Offset.Value, reason);
                if (options.DeadLetterTopic is { } deadLetters)
                    sideProducer!.Produce(deadLetters, SideRecord(record, reason!), OnSideDelivery);
                break;
            case RecordOutcome.Late:
                Interlocked.Increment(ref _late);
                _metrics.Add(_metrics.Late, 1);
                LogLate(record);
                if (options.LateTopic is { } lateTopic)
                    sideProducer!.Produce(lateTopic, SideRecord(record, "late"), OnSideDelivery);
                break;
        }
        Volatile.Write(ref _watermark, job.Watermark);
    }

    /// <summary>A line per late record would drown the log when a whole partition lags: at most one a second, with the count of the others.</summary>
    private void LogLate(ConsumeResult<Ignore, byte[]> record)
    {
        _lateSinceLog++;
        var now = _elapsed.ElapsedMilliseconds;
        if (now - _lastLateLog < 1000)
            return;
        logger.LogWarning("Dropped a late record at {Topic}/{Partition}@{Offset} (its window has fired; {Count} late since the last report, {Total} in all)",
            record.Topic, record.Partition.Value, record.Offset.Value, _lateSinceLog, Interlocked.Read(ref _late));
        _lateSinceLog = 0;
        _lastLateLog = now;
    }

    private static Message<byte[]?, byte[]> SideRecord(ConsumeResult<Ignore, byte[]> record, string reason) => new()
    {
        Value = record.Message.Value ?? [],
        Headers = new Headers
        {
            { "beltline.reason", System.Text.Encoding.UTF8.GetBytes(reason) },
            { "beltline.source", System.Text.Encoding.UTF8.GetBytes($"{record.Topic}/{record.Partition.Value}@{record.Offset.Value}") },
        },
    };

    private void OnSideDelivery(DeliveryReport<byte[]?, byte[]> report)
    {
        if (report.Error.IsError)
            Interlocked.CompareExchange(ref _deliveryError, report.Error.Reason, null);
    }

    private void Publish(IReadOnlyList<IOutputSink> outputSinks)
    {
        var outputs = job.TakeOutputs();
        foreach (var output in outputs)
            foreach (var sink in outputSinks)
                sink.Write(output);
        Interlocked.Add(ref _outputs, outputs.Count);
        _metrics?.Add(_metrics.Outputs, outputs.Count);
        Volatile.Write(ref _watermark, job.Watermark);
    }

    private void Checkpoint(CheckpointStore store, IConsumer<Ignore, byte[]> consumer, IReadOnlyList<IOutputSink> outputSinks, IProducer<byte[]?, byte[]>? sideProducer)
    {
        // Outputs before state: a checkpoint must never cover records whose outputs could still be lost.
        foreach (var sink in outputSinks)
            sink.Flush(FlushTimeout);
        var pending = sideProducer?.Flush(FlushTimeout) ?? 0;
        if (pending > 0 || _deliveryError is not null)
            throw new KafkaException(new Error(ErrorCode.Local_Fail, $"Outputs were not delivered ({_deliveryError ?? $"{pending} pending after {FlushTimeout.TotalSeconds} s"}); no checkpoint taken."));
        store.Save(_nextOffsets, job, DateTimeOffset.UtcNow);
        Interlocked.Increment(ref _checkpoints);
        _metrics?.Add(_metrics.Checkpoints, 1);
        if (_nextOffsets.Count == 0)
            return;
        try
        {
            consumer.Commit(_nextOffsets.Select(p => new TopicPartitionOffset(options.InputTopic, p.Key, p.Value)));
        }
        catch (KafkaException e)
        {
            // The checkpoint is what recovery reads; the group's offsets only show progress and lag.
            logger.LogWarning("Committing offsets to the group failed: {Reason}", e.Error.Reason);
        }
    }

    /// <summary>The end offset of every partition of the input, read once at start.</summary>
    private Dictionary<int, long> EndOffsets(IConsumer<Ignore, byte[]> consumer)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(options.InputTopic, TimeSpan.FromSeconds(30));
        var topic = metadata.Topics.SingleOrDefault(t => t.Topic == options.InputTopic);
        if (topic is null || topic.Error.IsError)
            throw new KafkaException(new Error(ErrorCode.UnknownTopicOrPart, $"Input topic '{options.InputTopic}' does not exist."));
        var ends = new Dictionary<int, long>();
        foreach (var partition in topic.Partitions)
        {
            var offsets = consumer.QueryWatermarkOffsets(new TopicPartition(options.InputTopic, partition.PartitionId), TimeSpan.FromSeconds(30));
            // An empty partition (everything deleted by retention, or never written) has nothing to wait for.
            ends[partition.PartitionId] = offsets.High.Value > offsets.Low.Value ? offsets.High.Value : 0;
        }
        logger.LogInformation("Bounded run up to offsets {Offsets}", string.Join(", ", ends.Select(p => $"{p.Key}:{p.Value}")));
        return ends;
    }

    private bool ReachedEnd(Dictionary<int, long> endOffsets)
    {
        foreach (var (partition, end) in endOffsets)
            if (end > 0 && _nextOffsets.GetValueOrDefault(partition, 0) < end)
                return false;
        return true;
    }
}
