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

/// <summary>Cancellable waits, and flushes that must not trust an fsync still running.</summary>
public abstract class WaitCancelAndFlushOrderTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : WaitCancelAndFlushOrderTests(directIo: true);

    public sealed class Buffered() : WaitCancelAndFlushOrderTests(directIo: false);

    /// <summary>Only a guard against a hung test; nothing asserts on time.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_cancelled_wait_is_cancelled_and_removed_from_the_log()
    {
        var log = Create(Dir);
        try
        {
            using var cancel = new CancellationTokenSource();
            var waits = Enumerable.Range(0, 100).Select(_ => log.WaitForAppendAsync(0, cancel.Token)).ToList();
            var kept = log.WaitForAppendAsync(0);
            Assert.Equal(101, log.AppendWaiterCount);

            await cancel.CancelAsync();
            foreach (var wait in waits)
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Guard));
            Assert.Equal(1, log.AppendWaiterCount);

            // An already cancelled token registers nothing at all.
            Assert.True(log.WaitForAppendAsync(0, cancel.Token).IsCanceled);
            Assert.Equal(1, log.AppendWaiterCount);

            log.AppendCopy(Records(1));
            await kept.WaitAsync(Guard);
            Assert.Equal(0, log.AppendWaiterCount);
        }
        finally
        {
            log.Close();
        }
    }

    [Fact]
    public async Task A_wait_woken_by_an_append_is_not_cancelled_later()
    {
        var log = Create(Dir);
        try
        {
            using var cancel = new CancellationTokenSource();
            var wait = log.WaitForAppendAsync(0, cancel.Token);
            log.AppendCopy(Records(1));
            await wait.WaitAsync(Guard);
            await cancel.CancelAsync();
            Assert.True(wait.IsCompletedSuccessfully);
            Assert.Equal(0, log.AppendWaiterCount);
        }
        finally
        {
            log.Close();
        }
    }

    [Fact]
    public async Task A_durable_flush_waits_for_the_roll_flush_still_running_on_the_same_segment()
    {
        var log = Create(Dir, new LogConfig { SegmentBytes = 14 });
        try
        {
            log.AppendCopy(Records(2));
            var first = Segments(log)[0];
            var fsyncEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var release = new ManualResetEventSlim();
            first.TestHook = step =>
            {
                if (step == "fsync" && fsyncEntered.TrySetResult())
                    release.Wait(Guard); // the roll's fsync of segment 0, held half-way
                else if (step == "wait")
                    waiting.TrySetResult();
            };

            log.AppendCopy(Records(1)); // rolls: segment 0's flush starts in the background
            await fsyncEntered.Task.WaitAsync(Guard);
            Assert.Equal(0, first.FlushedSize);

            await using var commit = new GroupCommit(NullLogger.Instance);
            var durable = commit.WaitDurableAsync(log);
            // The group commit must queue behind the running fsync, not take segment 0 for flushed.
            var winner = await Task.WhenAny(durable, waiting.Task).WaitAsync(Guard);
            Assert.Same(waiting.Task, winner);
            Assert.False(durable.IsCompleted);

            release.Set();
            await durable.WaitAsync(Guard);
            Assert.Equal(first.Size, first.FlushedSize);
            Assert.All(Segments(log), s => Assert.False(s.Dirty));
        }
        finally
        {
            log.Close();
        }
    }

    [Fact]
    public void Flush_syncs_the_directory_once_per_created_segment_file()
    {
        var log = Create(Dir, new LogConfig { SegmentBytes = 14 });
        try
        {
            // A new log: its directory (and its entry in the data dir) wait for the first flush.
            Assert.Equal(0, log.DirectorySyncCount);
            log.AppendCopy(Records(1));
            log.Flush();
            Assert.Equal(1, log.DirectorySyncCount);
            log.AppendCopy(Records(1)); // a roll creates a file: one more sync, by the roll's flush or the next
            log.WaitForRollFlushes();
            log.Flush();
            Assert.Equal(2, log.DirectorySyncCount);
            log.Flush();
            Assert.Equal(2, log.DirectorySyncCount);
        }
        finally
        {
            log.Close();
        }
    }

    [Fact]
    public void The_recovery_point_moves_past_a_rolled_segment_only_once_its_flush_returned()
    {
        var log = Create(Dir, new LogConfig { SegmentBytes = 14 });
        var pointFile = Path.Combine(log.Directory, PartitionLog.RecoveryPointFile);
        try
        {
            log.AppendCopy(Records(2));
            using var release = new ManualResetEventSlim();
            var fsyncEntered = new ManualResetEventSlim();
            Segments(log)[0].TestHook = step =>
            {
                if (step == "fsync")
                {
                    fsyncEntered.Set();
                    release.Wait(Guard);
                }
            };
            log.AppendCopy(Records(3)); // rolls at offset 2
            Assert.True(fsyncEntered.Wait(Guard));
            Assert.Equal(0, log.RecoveryPoint);
            Assert.False(File.Exists(pointFile));

            release.Set();
            log.WaitForRollFlushes();
            Assert.Equal(2, log.RecoveryPoint);
            Assert.Equal("2", File.ReadAllText(pointFile));

            // A flush moves it to the log end; within the active segment the file is not rewritten.
            log.Flush();
            Assert.Equal(5, log.RecoveryPoint);
            Assert.Equal("2", File.ReadAllText(pointFile));
            log.Close();
            Assert.Equal("5", File.ReadAllText(pointFile));
        }
        finally
        {
            log.Close();
        }
    }
}
