using System.Text;
using Beltline.Broker.Metadata;
using Beltline.Broker.Tests.Storage;
using Beltline.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Broker.Tests.Metadata;

public sealed class MetadataStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private MetadataStore Open(int nodeId = 1) => MetadataStore.Open(_dir.Path, nodeId, NullLogger.Instance);

    private string JournalPath => _dir.Combine("__cluster_metadata", "metadata.log");

    private static TopicInfo Topic(string name, int partitions = 1, params (string Key, string Value)[] configs) =>
        new(name, KafkaUuid.NewRandom(), partitions, configs.ToDictionary(c => c.Key, c => c.Value));

    private static void AssertSame(TopicInfo expected, TopicInfo actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.PartitionCount, actual.PartitionCount);
        Assert.Equal(expected.Configs.OrderBy(c => c.Key), actual.Configs.OrderBy(c => c.Key));
    }

    [Fact]
    public void Topics_and_their_changes_survive_reopen()
    {
        var a = Topic("a", 3, ("retention.ms", "1000"));
        var b = Topic("b");
        var c = Topic("c", 2);
        string clusterId;
        using (var store = Open())
        {
            clusterId = store.ClusterId;
            store.AddTopic(a);
            store.AddTopic(b);
            store.AddTopic(c);
            store.SetPartitionCount(a.Id, 5);
            store.SetTopicConfigs(b.Id, new Dictionary<string, string> { ["cleanup.policy"] = "compact" });
            store.RemoveTopic(c.Id);
            store.SetBrokerConfigs(new Dictionary<string, string> { ["log.retention.ms"] = "77" });
        }

        using (var store = Open())
        {
            Assert.Equal(clusterId, store.ClusterId);
            Assert.Equal(["a", "b"], store.Topics.Select(t => t.Name).Order());
            Assert.True(store.TryGetTopic("a", out var reA));
            AssertSame(a with { PartitionCount = 5 }, reA);
            Assert.True(store.TryGetTopic(b.Id, out var reB));
            AssertSame(b with { Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" } }, reB);
            Assert.False(store.TryGetTopic("c", out _));
            Assert.False(store.TryGetTopic(c.Id, out _));
            Assert.Equal("77", store.BrokerConfigs["log.retention.ms"]);
        }
    }

    [Fact]
    public void A_new_data_dir_gets_a_cluster_id_and_node_id_in_meta_properties()
    {
        using var store = Open(nodeId: 4);
        var properties = File.ReadAllLines(_dir.Combine("meta.properties"));
        Assert.Contains($"cluster.id={store.ClusterId}", properties);
        Assert.Contains("node.id=4", properties);
        Assert.True(KafkaUuid.TryParse(store.ClusterId, out _));
    }

    [Fact]
    public void A_node_id_other_than_the_one_in_meta_properties_throws()
    {
        Open(nodeId: 1).Dispose();
        var error = Assert.Throws<InvalidOperationException>(() => Open(nodeId: 2));
        Assert.Contains("node 1", error.Message);
        Open(nodeId: 1).Dispose();
    }

    [Fact]
    public void Meta_properties_without_a_cluster_id_throws()
    {
        File.WriteAllText(_dir.Combine("meta.properties"), "version=1\nnode.id=1\n");
        Assert.Throws<InvalidDataException>(() => Open());
    }

    public static TheoryData<string, byte[]> TornTails => new()
    {
        { "half a line", Encoding.UTF8.GetBytes("1a2b3c4d\t{\"Type\":\"TopicCreated\",\"Na") },
        { "no newline", Encoding.UTF8.GetBytes("00000000\t{}") },
        { "zeros", new byte[64] },
    };

    [Theory]
    [MemberData(nameof(TornTails))]
    public void A_torn_journal_tail_is_cut_and_earlier_records_kept(string name, byte[] tail)
    {
        var a = Topic("a");
        var b = Topic("b", 2);
        using (var store = Open())
        {
            store.AddTopic(a);
            store.AddTopic(b);
        }
        var goodLength = new FileInfo(JournalPath).Length;
        using (var journal = new FileStream(JournalPath, FileMode.Append))
            journal.Write(tail);

        var c = Topic("c");
        using (var store = Open())
        {
            Assert.True(goodLength == new FileInfo(JournalPath).Length, name);
            Assert.Equal(["a", "b"], store.Topics.Select(t => t.Name).Order());
            store.AddTopic(c);
        }
        using (var store = Open())
        {
            Assert.Equal(["a", "b", "c"], store.Topics.Select(t => t.Name).Order());
            Assert.True(store.TryGetTopic("c", out var reC));
            AssertSame(c, reC);
        }
    }

    [Fact]
    public void A_last_line_whose_crc_fails_is_cut()
    {
        var a = Topic("a");
        var b = Topic("bbbbbb");
        using (var store = Open())
        {
            store.AddTopic(a);
            store.AddTopic(b);
        }
        var bytes = File.ReadAllBytes(JournalPath);
        var lastLineStart = Array.LastIndexOf(bytes, (byte)'\n', bytes.Length - 2) + 1;
        var text = Encoding.UTF8.GetString(bytes);
        var nameAt = text.IndexOf("bbbbbb", StringComparison.Ordinal);
        Assert.True(nameAt > lastLineStart);
        bytes[nameAt] = (byte)'x';
        File.WriteAllBytes(JournalPath, bytes);

        using (var store = Open())
        {
            Assert.Equal(["a"], store.Topics.Select(t => t.Name));
            Assert.Equal(lastLineStart, new FileInfo(JournalPath).Length);
            store.AddTopic(b);
        }
        using (var store = Open())
            Assert.Equal(["a", "bbbbbb"], store.Topics.Select(t => t.Name).Order());
    }

    public static TheoryData<string> DamagedMiddleLines => new() { "crc", "half a line", "blank" };

    [Theory]
    [MemberData(nameof(DamagedMiddleLines))]
    public void A_bad_line_followed_by_good_ones_refuses_to_open_and_changes_nothing(string damage)
    {
        using (var store = Open())
        {
            store.AddTopic(Topic("a"));
            store.AddTopic(Topic("bbbbbb"));
            store.AddTopic(Topic("c"));
        }
        var lines = File.ReadAllText(JournalPath).Split('\n');
        lines[1] = damage switch
        {
            "crc" => lines[1].Replace("bbbbbb", "xbbbbb", StringComparison.Ordinal),
            "half a line" => lines[1][..20],
            _ => "",
        };
        File.WriteAllText(JournalPath, string.Join('\n', lines));
        var before = File.ReadAllBytes(JournalPath);

        var error = Assert.Throws<InvalidDataException>(() => Open());
        Assert.Contains(JournalPath, error.Message);
        Assert.Contains("line 2", error.Message);
        Assert.Equal(before, File.ReadAllBytes(JournalPath));
    }

    [Fact]
    public void A_bad_last_line_after_good_ones_is_still_cut()
    {
        using (var store = Open())
        {
            store.AddTopic(Topic("a"));
            store.AddTopic(Topic("b"));
        }
        var good = File.ReadAllBytes(JournalPath);
        // A whole line whose write never fully reached the disk: its newline made it, some bytes did not.
        var torn = Encoding.UTF8.GetBytes("0badc0de\t{\"Type\":\"TopicCreated\",\"Name\":\"c\"}\n");
        File.WriteAllBytes(JournalPath, [.. good, .. torn]);
        using (var store = Open())
            Assert.Equal(["a", "b"], store.Topics.Select(t => t.Name).Order());
        Assert.Equal(good, File.ReadAllBytes(JournalPath));
    }

    [Fact]
    public void A_long_journal_is_rewritten_as_a_snapshot_that_keeps_the_state()
    {
        var a = Topic("a", 2, ("retention.ms", "5"));
        var b = Topic("b");
        var gone = Topic("gone");
        using (var store = Open())
        {
            store.AddTopic(a);
            store.AddTopic(b);
            store.AddTopic(gone);
            store.RemoveTopic(gone.Id);
            for (var i = 0; i < 150; i++)
                store.SetTopicConfigs(b.Id, new Dictionary<string, string> { ["retention.ms"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            store.SetPartitionCount(a.Id, 7);
            store.SetBrokerConfigs(new Dictionary<string, string> { ["log.segment.bytes"] = "1000000" });
        }
        Assert.Equal(156, File.ReadAllLines(JournalPath).Length);

        void AssertState(MetadataStore store)
        {
            Assert.Equal(["a", "b"], store.Topics.Select(t => t.Name).Order());
            Assert.True(store.TryGetTopic(a.Id, out var reA));
            AssertSame(a with { PartitionCount = 7 }, reA);
            Assert.True(store.TryGetTopic("b", out var reB));
            AssertSame(b with { Configs = new Dictionary<string, string> { ["retention.ms"] = "149" } }, reB);
            Assert.Equal("1000000", store.BrokerConfigs["log.segment.bytes"]);
        }

        using (var store = Open())
        {
            AssertState(store);
            // Broker configs and the two live topics.
            Assert.Equal(3, File.ReadAllLines(JournalPath).Length);
            store.SetPartitionCount(b.Id, 2);
        }
        using (var store = Open())
        {
            Assert.Equal(4, File.ReadAllLines(JournalPath).Length);
            Assert.True(store.TryGetTopic("b", out var reB));
            Assert.Equal(2, reB.PartitionCount);
            Assert.Equal("149", reB.Configs["retention.ms"]);
        }
        Assert.False(File.Exists(JournalPath + ".snapshot"));
    }
}
