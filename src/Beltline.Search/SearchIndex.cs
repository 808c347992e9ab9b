using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Beltline.Search;

/// <summary>The outcome of one write, in the terms ES reports it.</summary>
public sealed record WriteResult(string Id, long Version, long SeqNo, string Result, int Status);

/// <summary>A document as GET returns it.</summary>
public sealed record StoredDocument(string Id, long Version, long SeqNo, byte[] Source);

/// <summary>
/// One ES index: a Lucene index in <c>{dir}/lucene</c> and its settings and mapping in <c>{dir}/index.json</c>.
/// Writes are serialised by one lock (one shard, one writer). Searches see the last refresh (near-real-time);
/// GET by id is real-time through the live version map, which holds every write since the last refresh (ES's
/// LiveVersionMap). Each write is appended to the translog, which <see cref="Sync"/> fsyncs before the request
/// is answered; a commit (Lucene commit, then the translog emptied) happens on the store's timer and at close.
/// </summary>
public sealed class SearchIndex : IDisposable
{
    public const string MetaFile = "index.json";
    private const string SeqNoKey = "beltline.max_seq_no";

    internal static readonly StandardAnalyzer Analyzer = new(LuceneVersion.LUCENE_48, CharArraySet.Empty);

    private readonly System.Threading.Lock _writeLock = new();
    private readonly LuceneDirectory _directory;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly Translog _translog;
    private readonly DocumentMapper _mapper = new();   // used under the write lock only
    private readonly System.Threading.Lock _metaLock = new();
    private Dictionary<string, StoredDocument?> _live = new(StringComparer.Ordinal);   // null: deleted since the last refresh
    private IdLookup? _idLookup;
    private long _nextSeqNo;
    private volatile bool _dirtySinceRefresh;
    private long _lastSearchTicks = Environment.TickCount64;
    private volatile bool _dirtySinceCommit;
    private bool _disposed;

    public string Name { get; }
    public string Path { get; }
    public string Uuid { get; }
    public long CreationDate { get; }
    public JsonObject Settings { get; }
    public IndexMapping Mapping { get; }

