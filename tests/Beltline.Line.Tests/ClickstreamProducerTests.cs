using System.Collections.Concurrent;
using System.Text;
using Beltline.Line.Clickstream;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Line.Tests;

public sealed class ClickstreamProducerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "beltline-clicks-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Keeps every click; delivers all, or fails from the n-th click on.</summary>
    private sealed class MemorySink(int failFrom = int.MaxValue) : IClickEventSink
    {
        private int _sent;

        public ConcurrentQueue<(ClickEvent Click, string Key)> Clicks { get; } = new();

        public void Send(in ClickEvent click, string key, ClickDeliveries deliveries)
        {
            Clicks.Enqueue((click, key));
            if (Interlocked.Increment(ref _sent) >= failFrom)
                deliveries.Failed("broker on fire");
            else
                deliveries.Delivered();
        }

        public int Flush(TimeSpan timeout) => 0;

        public void Dispose()
        {
        }
    }

    private static Task<ClickstreamStatus> Run(ClickstreamOptions options, IClickEventSink sink) =>
        new ClickstreamProducer(options, sink, NullLogger.Instance).RunAsync(CancellationToken.None);

    [Fact]
    public async Task Globalseq_is_unique_and_gap_free_across_threads_and_prevglobalseq_chains_per_thread()
    {
        var sink = new MemorySink();

        var status = await Run(new ClickstreamOptions { Threads = 4, UsersPerThread = 300, NoDelay = true }, sink);

        var clicks = sink.Clicks.Select(c => c.Click).ToList();
        Assert.Equal(1200, status.Sessions);
        Assert.Equal(clicks.Count, status.Delivered);
        Assert.Equal(Enumerable.Range(1, clicks.Count).Select(i => (long)i), clicks.Select(c => c.GlobalSeq).Order());
        // Following prevglobalseq links backwards from every event splits the stream into one chain per thread,
        // each starting at 0, each link pointing at an earlier event, no event followed by two.
        var bySeq = clicks.ToDictionary(c => c.GlobalSeq);
        Assert.Equal(4, clicks.Count(c => c.PrevGlobalSeq == 0));
        Assert.All(clicks.Where(c => c.PrevGlobalSeq != 0), c => Assert.True(bySeq.ContainsKey(c.PrevGlobalSeq) && c.PrevGlobalSeq < c.GlobalSeq));
        Assert.Equal(clicks.Count - 4, clicks.Where(c => c.PrevGlobalSeq != 0).Select(c => c.PrevGlobalSeq).Distinct().Count());
        // A thread's sessions do not interleave: along a chain the user changes only after a terminating event.
        foreach (var click in clicks.Where(c => c.PrevGlobalSeq != 0))
        {
            var previous = bySeq[click.PrevGlobalSeq];
            Assert.True(previous.UserId == click.UserId || previous.IsTerminating);
        }
        Assert.Equal(1200, clicks.Count(c => c.IsTerminating));
        Assert.Equal(1200, clicks.Select(c => c.UserId).Distinct().Count());
    }

    [Fact]
    public async Task The_key_is_the_userid()
    {
        var sink = new MemorySink();

        await Run(new ClickstreamOptions { Threads = 2, UsersPerThread = 20, NoDelay = true }, sink);

        Assert.All(sink.Clicks, c => Assert.Equal(c.Click.UserId.ToString(), c.Key));
    }

    [Fact]
    public async Task A_restart_continues_the_sequence_from_the_bookmark()
    {
        var bookmark = Path.Combine(_dir, "bookmark.txt");
        var first = new MemorySink();
        var second = new MemorySink();

        var firstRun = await Run(new ClickstreamOptions { Threads = 2, UsersPerThread = 10, NoDelay = true, BookmarkPath = bookmark }, first);
        var saved = File.ReadAllText(bookmark).Trim();
        await Run(new ClickstreamOptions { Threads = 2, UsersPerThread = 10, NoDelay = true, BookmarkPath = bookmark }, second);

        Assert.Equal(firstRun.LastGlobalSeq.ToString(), saved);
        Assert.Equal(first.Clicks.Count, firstRun.LastGlobalSeq);
        var next = second.Clicks.Select(c => c.Click.GlobalSeq).Order().ToList();
        Assert.Equal(Enumerable.Range((int)firstRun.LastGlobalSeq + 1, next.Count).Select(i => (long)i), next);
        Assert.Equal((firstRun.LastGlobalSeq + next.Count).ToString(), File.ReadAllText(bookmark).Trim());
    }

    [Fact]
    public async Task A_bookmark_that_is_not_a_number_is_a_clear_error()
    {
        var bookmark = Path.Combine(_dir, "bookmark.txt");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(bookmark, "yesterday\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Run(new ClickstreamOptions { UsersPerThread = 1, BookmarkPath = bookmark }, new MemorySink()));

        Assert.Contains("yesterday", error.Message);
        Assert.Contains(bookmark, error.Message);
    }

    [Fact]
    public async Task One_seeded_thread_repeats_its_clicks()
    {
        var first = new MemorySink();
        var second = new MemorySink();

        await Run(new ClickstreamOptions { Threads = 1, UsersPerThread = 50, NoDelay = true, Seed = 12 }, first);
        await Run(new ClickstreamOptions { Threads = 1, UsersPerThread = 50, NoDelay = true, Seed = 12 }, second);

        static object Content(ClickEvent c) => (c.Ip, c.DeviceType, c.EventType, c.ProductType, c.UserId, c.GlobalSeq, c.PrevGlobalSeq);
        Assert.Equal(first.Clicks.Select(c => Content(c.Click)), second.Clicks.Select(c => Content(c.Click)));
    }

    [Fact]
    public async Task A_thread_stops_at_its_first_failed_delivery()
    {
        var sink = new MemorySink(failFrom: 25);

        var status = await Run(new ClickstreamOptions { Threads = 1, NoDelay = true }, sink);

        Assert.Equal(25, sink.Clicks.Count);
        Assert.Equal(1, status.Errors);
        Assert.Equal(24, status.Delivered);
        Assert.Equal("broker on fire", status.FirstError);
    }

    [Fact]
    public async Task Run_for_stops_the_threads_after_their_sessions()
    {
        var sink = new MemorySink();

        var status = await Run(new ClickstreamOptions { Threads = 2, RunFor = TimeSpan.FromMilliseconds(300) }, sink);

        Assert.True(status.Sessions >= 2);
        Assert.Equal(status.Sessions, sink.Clicks.Count(c => c.Click.IsTerminating));
    }

    [Fact]
    public async Task The_event_log_holds_every_click_as_a_JSON_line()
    {
        var log = Path.Combine(_dir, "events.log");
        var sink = new MemorySink();

        await Run(new ClickstreamOptions { Threads = 2, UsersPerThread = 10, NoDelay = true, EventLogPath = log }, sink);

        var lines = File.ReadAllLines(log);
        Assert.Equal(sink.Clicks.Count, lines.Length);
        Assert.Equal(sink.Clicks.Select(c => c.Click.GlobalSeq).Order(),
            lines.Select(l => ClickEventJsonSerializer.FromJson(Encoding.UTF8.GetBytes(l)).GlobalSeq).Order());
    }
}
