using System.Diagnostics;
using System.Text.Json.Nodes;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Beltline.Search;

/// <summary>One sort criterion of a search: a field (or <c>_score</c>, <c>_doc</c>) and its direction.</summary>
public sealed record SortSpec(string Field, bool Descending, string? UnmappedType = null)
{
    public static List<SortSpec> Parse(JsonNode? node)
    {
        var specs = new List<SortSpec>();
        foreach (var item in node is JsonArray array ? array.OfType<JsonNode>() : node is null ? [] : [node])
        {
            switch (item)
            {
                case JsonValue value:
                    var text = value.ToString();
                    var colon = text.IndexOf(':');   // the URL form "field:desc"
                    var field = colon < 0 ? text : text[..colon];
                    specs.Add(new SortSpec(field, colon < 0 ? field == "_score" : text[(colon + 1)..] == "desc"));
                    break;
                case JsonObject json:
                    foreach (var (name, spec) in json)
                    {
                        var order = spec is JsonObject options ? options["order"]?.ToString() : spec?.ToString();
                        specs.Add(new SortSpec(name, order is null ? name == "_score" : order == "desc",
                            (spec as JsonObject)?["unmapped_type"]?.ToString()));
                    }
                    break;
            }
        }
        return specs;
    }
}

/// <summary>
/// Runs a search body over one or more indices: every matching document is collected per segment (doc ids and
/// scores), which gives the exact total, the page of hits (by score or by sort keys read from doc values) and the
/// documents aggregations run over.
/// </summary>
public static class SearchExecutor
{
    public const int MaxResultWindow = 10_000;

    /// <summary>Collects each segment's matching doc ids and scores.</summary>
    private sealed class MatchCollector(SearchIndex index, bool scores) : ICollector
    {
        private Scorer? _scorer;
        private AtomicReaderContext? _leaf;
        private int[] _docs = new int[16];
        private float[] _scores = new float[16];
        private int _count;
        public List<SegmentDocs> Segments { get; } = [];

        public void SetScorer(Scorer scorer) => _scorer = scorer;

        public void Collect(int doc)
        {
            if (_count == _docs.Length)
            {
                Array.Resize(ref _docs, _count * 2);
                Array.Resize(ref _scores, _count * 2);
            }
            _docs[_count] = doc;
            if (scores)
            {
                var score = _scorer!.GetScore();
                _scores[_count] = float.IsFinite(score) ? score : 0;   // filter-only queries normalise 0/0
            }
            _count++;
        }

        public void SetNextReader(AtomicReaderContext context)
        {
            Flush();
            _leaf = context;
        }

        /// <summary>Hands this segment's arrays over as they are (the count says how much is used) and starts new ones.</summary>
        public void Flush()
        {
            if (_leaf is not null && _count > 0)
            {
                Segments.Add(new SegmentDocs(index, _leaf, _docs, _scores, _count));
                _docs = new int[Math.Max(16, _count)];
                _scores = new float[_docs.Length];
            }
            _count = 0;
            _leaf = null;
        }

        public bool AcceptsDocsOutOfOrder => false;
    }

    /// <summary>Every matching document of the indices, searcher by searcher.</summary>
    internal static List<SegmentDocs> Match(IReadOnlyList<(SearchIndex Index, IndexSearcher Searcher)> searchers, JsonNode? query, long nowMillis, bool scores = true)
    {
        var segments = new List<SegmentDocs>();
        foreach (var (index, searcher) in searchers)
        {
            if (IsPlainMatchAll(query))
            {
                segments.AddRange(AllDocuments(index, searcher));
                continue;
            }
            var lucene = new QueryTranslator(index.Mapping, nowMillis).Translate(query);
            var collector = new MatchCollector(index, scores);
            searcher.Search(lucene, collector);
            collector.Flush();
            segments.AddRange(collector.Segments);
        }
        return segments;
    }

    private static bool IsPlainMatchAll(JsonNode? query) =>
        query is null || query is JsonObject { Count: 1 } json && json["match_all"] is JsonObject { Count: 0 };