    private SearchIndex(string name, string path, string uuid, long creationDate, JsonObject settings, IndexMapping mapping)
    {
        Name = name;
        Path = path;
        Uuid = uuid;
        CreationDate = creationDate;
        Settings = settings;
        Mapping = mapping;
        _directory = FSDirectory.Open(System.IO.Path.Combine(path, "lucene"));
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, Analyzer)
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            RAMBufferSizeMB = 64,
            // A refresh flushes a small segment every second under load: written once as plain files rather than
            // written and then copied into a compound file. Merged segments still follow the merge policy's ratio.
            UseCompoundFile = false,
            // A merged segment gets its columns built in the merge thread, before searches see it: otherwise the first
            // aggregation after a large merge pays for them (hundreds of milliseconds at a million documents).
            MergedSegmentWarmer = new ColumnWarmer(() => Mapping),
        };
        _writer = new IndexWriter(_directory, config);
        _nextSeqNo = _writer.CommitData.TryGetValue(SeqNoKey, out var seq) && long.TryParse(seq, out var max) ? max + 1 : 0;
        _translog = new Translog(path);
        ReplayTranslog();
        _searchers = new SearcherManager(_writer, applyAllDeletes: true, searcherFactory: null);
    }

    /// <summary>Re-applies the writes acknowledged after the last commit (a crash lost them from Lucene, not from the translog).</summary>
    private void ReplayTranslog()
    {
        foreach (var operation in _translog.ReadAll())
        {
            if (operation.SeqNo < _nextSeqNo)
                continue;   // already in the commit: the crash came between the commit and emptying the translog
            if (operation.Source is null)
                _writer.DeleteDocuments(new Term(DocumentMapper.IdField, operation.Id));
            else
            {
                var document = _mapper.Map(operation.Id, operation.Source, Mapping, operation.Version, operation.SeqNo, out var mappingChanged);
                if (mappingChanged)
                    SaveMeta();
                _writer.UpdateDocument(new Term(DocumentMapper.IdField, operation.Id), document);
            }
            _nextSeqNo = operation.SeqNo + 1;
            MarkDirty();
        }
    }

    /// <summary>Creates a new index directory with its settings and mapping, committed empty.</summary>
    internal static SearchIndex Create(string name, string path, JsonObject settings, IndexMapping mapping)
    {
        System.IO.Directory.CreateDirectory(path);
        var uuid = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).Replace('+', '-').Replace('/', '_').TrimEnd('=')[..22];
        var index = new SearchIndex(name, path, uuid, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), settings, mapping);
        index.SaveMeta();
        index.Commit();
        return index;
    }

    /// <summary>Opens an index written before (its index.json and Lucene commit).</summary>
    internal static SearchIndex Open(string path)
    {
        var meta = JsonNode.Parse(File.ReadAllBytes(System.IO.Path.Combine(path, MetaFile)))!.AsObject();
        return new SearchIndex(meta["name"]!.GetValue<string>(), path, meta["uuid"]!.GetValue<string>(), meta["creation_date"]!.GetValue<long>(),
            meta["settings"]!.AsObject(), IndexMapping.FromJson(meta["mappings"]?.AsObject()));
    }

    /// <summary>Writes index.json atomically (temp file, fsync, rename).</summary>
    internal void SaveMeta()
    {
        lock (_metaLock)
            WriteMeta();
    }

    private void WriteMeta()
    {
        var meta = new JsonObject
        {
            ["name"] = Name,
            ["uuid"] = Uuid,
            ["creation_date"] = CreationDate,
            ["settings"] = Settings.DeepClone(),
            ["mappings"] = Mapping.ToJson(),
        };
        var target = System.IO.Path.Combine(Path, MetaFile);
        var temp = target + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, meta, new JsonSerializerOptions { WriteIndented = true });
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, target, overwrite: true);
    }

    public static string NewId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');

    /// <summary>Indexes a document (<c>create</c> refuses an existing id with 409, as ES does).</summary>
    /// <param name="ifSeqNo">Optimistic concurrency (ES's <c>if_seq_no</c>): write only over the document with this sequence number.</param>
    public WriteResult Index(string? id, ReadOnlyMemory<byte> source, bool create = false, long? ifSeqNo = null)
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            var generated = id is null;
            id ??= NewId();
            var current = generated ? null : FindLocked(id);
            CheckSeqNo(id, current, ifSeqNo);
            if (create && current is not null)
                throw new SearchException(409, "version_conflict_engine_exception",
                    $"[{id}]: version conflict, document already exists (current version [{current.Version}])",
                    new JsonObject { ["index_uuid"] = Uuid, ["shard"] = "0", ["index"] = Name });
            return WriteLocked(id, source.ToArray(), current);
        }
    }

    /// <summary>Partial update: <paramref name="doc"/> merged into the source; <c>noop</c> when nothing changes.</summary>
    public WriteResult Update(string id, JsonObject doc, bool docAsUpsert, JsonObject? upsert)
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            var current = FindLocked(id);
            if (current is null)
            {
                var initial = upsert ?? (docAsUpsert ? doc : null)
                    ?? throw new SearchException(404, "document_missing_exception", $"[_doc][{id}]: document missing",
                        new JsonObject { ["index_uuid"] = Uuid, ["shard"] = "0", ["index"] = Name });
                return WriteLocked(id, JsonSerializer.SerializeToUtf8Bytes(initial), null);
            }
            var merged = JsonNode.Parse(current.Source)!.AsObject();
            if (!DeepMerge(merged, doc))
                return new WriteResult(id, current.Version, current.SeqNo, "noop", 200);
            return WriteLocked(id, JsonSerializer.SerializeToUtf8Bytes(merged), current);
        }
    }

    public WriteResult Delete(string id, long? ifSeqNo = null)
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            var current = FindLocked(id);
            CheckSeqNo(id, current, ifSeqNo);
            var seqNo = _nextSeqNo++;
            if (current is null)
                return new WriteResult(id, 1, seqNo, "not_found", 404);
            _writer.DeleteDocuments(new Term(DocumentMapper.IdField, id));
            _translog.AppendDelete(id, seqNo, current.Version + 1);
            _live[id] = null;
            MarkDirty();
            return new WriteResult(id, current.Version + 1, seqNo, "deleted", 200);
        }
    }

    /// <summary>Real-time GET: writes not yet refreshed are found in the live version map.</summary>
    public StoredDocument? Get(string id)
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            return FindLocked(id);
        }
    }

    private void CheckSeqNo(string id, StoredDocument? current, long? ifSeqNo)
    {
        if (ifSeqNo is not { } required || current?.SeqNo == required)
            return;
        var reason = current is null
            ? $"[{id}]: version conflict, required seqNo [{required}], primary term [1] but no document was found"
            : $"[{id}]: version conflict, required seqNo [{required}], primary term [1]. current document has seqNo [{current.SeqNo}] and primary term [1]";
        throw new SearchException(409, "version_conflict_engine_exception", reason,
            new JsonObject { ["index_uuid"] = Uuid, ["shard"] = "0", ["index"] = Name });
    }

    private WriteResult WriteLocked(string id, byte[] source, StoredDocument? current)
    {
        var version = (current?.Version ?? 0) + 1;
        var seqNo = _nextSeqNo;
        var document = _mapper.Map(id, source, Mapping, version, seqNo, out var mappingChanged);
        _nextSeqNo++;
        if (mappingChanged)
            SaveMeta();
        if (current is null)
            _writer.AddDocument(document);   // nothing to replace (the lookup covers every write): skip the delete-by-term, as ES does
        else
            _writer.UpdateDocument(new Term(DocumentMapper.IdField, id), document);
        _translog.Append(id, seqNo, version, source);
        _live[id] = new StoredDocument(id, version, seqNo, source);
        MarkDirty();
        if (_live.Count >= MaxLiveWrites)
            RefreshLocked();
        return current is null ? new WriteResult(id, version, seqNo, "created", 201) : new WriteResult(id, version, seqNo, "updated", 200);
    }

    private void MarkDirty()
    {
        _dirtySinceRefresh = true;
        _dirtySinceCommit = true;
    }

    private StoredDocument? FindLocked(string id)
    {
        if (_live.TryGetValue(id, out var live))
            return live;
        _idLookup ??= IdLookup.Open(_searchers);
        return _idLookup.Find(id);
    }

    /// <summary>
    /// Finds documents by id in the last refreshed view. Built once per refresh (one searcher held, one terms
    /// enumerator per segment) because bulk indexing asks for every document's id.
    /// </summary>
    private sealed class IdLookup(SearcherManager searchers, IndexSearcher searcher) : IDisposable
    {
        private readonly (AtomicReader Reader, TermsEnum? Ids)[] _segments = searcher.IndexReader.Leaves
            .Select(leaf => (leaf.AtomicReader, leaf.AtomicReader.GetTerms(DocumentMapper.IdField)?.GetEnumerator())).ToArray();
        private readonly BytesRef _term = new();

        public static IdLookup Open(SearcherManager searchers) => new(searchers, searchers.Acquire());

        public StoredDocument? Find(string id)
        {
            _term.CopyChars(id);
            foreach (var (reader, ids) in _segments)
            {
                if (ids is null || !ids.SeekExact(_term))
                    continue;
                var docs = ids.Docs(reader.LiveDocs, null, DocsFlags.NONE);
                var doc = docs.NextDoc();
                if (doc == DocIdSetIterator.NO_MORE_DOCS)
                    continue;
                var stored = reader.Document(doc);
                var version = stored.GetField(DocumentMapper.VersionField)?.GetInt64Value() ?? 1;
                var seqNo = stored.GetField(DocumentMapper.SeqNoField)?.GetInt64Value() ?? 0;
                var source = stored.GetBinaryValue(DocumentMapper.SourceField);
                return new StoredDocument(id, version, seqNo, source.Bytes[source.Offset..(source.Offset + source.Length)]);
            }
            return null;
        }

        public void Dispose() => searchers.Release(searcher);
    }

    /// <summary>ES's partial-doc merge: objects merge recursively, everything else is replaced. True when something changed.</summary>
    internal static bool DeepMerge(JsonObject target, JsonObject update)
    {
        var changed = false;
        foreach (var (key, value) in update)
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
                changed |= DeepMerge(existing, child);
            else if (!JsonNode.DeepEquals(target[key], value) || !target.ContainsKey(key))
            {
                target[key] = value?.DeepClone();
                changed = true;
            }
        }
        return changed;
    }

    /// <summary>
    /// ES's <c>index.search.idle.after</c>: an index that has not been searched for this long skips scheduled
    /// refreshes (each one flushes a small segment that merges then rewrite) until the next search refreshes it.
    /// </summary>
    public static readonly TimeSpan SearchIdleAfter = TimeSpan.FromSeconds(30);

    /// <summary>Writes kept in the live version map before a refresh is forced even on a search-idle index (bounds its memory).</summary>
    internal const int MaxLiveWrites = 100_000;

    /// <summary>
    /// True when <c>index.refresh_interval</c> is set: ES then refreshes on schedule even when idle, and <c>-1</c>
    /// turns scheduled refreshes off.
    /// </summary>
    public string? RefreshIntervalSetting => Settings["refresh_interval"]?.ToString();

    public bool IsSearchIdle => RefreshIntervalSetting is null
        && Environment.TickCount64 - Interlocked.Read(ref _lastSearchTicks) > (long)SearchIdleAfterSetting.TotalMilliseconds;

    /// <summary><c>index.search.idle.after</c> when the index sets it, else <see cref="SearchIdleAfter"/>.</summary>
    private TimeSpan SearchIdleAfterSetting => Settings["search.idle.after"]?.ToString() is { } text
        ? ParseTimeValue("index.search.idle.after", text)
        : SearchIdleAfter;

    /// <summary>An ES time value: a whole number and a unit, ms, s, m, h or d ("30s").</summary>
    private static TimeSpan ParseTimeValue(string setting, string text)
    {
        var unit = text.TrimStart("0123456789".ToCharArray());
        var amount = text[..^unit.Length];
        long? millis = unit switch { "ms" => 1, "s" => 1_000, "m" => 60_000, "h" => 3_600_000, "d" => 86_400_000, _ => null };
        if (millis is null || !long.TryParse(amount, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
            throw SearchException.BadRequest($"failed to parse setting [{setting}] with value [{text}] as a time value: unit is missing or unrecognized");
        return TimeSpan.FromMilliseconds(value * millis.Value);
    }

    /// <summary>The scheduled refresh: skipped when search-idle (<see cref="SearchIdleAfter"/>) or when refresh_interval is -1.</summary>
    public void ScheduledRefresh()
    {
        if (RefreshIntervalSetting is "-1" || IsSearchIdle)
            return;
        Refresh();
    }

    /// <summary>
    /// Holds the write lock across many writes (a bulk request's run of items for this index): taking it once per
    /// document made two concurrent bulk requests wake each other for every document. The lock is reentrant.
    /// </summary>
    public System.Threading.Lock.Scope EnterWriteBatch() => _writeLock.EnterScope();

    /// <summary>Makes every write so far durable (translog fsync); called before a write request is answered.</summary>
    public void Sync()
    {
        lock (_writeLock)
        {
            if (!_disposed)
                _translog.Sync();
        }
    }

    /// <summary>Makes every write so far visible to searches (ES refresh); cheap when nothing changed.</summary>
    public void Refresh()
    {
        if (!_dirtySinceRefresh)
            return;
        lock (_writeLock)
            RefreshLocked();
    }

    private void RefreshLocked()
    {
        if (_disposed)
            return;
        _dirtySinceRefresh = false;
        _searchers.MaybeRefreshBlocking();
        // The refreshed reader holds every write made under this lock: the live map can start afresh.
        _live = new Dictionary<string, StoredDocument?>(StringComparer.Ordinal);
        _idLookup?.Dispose();
        _idLookup = null;
    }

    /// <summary>Durably commits every write so far (Lucene commit, fsync), recording the sequence number reached.</summary>
    public void Commit()
    {
        lock (_writeLock)
        {
            if (_disposed)
                return;
            CommitLocked();
        }
    }

    private void CommitLocked()
    {
        _dirtySinceCommit = false;
        _writer.SetCommitData(new Dictionary<string, string> { [SeqNoKey] = (_nextSeqNo - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        _writer.Commit();
        _translog.Clear();
    }

    internal bool NeedsCommit => _dirtySinceCommit;

    /// <summary>A searcher for a search request: marks the index searched, refreshing it first when it was search-idle.</summary>
    public IndexSearcher AcquireSearcher()
    {
        ThrowIfDisposed();
        var wasIdle = IsSearchIdle;
        Interlocked.Exchange(ref _lastSearchTicks, Environment.TickCount64);
        if (wasIdle)
            Refresh();   // ES: a search on an idle shard with a pending refresh triggers it
        return _searchers.Acquire();
    }

    public void ReleaseSearcher(IndexSearcher searcher) => _searchers.Release(searcher);

    /// <summary>Live and deleted documents in the last refreshed view (what <c>_cat/indices</c> shows).</summary>
    public (int Live, int Deleted) DocCounts()
    {
        ThrowIfDisposed();
        var searcher = _searchers.Acquire();   // not a search: leaves the index idle as it is
        try
        {
            return (searcher.IndexReader.NumDocs, searcher.IndexReader.NumDeletedDocs);
        }
        finally
        {
            ReleaseSearcher(searcher);
        }
    }

    public long StoreSizeBytes()
    {
        try
        {
            return new DirectoryInfo(System.IO.Path.Combine(Path, "lucene")).EnumerateFiles().Sum(f => f.Length);
        }
        catch (IOException)
        {
            return 0;   // a merge removed a file while we looked
        }
    }

    public int NumberOfReplicas => Settings["number_of_replicas"] is { } replicas && int.TryParse(replicas.ToString(), out var n) ? n : 1;

    private void ThrowIfDisposed()
    {
        if (_disposed)
            throw SearchException.IndexNotFound(Name);
    }

    /// <summary>Commits what is left and closes the writer.</summary>
    public void Dispose()
    {
        lock (_writeLock)
        {
            if (_disposed)
                return;
            CommitLocked();
            _disposed = true;
            _idLookup?.Dispose();
            _searchers.Dispose();
            _writer.Dispose();
            _translog.Dispose();
            _directory.Dispose();
        }
    }

    /// <summary>Closes without committing (for a deleted index).</summary>
    internal void Abandon()
    {
        lock (_writeLock)
        {
            if (_disposed)
                return;
            _disposed = true;
            _idLookup?.Dispose();
            _searchers.Dispose();
            _writer.Rollback();
            _translog.Dispose();
            _directory.Dispose();
        }
    }

    /// <summary>For tests: merges every segment into one, as a background merge eventually would.</summary>
    internal void ForceMergeForTests()
    {
        lock (_writeLock)
        {
            _writer.ForceMerge(1);
            _dirtySinceRefresh = true;
        }
    }

    /// <summary>For tests: stops as a killed process would, losing everything not committed to Lucene.</summary>
    internal void SimulateCrash() => Abandon();
}
