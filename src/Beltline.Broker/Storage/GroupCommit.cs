using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Storage;

/// <summary>
/// Durable mode: acks=all responses wait until their partitions are fsynced. One loop flushes every log that
/// has waiters, then releases them all; requests arriving during an fsync join the next round, so one fsync
/// covers many requests (group commit) and throughput does not fall to one request per disk flush.
/// </summary>
internal sealed class GroupCommit : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private Dictionary<PartitionLog, TaskCompletionSource> _waiting = [];
    private TaskCompletionSource _work = NewSignal();

    public GroupCommit(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Completes once everything appended to <paramref name="log"/> before the call is on disk.</summary>
    public Task WaitDurableAsync(PartitionLog log)
    {
        lock (_lock)
        {
            if (!_waiting.TryGetValue(log, out var done))
                _waiting[log] = done = NewSignal();
            _work.TrySetResult();
            return done.Task;
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Task work;
            lock (_lock) work = _work.Task;
            await work.WaitAsync(_stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Dictionary<PartitionLog, TaskCompletionSource> batch;
            lock (_lock)
            {
                batch = _waiting;
                _waiting = [];
                _work = NewSignal();
            }
            foreach (var (log, done) in batch)
            {
                try
                {
                    log.Flush();
                    done.TrySetResult();
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "fsync of {Topic}-{Partition} failed", log.Topic, log.Partition);
                    done.TrySetException(e);
                }
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_lock)
            foreach (var done in _waiting.Values)
                done.TrySetCanceled();
        _stop.Dispose();
    }
}