    /// <summary>
    /// Every live document, each scoring 1 as match_all scores: what a dashboard's aggregation-only request asks
    /// for, read from the segments' live-docs bits instead of through a scorer and collector.
    /// </summary>
    private static IEnumerable<SegmentDocs> AllDocuments(SearchIndex index, IndexSearcher searcher)
    {
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var reader = leaf.AtomicReader;
            var live = reader.LiveDocs;
            var docs = new int[reader.NumDocs];
            var count = 0;
            var maxDoc = reader.MaxDoc;
            for (var doc = 0; doc < maxDoc; doc++)
                if (live is null || live.Get(doc))
                    docs[count++] = doc;
            if (count == 0)
                continue;
            var scores = new float[count];
            scores.AsSpan().Fill(1f);
            yield return new SegmentDocs(index, leaf, docs, scores, count);
        }
    }

    /// <summary>The <c>_search</c> API: hits, total and aggregations.</summary>
    /// <param name="typedKeys">?typed_keys: aggregation names prefixed with their result type, as the official clients ask.</param>
    public static JsonObject Search(IReadOnlyList<SearchIndex> indices, JsonObject body, long? nowMillis = null, bool typedKeys = false)
    {
        var stopwatch = Stopwatch.StartNew();
        var now = nowMillis ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var from = body["from"]?.GetValue<int>() ?? 0;
        var size = body["size"]?.GetValue<int>() ?? 10;
        if (from < 0 || size < 0)
            throw SearchException.BadRequest(from < 0 ? "[from] parameter cannot be negative" : "[size] parameter cannot be negative, found [" + size + "]");
        if (from + size > MaxResultWindow)
            throw SearchException.BadRequest($"Result window is too large, from + size must be less than or equal to: [{MaxResultWindow}] but was [{from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.");
        var sort = SortSpec.Parse(body["sort"]);
        var source = SourceFilter.Parse(body["_source"]);
        var searchAfter = SearchAfter(body["search_after"], sort, from);
        var aggregations = body["aggs"] ?? body["aggregations"];
        var aggregationRequests = aggregations is JsonObject aggs ? AggregationRequest.ParseAll(aggs) : [];

        var searchers = indices.Select(i => (Index: i, Searcher: i.AcquireSearcher())).ToList();
        try
        {
            // Scores cost a scorer call per match; aggregation-only requests (size 0, no top_hits) never read them.
            var scores = size > 0 && (sort.Count == 0 || sort.Any(s => s.Field == "_score")) || UsesTopHits(aggregationRequests);
            var segments = Match(searchers, body["query"], now, scores);
            var total = segments.Sum(s => (long)s.Count);
            var page = SelectHits(segments, sort, from, size, searchAfter);
            var hits = new JsonArray();
            float? maxScore = null;
            if (scores && (sort.Count == 0 || sort.Any(s => s.Field == "_score")))
                maxScore = segments.Count == 0 ? null : segments.Max(s => s.Scores.Take(s.Count).DefaultIfEmpty(0).Max());
            foreach (var hit in page)
                hits.Add(HitJson(hit, source, sort));

            var hitsJson = new JsonObject();
            if (TotalHits(body["track_total_hits"], total) is { } totalJson)
                hitsJson["total"] = totalJson;
            hitsJson["max_score"] = sort.Count == 0 ? maxScore : null;
            hitsJson["hits"] = hits;
            var response = new JsonObject
            {
                ["took"] = 0,
                ["timed_out"] = false,
                ["_shards"] = new JsonObject { ["total"] = indices.Count, ["successful"] = indices.Count, ["skipped"] = 0, ["failed"] = 0 },
                ["hits"] = hitsJson,
            };
            if (aggregationRequests.Count > 0)
            {
                var results = Aggregator.Run(aggregationRequests, segments);
                if (typedKeys)
                    Aggregator.TypeKeys(results, aggregationRequests, segments);
                response["aggregations"] = results;
            }
            response["took"] = stopwatch.ElapsedMilliseconds;
            return response;
        }
        finally
        {
            foreach (var (index, searcher) in searchers)
                index.ReleaseSearcher(searcher);
        }
    }

    private static bool UsesTopHits(List<AggregationRequest> requests) =>
        requests.Any(r => r.Type == "top_hits" || UsesTopHits(r.Subs));

    /// <summary><c>search_after</c>: the sort values of the last hit of the previous page, one per sort criterion.</summary>
    private static object?[]? SearchAfter(JsonNode? node, List<SortSpec> sort, int from)
    {
        if (node is null)
            return null;
        if (node is not JsonArray values)
            throw SearchException.Parsing("[search_after] must be an array");
        if (sort.Count == 0)
            throw SearchException.BadRequest("Sort must contain at least one field.");
        if (values.Count != sort.Count)
            throw SearchException.BadRequest($"search_after has {values.Count} value(s) but sort has {sort.Count}.");
        if (from > 0)
            throw SearchException.BadRequest("[from] parameter must be set to 0 when [search_after] is used.");
        return values.Select(v => v switch
        {
            null => null,
            JsonValue value when value.TryGetValue<long>(out var l) => (object)l,
            JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number => value.GetValue<double>(),
            _ => v.ToString(),
        }).ToArray();
    }

    /// <summary>The <c>_count</c> API.</summary>
    public static long Count(IReadOnlyList<SearchIndex> indices, JsonNode? query, long? nowMillis = null)
    {
        var now = nowMillis ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var searchers = indices.Select(i => (Index: i, Searcher: i.AcquireSearcher())).ToList();
        try
        {
            long count = 0;
            foreach (var (index, searcher) in searchers)
            {
                var collector = new TotalHitCountCollector();
                searcher.Search(new QueryTranslator(index.Mapping, now).Translate(query), collector);
                count += collector.TotalHits;
            }
            return count;
        }
        finally
        {
            foreach (var (index, searcher) in searchers)
                index.ReleaseSearcher(searcher);
        }
    }

    /// <summary><c>track_total_hits</c>: true counts exactly, false leaves the total out, a number (default 10,000) caps it with "gte".</summary>
    private static JsonObject? TotalHits(JsonNode? track, long total)
    {
        long? limit = track switch
        {
            null => MaxResultWindow,
            JsonValue value when value.TryGetValue<bool>(out var exact) => exact ? long.MaxValue : null,
            JsonValue value when value.TryGetValue<long>(out var n) => n,
            _ => MaxResultWindow,
        };
        if (limit is null)
            return null;
        return total > limit
            ? new JsonObject { ["value"] = limit, ["relation"] = "gte" }
            : new JsonObject { ["value"] = total, ["relation"] = "eq" };
    }

    /// <summary>A selected hit: where it is, its score and its sort values.</summary>
    internal sealed record Hit(SegmentDocs Segment, int Position, float Score, object?[] SortValues);

    /// <summary>The page <c>[from, from+size)</c> of the documents by the sort (score descending when none).</summary>
    internal static List<Hit> SelectHits(IReadOnlyList<SegmentDocs> segments, List<SortSpec> sort, int from, int size, object?[]? after = null)
    {
        if (size == 0)
            return [];
        var specs = sort.Count == 0 ? [new SortSpec("_score", true)] : sort;
        var comparer = new HitComparer(specs);
        var keep = from + size;
        // A bounded max-heap of the best `keep` hits: the worst kept hit is at the top, ready to be replaced.
        var heap = new PriorityQueue<Hit, Hit>(keep + 1, Comparer<Hit>.Create((a, b) => comparer.Compare(b, a)));
        var order = 0;
        foreach (var segment in segments)
        {
            var readers = specs.Select(s => SortReader(s, segment)).ToArray();
            for (var i = 0; i < segment.Count; i++)
            {
                var values = new object?[specs.Count];
                for (var k = 0; k < specs.Count; k++)
                    values[k] = specs[k].Field switch
                    {
                        "_score" => (double)segment.Scores[i],
                        "_doc" => (long)order,
                        _ => SortValue(readers[k], segment.Docs[i], specs[k].Descending),
                    };
                order++;
                if (after is not null && comparer.CompareValues(values, after) <= 0)
                    continue;   // on or before the previous page's last hit
                var hit = new Hit(segment, i, segment.Scores[i], values);
                if (heap.Count < keep)
                    heap.Enqueue(hit, hit);
                else if (comparer.Compare(hit, heap.Peek()) < 0)
                    heap.EnqueueDequeue(hit, hit);
            }
        }
        var result = new List<Hit>(heap.Count);
        while (heap.Count > 0)
            result.Add(heap.Dequeue());
        result.Reverse();
        return result.Skip(from).ToList();
    }

    private static FieldValues? SortReader(SortSpec spec, SegmentDocs segment)
    {
        if (spec.Field is "_score" or "_doc")
            return null;
        var mapped = segment.Index.Mapping.Resolve(spec.Field);
        if (mapped is null && spec.UnmappedType is null)
            throw new SearchException(400, "query_shard_exception", $"No mapping found for [{spec.Field}] in order to sort on",
                new JsonObject { ["index_uuid"] = segment.Index.Uuid, ["index"] = segment.Index.Name });
        return FieldValues.For(spec.Field, mapped, segment.Leaf.AtomicReader);
    }

    /// <summary>The value a document sorts by: the smallest keyword ascending, the largest descending, as ES's default mode.</summary>
    private static object? SortValue(FieldValues? values, int doc, bool descending)
    {
        if (values is null)
            return null;
        if (values.IsNumeric)
        {
            // An array sorts by its smallest value ascending, its largest descending (ES's default sort mode).
            var (array, start, end) = values.NumberRange(doc);
            if (start == end)
                return null;
            var chosen = values.ToNumber(array[start]);
            var raw = array[start];
            for (var j = start + 1; j < end; j++)
            {
                var value = values.ToNumber(array[j]);
                if (descending ? value > chosen : value < chosen)
                    (chosen, raw) = (value, array[j]);
            }
            return values.Kind == FieldKind.Floating ? (object)chosen : raw;
        }
        if (values.IsKeyword)
        {
            long chosen = -1;
            foreach (var ord in values.Ordinals(doc))
            {
                if (chosen < 0 || descending)
                    chosen = ord;
                if (!descending)
                    break;
            }
            return chosen < 0 ? null : values.Term(chosen);
        }
        return null;
    }

    /// <summary>Orders hits by their sort values; a missing value sorts last either way (ES's <c>_last</c>); ties by position.</summary>
    private sealed class HitComparer(List<SortSpec> specs) : IComparer<Hit>
    {
        public int Compare(Hit? a, Hit? b)
        {
            var byValues = CompareValues(a!.SortValues, b!.SortValues);
            if (byValues != 0)
                return byValues;
            var bySegment = a.Segment.Leaf.DocBase.CompareTo(b.Segment.Leaf.DocBase);
            return bySegment != 0 ? bySegment : a.Position.CompareTo(b.Position);
        }

        public int CompareValues(object?[] a, object?[] b)
        {
            for (var k = 0; k < specs.Count; k++)
            {
                var x = a[k];
                var y = b[k];
                if (x is null || y is null)
                {
                    if (x is null && y is null)
                        continue;
                    return x is null ? 1 : -1;
                }
                var compared = (x, y) switch
                {
                    (long l1, long l2) => l1.CompareTo(l2),
                    (string s1, string s2) => string.CompareOrdinal(s1, s2),
                    _ => Convert.ToDouble(x, System.Globalization.CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(y, System.Globalization.CultureInfo.InvariantCulture)),
                };
                if (compared != 0)
                    return specs[k].Descending ? -compared : compared;
            }
            return 0;
        }
    }

    internal static JsonObject HitJson(Hit hit, SourceFilter source, List<SortSpec> sort)
    {
        var segment = hit.Segment;
        var doc = segment.Docs[hit.Position];
        var stored = segment.Leaf.AtomicReader.Document(doc);
        var json = new JsonObject
        {
            ["_index"] = segment.Index.Name,
            ["_type"] = "_doc",
            ["_id"] = stored.Get(DocumentMapper.IdField),
            ["_score"] = sort.Count == 0 || sort.Any(s => s.Field == "_score") ? hit.Score : null,
        };
        if (source.Enabled)
        {
            var bytes = stored.GetBinaryValue(DocumentMapper.SourceField);
            var parsed = JsonNode.Parse(bytes.Bytes.AsSpan(bytes.Offset, bytes.Length))!.AsObject();
            json["_source"] = source.Apply(parsed);
        }
        if (sort.Count > 0)
        {
            var values = new JsonArray();
            foreach (var value in hit.SortValues)
                values.Add(value switch
                {
                    null => null,
                    long l => JsonValue.Create(l),
                    double d => JsonValue.Create(d),
                    string s => JsonValue.Create(s),
                    _ => JsonValue.Create(value.ToString()),
                });
            json["sort"] = values;
        }
        return json;
    }
}
