using Beltline.Broker.Metadata;
using Beltline.Broker.Storage;
using Beltline.Broker.Tests.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Broker.Tests.Metadata;

public sealed class TopicManagerTests : IDisposable
{
    private static readonly IReadOnlyDictionary<string, string?> NoConfigs = new Dictionary<string, string?>();

    private readonly TempDirectory _dir = new();
    private readonly BrokerOptions _options;
    private MetadataStore _store;
    private TopicManager _topics;

    public TopicManagerTests()
    {
        _options = new BrokerOptions { DataDir = _dir.Path, DefaultPartitions = 3 };
        (_store, _topics) = Start(cleanShutdown: true);
    }

    public void Dispose()
    {
        Stop();
        _dir.Dispose();
    }

    private (MetadataStore, TopicManager) Start(bool cleanShutdown)
    {
        var store = MetadataStore.Open(_dir.Path, _options.NodeId, NullLogger.Instance);
        var topics = new TopicManager(_options, store, NullLoggerFactory.Instance);
        topics.LoadLogs(cleanShutdown);
        return (store, topics);
    }

    private void Stop()
    {
        _topics.Dispose();
        _store.Dispose();
    }

    private void Restart(bool cleanShutdown = true)
    {
        Stop();
        (_store, _topics) = Start(cleanShutdown);
    }

    private TopicInfo CreateTopic(string name, int partitions = 1, IReadOnlyDictionary<string, string?>? configs = null)
    {
        var (error, topic) = _topics.CreateTopic(name, partitions, 1, configs ?? NoConfigs, validateOnly: false);
        Assert.Equal(TopicError.None, error);
        return topic!;
    }

    private string PartitionDir(string topic, int partition) => Path.Combine(_dir.Path, PartitionLog.DirectoryName(topic, partition));

