using System.Buffers;
using Beltline.Broker.Handlers;
using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Broker.Storage;
using Beltline.Broker.Telemetry;
using Beltline.Broker.Tests.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Broker.Tests.Handlers;

/// <summary>The fetch handler against real logs, without a network: long polls, and what they leave behind.</summary>
public sealed class FetchHandlerTests : IDisposable
{
    private const short Version = 12;

    /// <summary>Only a guard against a hung test; nothing asserts on time.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir = new();
    private readonly MetadataStore _store;
    private readonly TopicManager _topics;
    private readonly BrokerMetrics _metrics;
    private readonly FetchHandler _handler;
    private readonly TopicInfo _topic;

    public FetchHandlerTests()
    {
        var options = new BrokerOptions { DataDir = _dir.Path };
        _store = MetadataStore.Open(_dir.Path, options.NodeId, NullLogger.Instance);
        _topics = new TopicManager(options, _store, NullLoggerFactory.Instance);
        _topics.LoadLogs(cleanShutdown: true);
        _metrics = new BrokerMetrics(() => []);
        var groups = new Beltline.Broker.Groups.GroupCoordinator(options.Groups, _topics, groupCommit: null, TimeProvider.System, NullLogger.Instance);
        _handler = new FetchHandler(new BrokerNode(options, _topics, _metrics, groupCommit: null, groups), NullLogger.Instance);
        _topic = _topics.CreateTopic("fetched", 2, 1, new Dictionary<string, string?>(), validateOnly: false).Topic!;
    }

    public void Dispose()
    {
        _topics.Dispose();
        _store.Dispose();
        _metrics.Dispose();
        _dir.Dispose();
    }

    private PartitionLog Log(int partition) => _topics.GetLog(_topic.Id, partition)!;

    private static RequestContext Context(CancellationToken aborted = default) =>
        new(new RequestHeader(ApiKey.Fetch, Version, 1, "test"), new ListenerOptions("PLAINTEXT", 0, SecurityProtocol.Plaintext), null, aborted, new ConnectionSession("User:ANONYMOUS", saslRequired: false));

    private async Task<FetchResponse> FetchAsync(RequestContext context, int maxWaitMs, params long[] offsets)
    {
        var request = new FetchRequest
        {
            MaxWaitMs = maxWaitMs,
            MinBytes = 1,
            Topics =
            [
                new FetchTopic
                {
                    Topic = _topic.Name,
                    Partitions = [.. offsets.Select((offset, p) => new FetchPartition { Partition = p, FetchOffset = offset, PartitionMaxBytes = 1 << 20 })],
                },
            ],
        };
        var body = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(body);
        request.Write(ref writer, Version);
        writer.Commit();
        return (FetchResponse)(await _handler.HandleAsync(context, body.WrittenMemory).AsTask().WaitAsync(Guard))!;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
            await Task.Delay(1, guard.Token);
    }

    [Fact]
    public async Task A_long_poll_that_times_out_on_idle_partitions_leaves_no_wait_behind()
    {
        for (var i = 0; i < 3; i++)
        {
            var context = Context();
            var response = await FetchAsync(context, maxWaitMs: 20, 0, 0);
            Assert.All(response.Topics[0].Partitions, p =>
            {
                Assert.Equal(ErrorCode.None, p.ErrorCode);
                Assert.Equal(0, p.Records!.Length);
            });
            context.ReleaseResources();
        }
        Assert.Equal(0, Log(0).AppendWaiterCount);
        Assert.Equal(0, Log(1).AppendWaiterCount);
    }

    [Fact]
    public async Task A_long_poll_woken_by_one_partition_removes_its_wait_on_the_other()
    {
        var context = Context();
        var fetch = FetchAsync(context, maxWaitMs: 600_000, 0, 0);
        await WaitUntil(() => Log(0).AppendWaiterCount == 1 && Log(1).AppendWaiterCount == 1);

        Log(0).AppendCopy(Logs.Records(2));
        var response = await fetch;
        Assert.True(response.Topics[0].Partitions[0].Records!.Length > 0);
        Assert.Equal(0, response.Topics[0].Partitions[1].Records!.Length);
        context.ReleaseResources();
        Assert.Equal(0, Log(1).AppendWaiterCount);
    }

    [Fact]
    public async Task A_long_poll_ended_by_its_connection_removes_its_waits()
    {
        using var aborted = new CancellationTokenSource();
        var fetch = FetchAsync(Context(aborted.Token), maxWaitMs: 600_000, 0, 0);
        await WaitUntil(() => Log(0).AppendWaiterCount == 1 && Log(1).AppendWaiterCount == 1);

        await aborted.CancelAsync();
        var response = await fetch;
        Assert.Equal(ErrorCode.RequestTimedOut, response.Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(0, Log(0).AppendWaiterCount);
        Assert.Equal(0, Log(1).AppendWaiterCount);
    }

    [Fact]
    public async Task A_partition_read_that_throws_releases_the_slices_read_before_it()
    {
        Log(0).AppendCopy(Logs.Records(2));
        Log(1).AppendCopy(Logs.Records(2));
        var first = Logs.Segments(Log(0))[0];
        var failing = Logs.Segments(Log(1))[0];
        failing.TestHook = step =>
        {
            if (step == "read")
                throw new IOException("read failed");
        };

        var context = Context();
        var response = await FetchAsync(context, maxWaitMs: 0, 0, 0);
        Assert.All(response.Topics[0].Partitions, p => Assert.Equal(ErrorCode.UnknownServerError, p.ErrorCode));
        context.ReleaseResources();
        failing.TestHook = null;
        // Only the log's own reference is left.
        Assert.Equal(1, first.ReferenceCount);
        Assert.Equal(1, failing.ReferenceCount);
    }

    [Fact]
    public async Task A_long_poll_on_a_topic_deleted_under_it_answers_unknown_topic()
    {
        var context = Context();
        var fetch = FetchAsync(context, maxWaitMs: 600_000, 0, 0);
        await WaitUntil(() => Log(0).AppendWaiterCount == 1);
        Assert.Equal(TopicError.None, _topics.DeleteTopic(_topic));

        var response = await fetch;
        Assert.All(response.Topics[0].Partitions, p => Assert.Equal(ErrorCode.UnknownTopicOrPartition, p.ErrorCode));
        context.ReleaseResources();
    }
}
