using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Beltline.Protocol;
using Microsoft.Extensions.Logging;

namespace Beltline.Broker.Metadata;

/// <summary>A topic as the cluster knows it. Configs hold only the topic's overrides.</summary>
public sealed record TopicInfo(string Name, KafkaUuid Id, int PartitionCount, IReadOnlyDictionary<string, string> Configs)
{
    public bool IsInternal => Name.StartsWith("__", StringComparison.Ordinal);
}

/// <summary>
/// Durable cluster metadata: cluster id (meta.properties, as Kafka's) and the topics, kept as a journal of
/// changes (<c>__cluster_metadata/metadata.log</c>) replayed at start-up, like KRaft's metadata log. Each line is
/// <c>crc32c-hex TAB json</c>. Every change is written unbuffered and fsynced before it is applied and acknowledged,
/// one at a time, so a crash can only tear the last line: a bad last line is cut, a bad line anywhere else is
/// damage this store cannot explain and refuses to start on. The journal is rewritten as a snapshot when it has
/// grown well past the live state.
/// </summary>
internal sealed class MetadataStore : IDisposable
{
    private const string JournalDirectory = "__cluster_metadata";
    private const string JournalFile = "metadata.log";
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly Lock _lock = new();
    private readonly string _journalPath;
    private readonly ILogger _logger;
    private readonly Dictionary<string, TopicInfo> _topicsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<KafkaUuid, TopicInfo> _topicsById = [];
    private FileStream _journal;
    private int _journalRecords;
    /// <summary>Set when a failed write could not be undone: later writes would follow a torn line, so none are made.</summary>
    private Exception? _broken;

