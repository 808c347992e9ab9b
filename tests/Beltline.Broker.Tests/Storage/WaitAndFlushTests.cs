using Beltline.Broker.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

public abstract class WaitAndFlushTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : WaitAndFlushTests(directIo: true);

    public sealed class Buffered() : WaitAndFlushTests(directIo: false);

    /// <summary>Only a guard against a hung test; nothing asserts on time.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WaitForAppendAsync_completes_on_append_and_not_before()
    {
        var log = Create(Dir);
        try
        {
            var waiting = log.WaitForAppendAsync(0);
            var second = log.WaitForAppendAsync(0);
            Assert.False(waiting.IsCompleted);
            await Task.Yield();
            Assert.False(waiting.IsCompleted);

            log.AppendCopy(Records(2));
            await waiting.WaitAsync(Guard);
            await second.WaitAsync(Guard);
            Assert.True(waiting.IsCompletedSuccessfully);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public async Task WaitForAppendAsync_is_complete_at_once_when_the_log_is_already_past_the_offset()
    {
        var log = Create(Dir);
        try
        {
            log.AppendCopy(Records(3));
            Assert.True(log.WaitForAppendAsync(0).IsCompletedSuccessfully);
            Assert.True(log.WaitForAppendAsync(2).IsCompletedSuccessfully);

            var atEnd = log.WaitForAppendAsync(3);
            Assert.False(atEnd.IsCompleted);
            log.AppendCopy(Records(1));
            await atEnd.WaitAsync(Guard);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public async Task WaitForAppendAsync_completes_when_the_log_closes()
    {
        var log = Create(Dir);
        var waiting = log.WaitForAppendAsync(0);
        log.Close(deleteFiles: false);
        await waiting.WaitAsync(Guard);
    }

    [Fact]
    public void Flush_messages_flushes_once_that_many_records_are_unflushed()
    {
        var log = Create(Dir, new LogConfig { FlushMessages = 5 });
        try
        {
            log.AppendCopy(Records(3));
            Assert.True(Segments(log)[^1].Dirty);
            log.AppendCopy(Records(2));
            Assert.False(Segments(log)[^1].Dirty);
            log.AppendCopy(Records(1));
            Assert.True(Segments(log)[^1].Dirty);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public void FlushIfDue_flushes_only_when_flush_ms_has_passed()
    {
        var log = Create(Dir);
        try
        {
            log.AppendCopy(Records(1));
            log.FlushIfDue();
            Assert.True(Segments(log)[^1].Dirty);

            log.Config = new LogConfig { FlushMs = 0 };
            log.FlushIfDue();
            Assert.False(Segments(log)[^1].Dirty);

            log.Config = new LogConfig { FlushMs = 3_600_000 };
            log.AppendCopy(Records(1));
            log.FlushIfDue();
            Assert.True(Segments(log)[^1].Dirty);
            log.Flush();
            Assert.False(Segments(log)[^1].Dirty);
        }
        finally
        {
            log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public async Task GroupCommit_completes_a_waiter_after_flushing_its_log()
    {
        var log = Create(Dir);
        var other = Create(Dir, partition: 1);
        try
        {
            await using var commit = new GroupCommit(NullLogger.Instance);
            log.AppendCopy(Records(2));
            other.AppendCopy(Records(2));
            Assert.True(Segments(log)[^1].Dirty);

            await commit.WaitDurableAsync(log).WaitAsync(Guard);
            Assert.False(Segments(log)[^1].Dirty);
            // Only logs with waiters are flushed.
            Assert.True(Segments(other)[^1].Dirty);

            // A waiter with nothing new to flush completes too.
            await commit.WaitDurableAsync(log).WaitAsync(Guard);
        }
        finally
        {
            log.Close(deleteFiles: false);
            other.Close(deleteFiles: false);
        }
    }

    [Fact]
    public async Task GroupCommit_completes_many_concurrent_waiters_on_many_logs()
    {
        var logs = Enumerable.Range(0, 4)
            .Select(p => Create(Dir, partition: p))
            .ToArray();
        try
        {
            await using var commit = new GroupCommit(NullLogger.Instance);
            using var start = new ManualResetEventSlim();
            var producers = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            {
                start.Wait();
                var log = logs[i % logs.Length];
                log.AppendCopy(Records(1));
                await commit.WaitDurableAsync(log);
            })).ToArray();
            start.Set();
            await Task.WhenAll(producers).WaitAsync(Guard);

            Assert.All(producers, p => Assert.True(p.IsCompletedSuccessfully));
            Assert.Equal(200, logs.Sum(l => l.LogEndOffset));
            // Every append was followed by a flush of its log.
            Assert.All(logs, l => Assert.False(Segments(l)[^1].Dirty));
        }
        finally
        {
            foreach (var log in logs)
                log.Close(deleteFiles: false);
        }
    }

    [Fact]
    public async Task GroupCommit_dispose_stops_the_loop()
    {
        var commit = new GroupCommit(NullLogger.Instance);
        await commit.DisposeAsync().AsTask().WaitAsync(Guard);
    }
}
