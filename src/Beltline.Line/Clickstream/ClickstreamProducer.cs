using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Beltline.Line.Clickstream;

/// <summary>How a clickstream run behaves; the original's options under their Beltline names.</summary>
public sealed record ClickstreamOptions
{
    public int Threads { get; init; } = 2;

    /// <summary>Sessions (users) per thread; the original's numberOfUsers, unlimited by default.</summary>
    public long UsersPerThread { get; init; } = long.MaxValue;

    /// <summary>Stop after this long (sessions under way finish); null runs until the users are done or cancellation.</summary>
    public TimeSpan? RunFor { get; init; }

    /// <summary>Skip the 50–549 ms pause each thread takes between sessions.</summary>
    public bool NoDelay { get; init; }

    /// <summary>Append every click as a JSON line to this file (the original's /tmp/Clickstream.txt); null for none.</summary>
    public string? EventLogPath { get; init; }

    /// <summary>Keeps the highest globalseq so a restart continues the sequence (the original's /tmp/bookmark.txt); null for none.</summary>
    public string? BookmarkPath { get; init; }

    /// <summary>Seeds each thread's random choices (thread i uses seed + i): with one thread the clicks repeat exactly, timestamps aside.</summary>
    public int? Seed { get; init; }
}

/// <summary>A moment of a run, for the status line and the summary.</summary>
public sealed record ClickstreamStatus(TimeSpan Elapsed, long Sessions, long Generated, long Delivered, long Errors, long LastGlobalSeq, string? FirstError);

/// <summary>
/// The clickstream producer, twin of the workshop's ECS task (the Java KafkaClickstreamClient): N threads each
/// generate user sessions (<see cref="ClickSessionGenerator"/>) and hand every click to the sink; a thread stops at
/// its first failed delivery, as the original's does. Stopping lets each thread finish its session, then flushes.
/// </summary>
public sealed class ClickstreamProducer
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);

    private readonly ClickstreamOptions _options;
    private readonly IClickEventSink _sink;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly ClickDeliveries[] _deliveries;
    private readonly long[] _generated;
    private readonly long[] _sessions;
    private readonly Stopwatch _elapsed = new();
    private ClickstreamSequence? _sequence;

    public ClickstreamProducer(ClickstreamOptions options, IClickEventSink sink, ILogger logger, TimeProvider? clock = null)
    {
        if (options.Threads < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"Threads must be at least 1, got {options.Threads}.");
        _options = options;
        _sink = sink;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
        _deliveries = Enumerable.Range(0, options.Threads).Select(_ => new ClickDeliveries()).ToArray();
        _generated = new long[options.Threads];
        _sessions = new long[options.Threads];
    }

    public ClickstreamStatus Status => new(
        _elapsed.Elapsed,
        SumOf(_sessions),
        SumOf(_generated),
        _deliveries.Sum(d => d.DeliveredCount),
        _deliveries.Sum(d => d.FailedCount),
        _sequence?.LastGlobalSeq ?? 0,
        _deliveries.Select(d => d.FirstError).FirstOrDefault(e => e is not null));

    /// <summary>Runs until every thread has its users, <see cref="ClickstreamOptions.RunFor"/> passes or cancellation; then flushes and keeps the bookmark.</summary>
    public async Task<ClickstreamStatus> RunAsync(CancellationToken cancellationToken)
    {
        var startSeq = _options.BookmarkPath is { } path ? ClickstreamBookmark.Read(path) : 0;
        _sequence = new ClickstreamSequence(startSeq);
        _logger.LogInformation("Starting {Threads} clickstream threads at globalseq {Next}", _options.Threads, startSeq + 1);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_options.RunFor is { } runFor)
            stop.CancelAfter(runFor);
        using var eventLog = _options.EventLogPath is { } logPath ? new ClickEventLog(logPath) : null;

        _elapsed.Start();
        var threads = Enumerable.Range(0, _options.Threads)
            .Select(i => Task.Factory.StartNew(() => RunThread(i, _sequence, eventLog, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        await Task.WhenAll(threads).ConfigureAwait(false);

        var pending = _sink.Flush(FlushTimeout);
        if (pending > 0)
            _logger.LogError("{Pending} clicks were still undelivered after {Seconds} s", pending, FlushTimeout.TotalSeconds);
        _elapsed.Stop();
        if (_options.BookmarkPath is { } bookmark)
            ClickstreamBookmark.Write(bookmark, _sequence.LastGlobalSeq);
        var status = Status;
        _logger.LogInformation("Clickstream done: {Sessions} sessions, {Delivered} of {Generated} clicks delivered, {Errors} errors, last globalseq {Last}",
            status.Sessions, status.Delivered, status.Generated, status.Errors, status.LastGlobalSeq);
        return pending > 0 ? status with { Errors = status.Errors + pending, FirstError = status.FirstError ?? $"{pending} clicks undelivered at exit" } : status;
    }

    /// <summary>Keeps the bookmark while running, so even a killed run restarts past every globalseq it handed out.</summary>
    public void SaveBookmark()
    {
        if (_options.BookmarkPath is { } path && _sequence is { } sequence)
            ClickstreamBookmark.Write(path, sequence.LastGlobalSeq);
    }

    private void RunThread(int index, ClickstreamSequence sequence, ClickEventLog? eventLog, CancellationToken stop)
    {
        var random = _options.Seed is { } seed ? new Random(seed + index) : new Random();
        var sessions = new ClickSessionGenerator(sequence, random);
        var deliveries = _deliveries[index];
        for (long users = 0; users < _options.UsersPerThread && !stop.IsCancellationRequested; users++)
        {
            sessions.StartSession();
            do
            {
                var click = sessions.NextEvent(_clock.GetUtcNow().ToUnixTimeMilliseconds());
                eventLog?.Append(click);
                _sink.Send(click, sessions.UserKey, deliveries);
                Volatile.Write(ref _generated[index], _generated[index] + 1);
            }
            while (!sessions.SessionEnded && deliveries.FailedCount == 0);
            Volatile.Write(ref _sessions[index], _sessions[index] + 1);
            if (deliveries.FailedCount > 0)
            {
                _logger.LogError("Thread {Thread} stops after a failed delivery: {Error}", index, deliveries.FirstError);
                return;
            }
            // The original pauses 50–549 ms between sessions; a stop wakes the thread at once.
            if (!_options.NoDelay)
                stop.WaitHandle.WaitOne(random.Next(500) + 50);
        }
    }

    private static long SumOf(long[] counters)
    {
        long sum = 0;
        for (var i = 0; i < counters.Length; i++)
            sum += Volatile.Read(ref counters[i]);
        return sum;
    }
}

/// <summary>The bookmark file: one line, the highest globalseq handed out. Replaced atomically, so a crash leaves the old or the new one.</summary>
public static class ClickstreamBookmark
{
    public static long Read(string path)
    {
        if (!File.Exists(path))
            return 0;
        var text = File.ReadAllText(path).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"Bookmark file '{path}' should hold one globalseq number, found '{text}'. Delete it to start from 1.");
    }

    public static void Write(string path, long lastGlobalSeq)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, lastGlobalSeq.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>Every click appended as a JSON line; threads share the file.</summary>
internal sealed class ClickEventLog : IDisposable
{
    private readonly FileStream _file;
    private readonly Lock _lock = new();

    public ClickEventLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
    }

    public void Append(in ClickEvent click)
    {
        var json = ClickEventJsonSerializer.ToJson(click);
        lock (_lock)
        {
            _file.Write(json);
            _file.WriteByte((byte)'\n');
        }
    }

    public void Dispose() => _file.Dispose();
}