    public static TheoryData<string> InvalidNames => new()
    {
        "", ".", "..", new string('a', 250), "with space", "a/b", "a\\b", "bang!", "ümlaut", "tab\t", "colon:",
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public void Invalid_topic_names_are_invalid_topic_exception(string name)
    {
        var (error, topic) = _topics.CreateTopic(name, 1, 1, NoConfigs, validateOnly: false);
        Assert.Equal(ErrorCode.InvalidTopicException, error.Code);
        Assert.False(string.IsNullOrEmpty(error.Message));
        Assert.Null(topic);
        Assert.Empty(_topics.Topics);
        Assert.DoesNotContain(Directory.EnumerateDirectories(_dir.Path), d => File.Exists(Path.Combine(d, PartitionLog.TopicIdFile)));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Valid.name_with-all-0123456789")]
    [InlineData("..a")]
    public void Legal_topic_names_are_created(string name)
    {
        CreateTopic(name);
        Assert.True(_topics.TryGetTopic(name, out _));
    }

    [Fact]
    public void A_name_of_249_characters_is_the_longest_allowed()
    {
        var name = new string('x', 249);
        CreateTopic(name);
        Assert.True(Directory.Exists(PartitionDir(name, 0)));
    }

    [Fact]
    public void The_metadata_log_name_is_reserved()
    {
        Assert.Equal(ErrorCode.InvalidTopicException, _topics.CreateTopic("__cluster_metadata", 1, 1, NoConfigs, false).Error.Code);
    }

    [Theory]
    [InlineData("a.b", "a_b")]
    [InlineData("a_b", "a.b")]
    [InlineData("x.y_z", "x_y.z")]
    public void Names_that_differ_only_in_dot_and_underscore_collide(string existing, string name)
    {
        var first = CreateTopic(existing);
        var (error, topic) = _topics.CreateTopic(name, 1, 1, NoConfigs, validateOnly: false);
        Assert.Equal(ErrorCode.InvalidTopicException, error.Code);
        Assert.Contains(existing, error.Message);
        Assert.Null(topic);
        Assert.Equal([first.Id], _topics.Topics.Select(t => t.Id));
        // validate_only reports it too.
        Assert.Equal(ErrorCode.InvalidTopicException, _topics.CreateTopic(name, 1, 1, NoConfigs, validateOnly: true).Error.Code);
    }

    [Fact]
    public void A_duplicate_is_topic_already_exists_and_leaves_the_topic_alone()
    {
        var first = CreateTopic("dup", 2);
        _topics.GetLog(first.Id, 0)!.AppendCopy(Logs.Records(3));

        var (error, topic) = _topics.CreateTopic("dup", 5, 1, NoConfigs, validateOnly: false);
        Assert.Equal(ErrorCode.TopicAlreadyExists, error.Code);
        Assert.Null(topic);
        Assert.True(_topics.TryGetTopic("dup", out var current));
        Assert.Equal(first.Id, current.Id);
        Assert.Equal(2, current.PartitionCount);
        Assert.Equal(3, _topics.GetLog(first.Id, 0)!.LogEndOffset);
        Assert.Equal(ErrorCode.TopicAlreadyExists, _topics.CreateTopic("dup", 1, 1, NoConfigs, validateOnly: true).Error.Code);
    }

    [Fact]
    public void An_existing_or_colliding_name_is_reported_before_other_request_errors()
    {
        // Kafka checks names and existence first, so "create if not exists" works whatever the other settings.
        CreateTopic("dup");
        CreateTopic("a.b");
        var badConfig = new Dictionary<string, string?> { ["retention.ms"] = "x" };
        Assert.Equal(ErrorCode.TopicAlreadyExists, _topics.CreateTopic("dup", 1, 3, NoConfigs, false).Error.Code);
        Assert.Equal(ErrorCode.TopicAlreadyExists, _topics.CreateTopic("dup", 0, 1, NoConfigs, false).Error.Code);
        Assert.Equal(ErrorCode.TopicAlreadyExists, _topics.CreateTopic("dup", 1, 1, badConfig, true).Error.Code);
        Assert.Equal(ErrorCode.InvalidTopicException, _topics.CreateTopic("a_b", 1, 3, badConfig, false).Error.Code);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    [InlineData(0)]
    [InlineData(-2)]
    public void Replication_factors_other_than_one_are_invalid(short replicationFactor)
    {
        var (error, _) = _topics.CreateTopic("rf", 1, replicationFactor, NoConfigs, validateOnly: false);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, error.Code);
        Assert.Empty(_topics.Topics);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Replication_factor_one_or_default_is_accepted(short replicationFactor)
    {
        Assert.Equal(TopicError.None, _topics.CreateTopic("rf", 1, replicationFactor, NoConfigs, validateOnly: false).Error);
    }

    [Fact]
    public void Partition_count_is_checked_and_minus_one_takes_the_broker_default()
    {
        Assert.Equal(ErrorCode.InvalidPartitions, _topics.CreateTopic("p", 0, 1, NoConfigs, false).Error.Code);
        Assert.Equal(ErrorCode.InvalidPartitions, _topics.CreateTopic("p", -5, 1, NoConfigs, false).Error.Code);
        Assert.Equal(ErrorCode.InvalidPartitions, _topics.CreateTopic("p", TopicManager.MaxPartitionsPerTopic + 1, 1, NoConfigs, false).Error.Code);
        var (error, topic) = _topics.CreateTopic("p", -1, 1, NoConfigs, false);
        Assert.Equal(TopicError.None, error);
        Assert.Equal(3, topic!.PartitionCount);
        Assert.All(Enumerable.Range(0, 3), p => Assert.NotNull(_topics.GetLog(topic.Id, p)));
        Assert.Null(_topics.GetLog(topic.Id, 3));
    }

    public static TheoryData<string, string?> BadConfigs => new()
    {
        { "retention.ms", "abc" },
        { "retention.ms", "-2" },
        { "segment.bytes", "13" },
        { "segment.bytes", "99999999999" },
        { "cleanup.policy", "shred" },
        { "cleanup.policy", "" },
        { "message.timestamp.type", "logappendtime" },
        { "preallocate", "maybe" },
        { "min.cleanable.dirty.ratio", "1.5" },
        { "no.such.config", "1" },
        { "retention.ms", null },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Bad_config_names_or_values_are_invalid_config(string name, string? value)
    {
        var configs = new Dictionary<string, string?> { ["retention.bytes"] = "100", [name] = value };
        var (error, topic) = _topics.CreateTopic("c", 1, 1, configs, validateOnly: false);
        Assert.Equal(ErrorCode.InvalidConfig, error.Code);
        Assert.Contains(name, error.Message);
        Assert.Null(topic);
        Assert.Empty(_topics.Topics);
        Assert.False(Directory.Exists(PartitionDir("c", 0)));
    }

    [Fact]
    public void Validate_only_checks_but_creates_nothing()
    {
        var configs = new Dictionary<string, string?> { ["retention.ms"] = "1000" };
        var (error, topic) = _topics.CreateTopic("v", 4, 1, configs, validateOnly: true);
        Assert.Equal(TopicError.None, error);
        Assert.Equal(4, topic!.PartitionCount);
        Assert.Empty(_topics.Topics);
        Assert.False(_topics.TryGetTopic("v", out _));
        Assert.Null(_topics.GetLog(topic.Id, 0));
        Assert.False(Directory.Exists(PartitionDir("v", 0)));
        Restart();
        Assert.Empty(_topics.Topics);

        Assert.Equal(TopicError.None, _topics.CreateTopic("v", 4, 1, configs, validateOnly: false).Error);
    }

    [Fact]
    public void Created_topics_and_their_logs_survive_a_restart()
    {
        var topic = CreateTopic("keep", 2, new Dictionary<string, string?> { ["retention.ms"] = "123456" });
        _topics.GetLog(topic.Id, 1)!.AppendCopy(Logs.Records(4));
        Restart();

        Assert.True(_topics.TryGetTopic("keep", out var reloaded));
        Assert.Equal(topic.Id, reloaded.Id);
        Assert.Equal("123456", reloaded.Configs["retention.ms"]);
        Assert.Equal(123456, _topics.GetLog(topic.Id, 0)!.Config.RetentionMs);
        Assert.Equal(0, _topics.GetLog(topic.Id, 0)!.LogEndOffset);
        Assert.Equal(4, _topics.GetLog(topic.Id, 1)!.LogEndOffset);
        Assert.Equal(4, _topics.GetLog(topic.Id, 1)!.ReadAllRecords(0).Count);
    }

    [Fact]
    public void CreatePartitions_only_grows()
    {
        var topic = CreateTopic("grow", 2);
        Assert.Equal(ErrorCode.InvalidPartitions, _topics.CreatePartitions("grow", 1, validateOnly: false).Code);
        Assert.Equal(ErrorCode.InvalidPartitions, _topics.CreatePartitions("grow", 2, validateOnly: false).Code);
        Assert.Equal(ErrorCode.InvalidPartitions, _topics.CreatePartitions("grow", 2, validateOnly: true).Code);
        Assert.Equal(ErrorCode.InvalidPartitions, _topics.CreatePartitions("grow", TopicManager.MaxPartitionsPerTopic + 1, validateOnly: false).Code);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, _topics.CreatePartitions("nope", 3, validateOnly: false).Code);

        Assert.Equal(TopicError.None, _topics.CreatePartitions("grow", 6, validateOnly: true));
        Assert.Null(_topics.GetLog(topic.Id, 2));
        Assert.False(Directory.Exists(PartitionDir("grow", 2)));

        _topics.GetLog(topic.Id, 0)!.AppendCopy(Logs.Records(2));
        Assert.Equal(TopicError.None, _topics.CreatePartitions("grow", 4, validateOnly: false));
        Assert.True(_topics.TryGetTopic("grow", out var grown));
        Assert.Equal(4, grown.PartitionCount);
        Assert.All(Enumerable.Range(0, 4), p => Assert.True(Directory.Exists(PartitionDir("grow", p))));
        Assert.Equal(2, _topics.GetLog(topic.Id, 0)!.LogEndOffset);
        Assert.Equal(0, _topics.GetLog(topic.Id, 3)!.LogEndOffset);

        Restart();
        Assert.True(_topics.TryGetTopic("grow", out grown));
        Assert.Equal(4, grown.PartitionCount);
        Assert.NotNull(_topics.GetLog(topic.Id, 3));
        Assert.Equal(2, _topics.GetLog(topic.Id, 0)!.LogEndOffset);
    }

    [Fact]
    public void Topic_configs_apply_to_the_logs_at_once()
    {
        var topic = CreateTopic("cfg", 2);
        var log = _topics.GetLog(topic.Id, 1)!;
        Assert.Equal(new LogConfig().SegmentBytes, log.Config.SegmentBytes);

        var overrides = new Dictionary<string, string>
        {
            ["segment.bytes"] = "14", ["message.timestamp.type"] = "LogAppendTime", ["retention.ms"] = "-1", ["cleanup.policy"] = "compact",
        };
        Assert.Equal(TopicError.None, _topics.SetTopicConfigs("cfg", overrides, validateOnly: false));
        Assert.Equal(14, log.Config.SegmentBytes);
        Assert.True(log.Config.LogAppendTime);
        Assert.Equal(-1, log.Config.RetentionMs);
        Assert.False(log.Config.Delete);
        Assert.True(log.Config.Compact);
        Assert.Equal(14, _topics.GetLog(topic.Id, 0)!.Config.SegmentBytes);

        // And behaviour follows: a roll per append, the broker's time on records.
        Assert.Equal(42_000, log.AppendCopy(Logs.Records(1), nowMs: 42_000).LogAppendTime);
        log.AppendCopy(Logs.Records(1), nowMs: 43_000);
        Assert.Equal(2, log.SegmentCount);

        // Bad values change nothing; validate_only neither.
        Assert.Equal(ErrorCode.InvalidConfig, _topics.SetTopicConfigs("cfg", new Dictionary<string, string> { ["segment.bytes"] = "1" }, false).Code);
        Assert.Equal(TopicError.None, _topics.SetTopicConfigs("cfg", new Dictionary<string, string> { ["segment.bytes"] = "1000" }, validateOnly: true));
        Assert.Equal(14, log.Config.SegmentBytes);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, _topics.SetTopicConfigs("nope", overrides, false).Code);

        // The overrides replace the previous set: what is left out goes back to the default.
        Assert.Equal(TopicError.None, _topics.SetTopicConfigs("cfg", new Dictionary<string, string> { ["retention.ms"] = "1000" }, false));
        Assert.Equal(new LogConfig().SegmentBytes, log.Config.SegmentBytes);
        Assert.False(log.Config.LogAppendTime);
        Assert.Equal(1000, log.Config.RetentionMs);
        Assert.True(log.Config.Delete);
    }

    [Fact]
    public void Dynamic_broker_defaults_apply_to_topics_without_an_override()
    {
        var plain = CreateTopic("plain");
        var pinned = CreateTopic("pinned", 1, new Dictionary<string, string?> { ["retention.ms"] = "5000" });

        Assert.Equal(TopicError.None, _topics.SetBrokerConfigs(new Dictionary<string, string> { ["log.retention.ms"] = "1234" }, validateOnly: false));
        Assert.Equal(1234, _topics.GetLog(plain.Id, 0)!.Config.RetentionMs);
        Assert.Equal(5000, _topics.GetLog(pinned.Id, 0)!.Config.RetentionMs);
        Assert.Equal(ErrorCode.InvalidConfig, _topics.SetBrokerConfigs(new Dictionary<string, string> { ["log.retention.ms"] = "x" }, false).Code);
        Assert.Equal(ErrorCode.InvalidConfig, _topics.SetBrokerConfigs(new Dictionary<string, string> { ["retention.ms"] = "1" }, false).Code);
        Assert.Equal(1234, _topics.GetLog(plain.Id, 0)!.Config.RetentionMs);

        Restart();
        Assert.Equal(1234, _topics.GetLog(plain.Id, 0)!.Config.RetentionMs);
    }

    [Fact]
    public void LoadLogs_removes_stray_partition_directories_and_keeps_the_rest()
    {
        var topic = CreateTopic("keep", 1);
        _topics.GetLog(topic.Id, 0)!.AppendCopy(Logs.Records(3));
        var deleted = CreateTopic("deleted", 1);
        _topics.GetLog(deleted.Id, 0)!.AppendCopy(Logs.Records(1));
        Stop();

        // A topic removed from the metadata while its files stayed (a crash between the two), a partition
        // beyond the topic's count, and a directory that is not a partition at all.
        using (var store = MetadataStore.Open(_dir.Path, 1, NullLogger.Instance))
            store.RemoveTopic(deleted.Id);
        Directory.CreateDirectory(PartitionDir("keep", 1));
        File.WriteAllText(Path.Combine(PartitionDir("keep", 1), PartitionLog.TopicIdFile), $"version: 0\ntopic_id: {topic.Id}\n");
        Directory.CreateDirectory(_dir.Combine("not-a-partition"));
        File.WriteAllText(_dir.Combine("not-a-partition", "notes.txt"), "keep me");

        (_store, _topics) = Start(cleanShutdown: true);
        Assert.False(Directory.Exists(PartitionDir("deleted", 0)));
        Assert.False(Directory.Exists(PartitionDir("keep", 1)));
        Assert.True(File.Exists(_dir.Combine("not-a-partition", "notes.txt")));
        Assert.True(Directory.Exists(_dir.Combine("__cluster_metadata")));
        Assert.Equal(3, _topics.GetLog(topic.Id, 0)!.LogEndOffset);
        Assert.Equal(["keep"], _topics.Topics.Select(t => t.Name));
    }

    [Fact]
    public void LoadLogs_starts_empty_when_a_directory_belongs_to_another_topic_of_the_same_name()
    {
        var old = CreateTopic("same", 1);
        _topics.GetLog(old.Id, 0)!.AppendCopy(Logs.Records(5));
        Stop();
        // The journal says "same" is a new topic; its directory still holds the old one's data.
        using (var store = MetadataStore.Open(_dir.Path, 1, NullLogger.Instance))
        {
            store.RemoveTopic(old.Id);
            store.AddTopic(new TopicInfo("same", KafkaUuid.NewRandom(), 1, new Dictionary<string, string>()));
        }

        (_store, _topics) = Start(cleanShutdown: true);
        Assert.True(_topics.TryGetTopic("same", out var current));
        Assert.NotEqual(old.Id, current.Id);
        Assert.Equal(0, _topics.GetLog(current.Id, 0)!.LogEndOffset);
        Assert.Equal(current.Id, PartitionLog.ReadTopicId(PartitionDir("same", 0)));
    }

    [Fact]
    public void LoadLogs_after_an_unclean_stop_recovers_the_logs()
    {
        var topic = CreateTopic("crash", 1);
        var log = _topics.GetLog(topic.Id, 0)!;
        log.AppendCopy(Logs.Records(2));
        log.AppendCopy(Logs.Records(3));
        Restart(cleanShutdown: false);
        log = _topics.GetLog(topic.Id, 0)!;
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(5, log.AppendCopy(Logs.Records(1)).BaseOffset);
    }

    [Fact]
    public void DeleteTopic_removes_the_topic_and_its_directories()
    {
        var topic = CreateTopic("bye", 2);
        var log = _topics.GetLog(topic.Id, 0)!;
        log.AppendCopy(Logs.Records(2));
        Assert.Equal(TopicError.None, _topics.DeleteTopic(topic));
        Assert.False(_topics.TryGetTopic("bye", out _));
        Assert.Null(_topics.GetLog(topic.Id, 0));
        Assert.False(Directory.Exists(PartitionDir("bye", 0)));
        Assert.False(Directory.Exists(PartitionDir("bye", 1)));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, _topics.DeleteTopic(topic).Code);

        var again = CreateTopic("bye", 1);
        Assert.Equal(0, _topics.GetLog(again.Id, 0)!.LogEndOffset);
        Restart();
        Assert.Equal([again.Id], _topics.Topics.Select(t => t.Id));
    }

    [Fact]
    public void A_fetch_still_reading_a_deleted_topic_cannot_touch_a_re_created_topic_of_the_same_name()
    {
        var old = CreateTopic("again", 1);
        _topics.GetLog(old.Id, 0)!.AppendCopy(Logs.Records(2));
        var slice = _topics.GetLog(old.Id, 0)!.Read(0, int.MaxValue, true).Records!;
        Assert.Equal(TopicError.None, _topics.DeleteTopic(old));
        // Nothing is left under the data dir: the directory was renamed away, then removed.
        Assert.DoesNotContain(Directory.EnumerateDirectories(_dir.Path), d => Path.GetFileName(d).StartsWith("again", StringComparison.Ordinal));

        var again = CreateTopic("again", 1);
        _topics.GetLog(again.Id, 0)!.AppendCopy(Logs.Records(5));
        Assert.Equal(2, RecordBatch.Read(slice.ToBytes()).Header.RecordCount);
        slice.Dispose();

        Restart();
        Assert.Equal(5, _topics.GetLog(again.Id, 0)!.LogEndOffset);
        Assert.Equal(5, _topics.GetLog(again.Id, 0)!.ReadAllRecords(0).Count);
    }

    [Fact]
    public void LoadLogs_removes_directories_a_deletion_renamed_and_left_behind()
    {
        var topic = CreateTopic("keep", 1);
        Stop();
        var leftover = _dir.Combine("gone-0.AAAAAAAAAAAAAAAAAAAAAA" + PartitionLog.DeletedDirectorySuffix);
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, LogSegment.FileName(0) + ".log"), "x");
        // A directory of the user's that merely ends the same way is not one of ours.
        Directory.CreateDirectory(_dir.Combine("notes-delete"));

