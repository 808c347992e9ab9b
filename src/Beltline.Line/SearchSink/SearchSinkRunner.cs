using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Beltline.Streams;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Beltline.Line.SearchSink;

/// <summary>When a batch goes out and how hard a failing one is retried; the Flink job's Elasticsearch sink flushed at 1,000 actions / 1 s / 1 MB.</summary>
public sealed record SearchSinkOptions
{
    public int MaxActions { get; init; } = 1000;

    public int MaxBytes { get; init; } = 1 << 20;

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per batch while the store is unreachable or busy, with doubling backoff; then the sink stops.</summary>
    public int MaxAttempts { get; init; } = 10;

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
}

public sealed record SearchSinkStatus(long Records, long Indexed, long Rejected, long Bulks, long Retries, TimeSpan Elapsed);

/// <summary>
/// The search sink: the processor's result topics into their indices through <c>_bulk</c>, each record's Kafka key
/// as the document id, so a replay overwrites instead of duplicating. Kafka offsets are committed only after the
/// store has acknowledged the batch that holds their records (Elasticsearch acknowledges a bulk once its translog
/// has it on disk), so a crash re-sends, never loses. Documents the store refuses for good (a mapping conflict) are
/// counted and logged, and the sink goes on; a store that stays unreachable stops the sink without committing.
/// </summary>
public sealed class SearchSinkRunner(ConsumerConfig consumerConfig, SearchClient search, IReadOnlyDictionary<string, string> topicIndices, SearchSinkOptions options, ILogger logger)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _elapsed = new();
    private long _records, _indexed, _rejected, _bulks, _retries;

    public SearchSinkStatus Status => new(Interlocked.Read(ref _records), Interlocked.Read(ref _indexed), Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _bulks), Interlocked.Read(ref _retries), _elapsed.Elapsed);

    public Task<SearchSinkStatus> RunAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private SearchSinkStatus Run(CancellationToken cancellationToken)
    {
        _elapsed.Start();
        foreach (var index in topicIndices.Values.Distinct())
            if (ClickstreamIndices.Mappings.TryGetValue(index, out var mapping))
                Retrying($"creating index {index}", () => search.EnsureIndexAsync(index, mapping, cancellationToken), cancellationToken);

        var config = ConsumerTuning.KeepFetching(new ConsumerConfig(consumerConfig.ToDictionary(p => p.Key, p => p.Value))
        {
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        });
        using var consumer = new ConsumerBuilder<string?, byte[]>(config).Build();
        consumer.Subscribe(topicIndices.Keys);
        var batch = new Batch();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var record = consumer.Consume(PollTimeout);
                if (record is not null)
                {
                    batch.Add(topicIndices[record.Topic], record);
                    Interlocked.Increment(ref _records);
                }
                if (batch.Count > 0 && (batch.Count >= options.MaxActions || batch.Bytes >= options.MaxBytes || batch.Age >= options.MaxDelay))
                    Flush(batch, consumer, cancellationToken);
            }
            if (batch.Count > 0)
                Flush(batch, consumer, CancellationToken.None);
        }
        finally
        {
            _elapsed.Stop();
            consumer.Close();
        }
        return Status;
    }

    private void Flush(Batch batch, IConsumer<string?, byte[]> consumer, CancellationToken cancellationToken)
    {
        var pending = Enumerable.Range(0, batch.Count).ToList();
        var backoff = options.FirstBackoff;
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            BulkOutcome? outcome = null;
            try
            {
                outcome = search.BulkAsync(batch.Body(pending), pending.Count, cancellationToken).GetAwaiter().GetResult();
                Interlocked.Increment(ref _bulks);
            }
            catch (SearchUnavailableException e) when (attempt < options.MaxAttempts)
            {
                logger.LogWarning("Bulk of {Count} documents failed (attempt {Attempt} of {Max}), retrying in {Backoff} ms: {Reason}",
                    pending.Count, attempt, options.MaxAttempts, backoff.TotalMilliseconds, e.Message);
            }
            if (outcome is not null)
            {
                Interlocked.Add(ref _indexed, outcome.Indexed);
                foreach (var (item, reason) in outcome.Rejected)
                {
                    Interlocked.Increment(ref _rejected);
                    logger.LogError("The store refused document {Id} of {Source}: {Reason}", batch.Id(pending[item]), batch.Source(pending[item]), reason);
                }
                pending = outcome.RetryItems.Select(i => pending[i]).ToList();
                if (pending.Count == 0)
                    break;
                if (attempt >= options.MaxAttempts)
                    throw new SearchUnavailableException($"{pending.Count} documents were still refused as busy after {attempt} attempts.");
            }
            Interlocked.Increment(ref _retries);
            backoff = WaitAndDouble(backoff, cancellationToken);
        }
        // Only now: the documents are durable in the store.
        consumer.Commit(batch.NextOffsets());
        batch.Clear();
    }

    private void Retrying(string what, Func<Task> action, CancellationToken cancellationToken)
    {
        var backoff = options.FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                action().GetAwaiter().GetResult();
                return;
            }
            catch (SearchUnavailableException e) when (attempt < options.MaxAttempts)
            {
                logger.LogWarning("{What} failed (attempt {Attempt} of {Max}): {Reason}", what, attempt, options.MaxAttempts, e.Message);
                backoff = WaitAndDouble(backoff, cancellationToken);
            }
        }
    }

    /// <summary>Sleeps the backoff (a stop wakes it and cancels), and returns the next one, doubled up to the maximum.</summary>
    private TimeSpan WaitAndDouble(TimeSpan backoff, CancellationToken cancellationToken)
    {
        cancellationToken.WaitHandle.WaitOne(backoff);
        cancellationToken.ThrowIfCancellationRequested();
        return TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.MaxBackoff.Ticks));
    }

    /// <summary>The bulk body under construction: items as (action line + source line) ranges, and the offsets they cover.</summary>
    private sealed class Batch
    {
        private readonly ArrayBufferWriter<byte> _body = new(1 << 20);
        private readonly List<(int Start, int Length, string? Id, string Source)> _items = [];
        private readonly Dictionary<TopicPartition, long> _next = [];
        private readonly Stopwatch _age = new();

        public int Count => _items.Count;

        public int Bytes => _body.WrittenCount;

        public TimeSpan Age => _age.Elapsed;

        public void Add(string index, ConsumeResult<string?, byte[]> record)
        {
            if (_items.Count == 0)
                _age.Restart();
            var start = _body.WrittenCount;
            using (var action = new Utf8JsonWriter(_body))
            {
                action.WriteStartObject();
                action.WriteStartObject("index");
                action.WriteString("_index", index);
                if (record.Message.Key is { } key)
                    action.WriteString("_id", key);
                action.WriteEndObject();
                action.WriteEndObject();
            }
            _body.Write("\n"u8);
            _body.Write(record.Message.Value ?? "{}"u8.ToArray());
            _body.Write("\n"u8);
            _items.Add((start, _body.WrittenCount - start, record.Message.Key, $"{record.Topic}/{record.Partition.Value}@{record.Offset.Value}"));
            _next[record.TopicPartition] = record.Offset.Value + 1;
        }

        /// <summary>The NDJSON of the given items; all of them without a copy.</summary>
        public ReadOnlyMemory<byte> Body(List<int> items)
        {
            if (items.Count == _items.Count)
                return _body.WrittenMemory;
            var subset = new ArrayBufferWriter<byte>();
            foreach (var item in items)
                subset.Write(_body.WrittenSpan.Slice(_items[item].Start, _items[item].Length));
            return subset.WrittenMemory;
        }

        public string? Id(int item) => _items[item].Id;

        public string Source(int item) => _items[item].Source;

        public IEnumerable<TopicPartitionOffset> NextOffsets() => _next.Select(p => new TopicPartitionOffset(p.Key, p.Value));

        public void Clear()
        {
            _body.ResetWrittenCount();
            _items.Clear();
            _next.Clear();
        }
    }
}