    private MetadataStore(string dataDir, string clusterId, ILogger logger)
    {
        ClusterId = clusterId;
        _logger = logger;
        var directory = Path.Combine(dataDir, JournalDirectory);
        Directory.CreateDirectory(directory);
        _journalPath = Path.Combine(directory, JournalFile);
        Replay();
        if (_journalRecords > 2 * _topicsByName.Count + 100)
            WriteSnapshot();
        // Unbuffered: a write that fails must not leave half a line in a buffer, to reach the file with a later write.
        _journal = new FileStream(_journalPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _journal.Seek(0, SeekOrigin.End);
    }

    public string ClusterId { get; }

    public IReadOnlyDictionary<string, string> BrokerConfigs { get; private set; } = new Dictionary<string, string>();

    /// <summary>Opens the metadata of <paramref name="dataDir"/>, creating a new cluster id on first start.</summary>
    public static MetadataStore Open(string dataDir, int nodeId, ILogger logger)
    {
        Directory.CreateDirectory(dataDir);
        var propertiesPath = Path.Combine(dataDir, "meta.properties");
        string clusterId;
        if (File.Exists(propertiesPath))
        {
            var properties = File.ReadAllLines(propertiesPath)
                .Where(l => l.Contains('=') && !l.StartsWith('#'))
                .Select(l => l.Split('=', 2))
                .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
            clusterId = properties.GetValueOrDefault("cluster.id") ?? throw new InvalidDataException($"{propertiesPath} has no cluster.id.");
            if (properties.TryGetValue("node.id", out var storedNode) && storedNode != nodeId.ToString(CultureInfo.InvariantCulture))
                throw new InvalidOperationException($"Data dir {dataDir} belongs to node {storedNode}, not node {nodeId}; use --node-id {storedNode} or another --data-dir.");
        }
        else
        {
            clusterId = KafkaUuid.NewRandom().ToString();
            File.WriteAllText(propertiesPath + ".tmp", $"#Beltline broker metadata\nversion=1\ncluster.id={clusterId}\nnode.id={nodeId}\n");
            File.Move(propertiesPath + ".tmp", propertiesPath);
        }
        return new MetadataStore(dataDir, clusterId, logger);
    }

    public IReadOnlyList<TopicInfo> Topics
    {
        get { lock (_lock) return [.. _topicsByName.Values]; }
    }

    public bool TryGetTopic(string name, out TopicInfo topic)
    {
        lock (_lock) return _topicsByName.TryGetValue(name, out topic!);
    }

    public bool TryGetTopic(KafkaUuid id, out TopicInfo topic)
    {
        lock (_lock) return _topicsById.TryGetValue(id, out topic!);
    }

    public void AddTopic(TopicInfo topic) => Commit(new MetadataRecord
    {
        Type = RecordType.TopicCreated, Name = topic.Name, Id = topic.Id.ToString(), Partitions = topic.PartitionCount, Configs = new(topic.Configs),
    });

    public void RemoveTopic(KafkaUuid id) => Commit(new MetadataRecord { Type = RecordType.TopicDeleted, Id = id.ToString() });

    public void SetPartitionCount(KafkaUuid id, int partitions) =>
        Commit(new MetadataRecord { Type = RecordType.PartitionsAdded, Id = id.ToString(), Partitions = partitions });

    public void SetTopicConfigs(KafkaUuid id, IReadOnlyDictionary<string, string> configs) =>
        Commit(new MetadataRecord { Type = RecordType.TopicConfigsSet, Id = id.ToString(), Configs = new(configs) });

    public void SetBrokerConfigs(IReadOnlyDictionary<string, string> configs) =>
        Commit(new MetadataRecord { Type = RecordType.BrokerConfigsSet, Configs = new(configs) });

    private void Commit(MetadataRecord record)
    {
        lock (_lock)
        {
            if (_broken is not null)
                throw new IOException($"The metadata journal {_journalPath} cannot take changes since a write to it failed; restart the broker.", _broken);
            var line = Encoding.UTF8.GetBytes(Frame(record));
            var start = _journal.Position;
            try
            {
                _journal.Write(line);
                _journal.Flush(flushToDisk: true);
            }
            catch (Exception e)
            {
                // Take back whatever part of the line got in, so the next line does not follow a torn one.
                try
                {
                    _journal.SetLength(start);
                    _journal.Position = start;
                    _journal.Flush(flushToDisk: true);
                }
                catch (Exception undo)
                {
                    _broken = undo;
                    _logger.LogCritical(undo, "Could not undo a failed write to the metadata journal {Path}; no more metadata changes until restart", _journalPath);
                }
                throw new IOException($"Writing the metadata journal {_journalPath} failed: {e.Message}", e);
            }
            _journalRecords++;
            Apply(record);
        }
    }

    private static string Frame(MetadataRecord record)
    {
        var json = JsonSerializer.Serialize(record, Json);
        var crc = Crc32C.Compute(Encoding.UTF8.GetBytes(json));
        return $"{crc:x8}\t{json}\n";
    }

    private void Apply(MetadataRecord record)
    {
        switch (record.Type)
        {
            case RecordType.TopicCreated:
                var created = new TopicInfo(record.Name!, KafkaUuid.Parse(record.Id!), record.Partitions, record.Configs ?? []);
                _topicsByName[created.Name] = created;
                _topicsById[created.Id] = created;
                break;
            case RecordType.TopicDeleted:
                if (_topicsById.Remove(KafkaUuid.Parse(record.Id!), out var deleted))
                    _topicsByName.Remove(deleted.Name);
                break;
            case RecordType.PartitionsAdded:
                Replace(record.Id!, t => t with { PartitionCount = record.Partitions });
                break;
            case RecordType.TopicConfigsSet:
                Replace(record.Id!, t => t with { Configs = record.Configs ?? [] });
                break;
            case RecordType.BrokerConfigsSet:
                BrokerConfigs = record.Configs ?? [];
                break;
        }
    }

    private void Replace(string id, Func<TopicInfo, TopicInfo> change)
    {
        if (!_topicsById.TryGetValue(KafkaUuid.Parse(id), out var topic))
            return;
        var updated = change(topic);
        _topicsById[updated.Id] = updated;
        _topicsByName[updated.Name] = updated;
    }

    /// <summary>
    /// Applies every line. A bad last line (no newline, CRC or JSON failing) is what a crash during its write leaves
    /// and is cut; a bad line with lines after it cannot come from a crash, since each line is fsynced before the
    /// next is written, so rather than drop the changes after it (and with them topics whose data start-up would
    /// then delete as stray) the store refuses to open.
    /// </summary>
    private void Replay()
    {
        if (!File.Exists(_journalPath))
            return;
        var bytes = File.ReadAllBytes(_journalPath);
        var position = 0;
        var lineNumber = 0;
        while (position < bytes.Length)
        {
            lineNumber++;
            var newline = Array.IndexOf(bytes, (byte)'\n', position);
            var lineEnd = newline < 0 ? bytes.Length : newline;
            if (!TryParse(bytes.AsSpan(position, lineEnd - position), out var record) || newline < 0)
            {
                if (newline >= 0 && newline + 1 < bytes.Length)
                    throw new InvalidDataException(
                        $"The metadata journal {_journalPath} is damaged at line {lineNumber} (byte {position}), and lines follow it, " +
                        "so it is not a write torn by a crash. Refusing to start rather than lose the changes after it: restore the file, " +
                        "or remove that line if its change may be lost.");
                break;
            }
            Apply(record);
            _journalRecords++;
            position = newline + 1;
        }
        if (position < bytes.Length)
        {
            _logger.LogWarning("Cut {Bytes} torn or corrupt bytes from the end of the metadata journal {Path}", bytes.Length - position, _journalPath);
            using var file = new FileStream(_journalPath, FileMode.Open, FileAccess.Write);
            file.SetLength(position);
            file.Flush(flushToDisk: true);
        }
    }

    private static bool TryParse(ReadOnlySpan<byte> line, out MetadataRecord record)
    {
        record = null!;
        var tab = line.IndexOf((byte)'\t');
        if (tab != 8 || !uint.TryParse(Encoding.ASCII.GetString(line[..8]), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var crc))
            return false;
        var json = line[(tab + 1)..];
        if (Crc32C.Compute(json) != crc)
            return false;
        try
        {
            record = JsonSerializer.Deserialize<MetadataRecord>(json, Json)!;
            return record is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Rewrites the journal as the current state only (write aside, fsync, rename).</summary>
    private void WriteSnapshot()
    {
        var temp = _journalPath + ".snapshot";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            var records = new List<MetadataRecord>();
            if (BrokerConfigs.Count > 0)
                records.Add(new MetadataRecord { Type = RecordType.BrokerConfigsSet, Configs = new(BrokerConfigs) });
            records.AddRange(_topicsByName.Values.Select(t => new MetadataRecord
            {
                Type = RecordType.TopicCreated, Name = t.Name, Id = t.Id.ToString(), Partitions = t.PartitionCount, Configs = new(t.Configs),
            }));
            foreach (var record in records)
                file.Write(Encoding.UTF8.GetBytes(Frame(record)));
            file.Flush(flushToDisk: true);
            _journalRecords = records.Count;
        }
        File.Move(temp, _journalPath, overwrite: true);
    }

    public void Dispose() => _journal.Dispose();

    private enum RecordType
    {
        TopicCreated,
        TopicDeleted,
        PartitionsAdded,
        TopicConfigsSet,
        BrokerConfigsSet,
    }

    private sealed class MetadataRecord
    {
        [JsonConverter(typeof(JsonStringEnumConverter<RecordType>))]
        public RecordType Type { get; set; }
        public string? Name { get; set; }
        public string? Id { get; set; }
        public int Partitions { get; set; }
        public Dictionary<string, string>? Configs { get; set; }
    }
}