        (_store, _topics) = Start(cleanShutdown: true);
        Assert.False(Directory.Exists(leftover));
        Assert.True(Directory.Exists(_dir.Combine("notes-delete")));
        Assert.NotNull(_topics.GetLog(topic.Id, 0));
    }

    [Theory]
    [InlineData("t-0.AAAAAAAAAAAAAAAAAAAAAA-delete", true)]
    [InlineData("a.b-c-12.x_y-Z-delete", true)]
    [InlineData("t-0", false)]
    [InlineData("t-0-delete", false)]
    [InlineData("t-x.id-delete", false)]
    [InlineData("notes-delete", false)]
    public void Deleted_directory_names_are_recognised(string name, bool deleted) =>
        Assert.Equal(deleted, PartitionLog.IsDeletedDirectoryName(name));

    [Fact]
    public void A_topic_whose_logs_cannot_all_be_created_is_not_created_and_leaves_no_directories()
    {
        // Partition 2's directory cannot be made: a file holds its name.
        File.WriteAllText(PartitionDir("half", 2), "in the way");
        Assert.ThrowsAny<IOException>(() => _topics.CreateTopic("half", 4, 1, NoConfigs, validateOnly: false));
        Assert.False(_topics.TryGetTopic("half", out _));
        Assert.False(Directory.Exists(PartitionDir("half", 0)));
        Assert.False(Directory.Exists(PartitionDir("half", 1)));
        Assert.False(Directory.Exists(PartitionDir("half", 3)));
        Restart();
        Assert.False(_topics.TryGetTopic("half", out _));

        // The name is free again.
        File.Delete(PartitionDir("half", 2));
        var topic = CreateTopic("half", 4);
        Assert.All(Enumerable.Range(0, 4), p => Assert.NotNull(_topics.GetLog(topic.Id, p)));
    }

    [Fact]
    public void A_partition_count_increase_whose_logs_cannot_all_be_created_changes_nothing()
    {
        var topic = CreateTopic("grow", 1);
        File.WriteAllText(PartitionDir("grow", 2), "in the way");
        Assert.ThrowsAny<IOException>(() => _topics.CreatePartitions("grow", 3, validateOnly: false));
        Assert.True(_topics.TryGetTopic("grow", out var current));
        Assert.Equal(1, current.PartitionCount);
        Assert.Null(_topics.GetLog(topic.Id, 1));
        Assert.False(Directory.Exists(PartitionDir("grow", 1)));
        Restart();
        Assert.True(_topics.TryGetTopic("grow", out current));
        Assert.Equal(1, current.PartitionCount);
    }

    [Fact]
    public async Task GetLog_does_not_wait_for_the_manager_s_lock()
    {
        var topic = CreateTopic("free", 1);
        var managerLock = (Lock)typeof(TopicManager).GetField("_lock", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(_topics)!;
        // As while a topic is created or deleted: the lock is held by another thread.
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = Task.Factory.StartNew(() =>
        {
            lock (managerLock)
            {
                held.Set();
                release.Wait();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            Assert.True(held.Wait(TimeSpan.FromSeconds(30)));
            // A guard only: with the lock still held, the lookup completes or the test fails.
            var (log, count) = await Task.Run(() => (_topics.GetLog(topic.Id, 0), _topics.AllLogs.Count())).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(log);
            Assert.Equal(1, count);
        }
        finally
        {
            release.Set();
            await holder;
        }
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_or_colliding_names_make_exactly_one_topic()
    {
        using var start = new ManualResetEventSlim();
        var names = new[] { "race.x", "race_x", "race.x", "race_x", "race.x", "race_x", "race.x", "race_x" };
        var attempts = names.Select(name => Task.Run(() =>
        {
            start.Wait();
            return _topics.CreateTopic(name, 2, 1, NoConfigs, validateOnly: false);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(30));

        var created = Assert.Single(results, r => !r.Error.Failed);
        Assert.All(results.Where(r => r.Error.Failed), r =>
            Assert.True(r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.InvalidTopicException, r.Error.ToString()));
        Assert.Equal([created.Topic!.Id], _topics.Topics.Select(t => t.Id));
        Assert.NotNull(_topics.GetLog(created.Topic.Id, 1));
        var other = created.Topic.Name == "race.x" ? "race_x" : "race.x";
        Assert.False(Directory.Exists(PartitionDir(other, 0)));
    }

    [Fact]
    public void AutoCreate_uses_the_default_partition_count_and_returns_existing_topics()
    {
        var created = _topics.AutoCreate("auto");
        Assert.NotNull(created);
        Assert.Equal(3, created.PartitionCount);
        Assert.Equal(created.Id, _topics.AutoCreate("auto")!.Id);
        Assert.Null(_topics.AutoCreate("bad name"));
    }
}
