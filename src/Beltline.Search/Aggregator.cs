using System.Globalization;
using System.Text.Json.Nodes;

namespace Beltline.Search;

/// <summary>One named aggregation of a request, with its sub-aggregations.</summary>
public sealed record AggregationRequest(string Name, string Type, JsonObject Body, List<AggregationRequest> Subs)
{
    public static List<AggregationRequest> ParseAll(JsonObject aggs)
    {
        var result = new List<AggregationRequest>();
        foreach (var (name, node) in aggs)
        {
            if (node is not JsonObject definition)
                throw SearchException.Parsing($"Expected [START_OBJECT] under [{name}], but got a value");
            var types = definition.Where(p => p.Key is not ("aggs" or "aggregations" or "meta")).ToList();
            if (types.Count != 1)
                throw SearchException.Parsing(types.Count == 0
                    ? $"Missing definition for aggregation [{name}]"
                    : $"Found two aggregation type definitions in [{name}]: [{types[0].Key}] and [{types[1].Key}]");
            var subs = (definition["aggs"] ?? definition["aggregations"]) is JsonObject subAggs ? ParseAll(subAggs) : [];
            var type = types[0].Key;
            if (!Aggregator.Types.Contains(type))
                throw new SearchException(400, "parsing_exception", $"Unknown aggregation type [{type}] did you mean [terms]?");
            if (subs.Count > 0 && Aggregator.MetricTypes.Contains(type))
                throw new SearchException(400, "aggregation_initialization_exception", $"Aggregator [{name}] of type [{type}] cannot accept sub-aggregations");
            result.Add(new AggregationRequest(name, type, types[0].Value as JsonObject ?? [], subs));
        }
        return result;
    }
}

/// <summary>
/// Aggregations over the matching documents, reading doc values segment by segment. A bucket aggregation splits
/// the documents into buckets (keeping each bucket's documents when it has sub-aggregations) and runs its
/// sub-aggregations on every bucket, so aggregations nest to any depth.
/// </summary>
public static class Aggregator
{
    public static readonly HashSet<string> MetricTypes = ["avg", "sum", "min", "max", "value_count", "cardinality", "stats", "top_hits"];
    public static readonly HashSet<string> Types = [.. MetricTypes, "terms", "date_histogram", "histogram", "range", "filter", "filters", "missing"];

    public static JsonObject Run(List<AggregationRequest> requests, IReadOnlyList<SegmentDocs> docs)
    {
        var result = new JsonObject();
        foreach (var request in requests)
            result[request.Name] = RunOne(request, docs);
        return result;
    }

    /// <summary>
    /// Renames every aggregation result to <c>{type}#{name}</c> (<c>?typed_keys</c>), sub-aggregations in every bucket
    /// included: the official Elasticsearch clients read the type from the key to pick a parser.
    /// </summary>
    public static void TypeKeys(JsonObject holder, List<AggregationRequest> requests, IReadOnlyList<SegmentDocs> docs)
    {
        foreach (var request in requests)
        {
            if (holder[request.Name] is not JsonObject result)
                continue;
            holder.Remove(request.Name);
            if (request.Subs.Count > 0)
            {
                switch (result["buckets"])
                {
                    case JsonArray buckets:
                        foreach (var bucket in buckets.OfType<JsonObject>())
                            TypeKeys(bucket, request.Subs, docs);
                        break;
                    case JsonObject keyed:
                        foreach (var bucket in keyed.Select(p => p.Value).OfType<JsonObject>())
                            TypeKeys(bucket, request.Subs, docs);
                        break;
                    default:
                        TypeKeys(result, request.Subs, docs); // filter, missing: the sub-aggregations sit beside doc_count
                        break;
                }
            }
            holder[$"{ResultType(request, docs)}#{request.Name}"] = result;
        }
    }

    /// <summary>The result type Elasticsearch names: terms by the field's kind (sterms, lterms, dterms), the others as requested.</summary>
    private static string ResultType(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        if (request.Type != "terms")
            return request.Type;
        var field = request.Body["field"]?.ToString();
        var mapped = field is null ? null : docs.Select(d => d.Index.Mapping.Resolve(field)).FirstOrDefault(m => m is not null);
        return mapped?.Type switch
        {
            "long" or "integer" or "short" or "byte" or "date" or "boolean" => "lterms",
            "double" or "float" or "half_float" or "scaled_float" => "dterms",
            _ => "sterms",
        };
    }

    private static JsonObject RunOne(AggregationRequest request, IReadOnlyList<SegmentDocs> docs) => request.Type switch
    {
        "terms" => Terms(request, docs),
        "date_histogram" => DateHistogram(request, docs),
        "histogram" => Histogram(request, docs),
        "range" => Range(request, docs),
        "filter" => Filter(request, docs),
        "filters" => Filters(request, docs),
        "missing" => Missing(request, docs),
        "top_hits" => TopHits(request, docs),
        _ => Metric(request, docs),
    };

    private static string FieldOf(AggregationRequest request) =>
        request.Body["field"]?.ToString() ?? throw SearchException.BadRequest($"Required one of fields [field, script], but none were specified.");

    /// <summary>The mapping of the field in the first index that has it (a field is one type across indices here).</summary>
    private static FieldMapping? Mapped(string field, IReadOnlyList<SegmentDocs> docs)
    {
        foreach (var segment in docs)
            if (segment.Index.Mapping.Resolve(field) is { } mapped)
            {
                if (mapped.Kind == FieldKind.Text)
                    throw FieldValues.FielddataDisabled(field);
                return mapped;
            }
        return null;
    }

    /// <summary>Groups documents into buckets, remembering each bucket's documents only when sub-aggregations need them.</summary>
    private sealed class BucketSet<TKey>(bool keepDocs) where TKey : notnull
    {
        public readonly Dictionary<TKey, Bucket> Buckets = [];

        public sealed class Bucket
        {
            public long Count;
            public List<SegmentDocs>? Docs;
            public List<int>? Positions;
            /// <summary>Documents of the segment being collected (<see cref="CollectSingleValued"/>), and where the next goes.</summary>
            public int InSegment, Filled;
            public int[]? SegmentDocs;
            public float[]? SegmentScores;
            /// <summary>Metric sub-aggregations computed while bucketing (a histogram's inline metrics).</summary>
            public MetricState[]? Metrics;
        }

        /// <summary>
        /// Collects a segment whose column holds one value a document at most: each position's bucket found first,
        /// then each bucket's documents laid out in arrays of the exact size, instead of lists grown document by document.
        /// </summary>
        public void CollectSingleValued(SegmentDocs segment, NumericColumn column, Func<long, TKey> key)
        {
            var values = column.Values;
            var present = column.Present;
            // Each position's bucket as its index in touched, plus one (0: no value): ints, not references, so
            // filling the array costs no write barriers.
            var assigned = keepDocs ? new int[segment.Count] : null;
            var touched = keepDocs ? new List<Bucket>() : null;
            for (var i = 0; i < segment.Count; i++)
            {
                var doc = segment.Docs[i];
                if (present is not null && !present[doc])
                    continue;
                var bucket = Find(key(values[doc]));
                bucket.Count++;
                if (assigned is null)
                    continue;
                if (bucket.InSegment++ == 0)
                {
                    touched!.Add(bucket);
                    bucket.Filled = touched.Count;   // its slot, until the documents are laid out
                }
                assigned[i] = bucket.Filled;
            }
            if (assigned is null)
                return;
            foreach (var bucket in touched!)
            {
                bucket.SegmentDocs = new int[bucket.InSegment];
                bucket.SegmentScores = new float[bucket.InSegment];
                bucket.Filled = 0;
            }
            for (var i = 0; i < assigned.Length; i++)
            {
                if (assigned[i] == 0)
                    continue;
                var bucket = touched[assigned[i] - 1];
                bucket.SegmentScores![bucket.Filled] = segment.Scores[i];
                bucket.SegmentDocs![bucket.Filled++] = segment.Docs[i];
            }
            foreach (var bucket in touched)
            {
                (bucket.Docs ??= []).Add(new SegmentDocs(segment.Index, segment.Leaf, bucket.SegmentDocs!, bucket.SegmentScores!, bucket.InSegment));
                bucket.SegmentDocs = null;
                bucket.SegmentScores = null;
                bucket.InSegment = 0;
            }
        }

        private TKey? _lastKey;
        private Bucket? _lastBucket;

        private Bucket Find(TKey key)
        {
            // Time series come clustered: most documents fall in the bucket of the one before.
            if (_lastBucket is not null && EqualityComparer<TKey>.Default.Equals(key, _lastKey))
                return _lastBucket;
            if (!Buckets.TryGetValue(key, out var bucket))
                Buckets[key] = bucket = new Bucket();
            _lastKey = key;
            _lastBucket = bucket;
            return bucket;
        }

        public Bucket Add(TKey key, int position)
        {
            var bucket = Find(key);
            bucket.Count++;
            if (keepDocs)
                (bucket.Positions ??= []).Add(position);
            return bucket;
        }

        /// <summary>Closes a segment: each bucket's positions in it become a sub-set of its documents.</summary>
        public void EndSegment(SegmentDocs segment)
        {
            if (!keepDocs)
                return;
            foreach (var bucket in Buckets.Values)
                if (bucket.Positions is { Count: > 0 } positions)
                {
                    (bucket.Docs ??= []).Add(segment.Subset(positions));
                    bucket.Positions = null;
                }
        }
    }

    /// <summary>Whether an earlier value of the same document falls in the same bucket (so the document is counted once).</summary>
    private static bool SeenBefore<TKey>(long[] values, int start, int index, Func<long, TKey> key)
    {
        if (index == start)
            return false;
        var mine = key(values[index]);
        for (var k = start; k < index; k++)
            if (EqualityComparer<TKey>.Default.Equals(key(values[k]), mine))
                return true;
        return false;
    }

    private static void AddSubs(JsonObject bucketJson, AggregationRequest request, List<SegmentDocs>? docs)
    {
        foreach (var sub in request.Subs)
            bucketJson[sub.Name] = RunOne(sub, docs ?? []);
    }

    // ---- terms

    private static JsonObject Terms(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        var field = FieldOf(request);
        var size = request.Body["size"]?.GetValue<int>() ?? 10;
        var minDocCount = request.Body["min_doc_count"]?.GetValue<long>() ?? 1;
        var mapped = Mapped(field, docs);
        var keepDocs = request.Subs.Count > 0;
        var set = new BucketSet<object>(keepDocs);
        foreach (var segment in docs)
        {
            var values = FieldValues.For(field, mapped, segment.Leaf.AtomicReader);
            if (values.IsKeyword)
            {
                // Count by ordinal first (an array index per value), then turn the ordinals used into terms once.
                var column = values.KeywordColumn!;
                var (offsets, ordinals) = (column.Offsets, column.Ordinals);
                var counts = new int[values.TermCount];
                for (var i = 0; i < segment.Count; i++)
                {
                    var doc = segment.Docs[i];
                    for (var j = offsets[doc]; j < offsets[doc + 1]; j++)
                        counts[ordinals[j]]++;
                }
                int[]?[]? docsByOrd = null;
                float[]?[]? scoresByOrd = null;
                if (keepDocs)
                {
                    // The counts give each term's share of the segment exactly: a second pass fills arrays of that size.
                    docsByOrd = new int[]?[counts.Length];
                    scoresByOrd = new float[]?[counts.Length];
                    for (var ord = 0; ord < counts.Length; ord++)
                        if (counts[ord] > 0)
                        {
                            docsByOrd[ord] = new int[counts[ord]];
                            scoresByOrd[ord] = new float[counts[ord]];
                        }
                    var filled = new int[counts.Length];
                    for (var i = 0; i < segment.Count; i++)
                    {
                        var doc = segment.Docs[i];
                        for (var j = offsets[doc]; j < offsets[doc + 1]; j++)
                        {
                            var ord = ordinals[j];
                            scoresByOrd[ord]![filled[ord]] = segment.Scores[i];
                            docsByOrd[ord]![filled[ord]++] = doc;
                        }
                    }
                }
                for (var ord = 0; ord < counts.Length; ord++)
                {
                    if (counts[ord] == 0)
                        continue;
                    var term = values.Term(ord);
                    if (!set.Buckets.TryGetValue(term, out var bucket))
                        set.Buckets[term] = bucket = new BucketSet<object>.Bucket();
                    bucket.Count += counts[ord];
                    if (docsByOrd is not null)
                        (bucket.Docs ??= []).Add(new SegmentDocs(segment.Index, segment.Leaf, docsByOrd[ord]!, scoresByOrd![ord]!, counts[ord]));
                }
            }
            else if (values.IsNumeric)
            {
                for (var i = 0; i < segment.Count; i++)
                {
                    var (array, start, end) = values.NumberRange(segment.Docs[i]);
                    for (var j = start; j < end; j++)
                        if (!SeenBefore(array, start, j, raw => raw))   // a document counts once per bucket
                            set.Add(values.Kind == FieldKind.Floating ? (object)values.ToNumber(array[j]) : array[j], i);
                }
                set.EndSegment(segment);
            }
        }
        var candidates = set.Buckets.Where(b => b.Value.Count >= minDocCount)
            .Select(b => new TermsBucket(b.Key, b.Value.Count, b.Value.Docs)).ToList();
        var criteria = OrderCriteria(request);
        if (criteria.Any(c => c.Key is not ("_count" or "_key" or "_term")))
        {
            // Ordered by a metric sub-aggregation: every bucket's sub-aggregations are needed to choose the top ones.
            foreach (var bucket in candidates)
            {
                bucket.Subs = new JsonObject();
                AddSubs(bucket.Subs, request, bucket.Docs);
            }
        }
        var ordered = Order(candidates, criteria, request);
        var buckets = new JsonArray();
        foreach (var bucket in ordered.Take(size))
        {
            var json = new JsonObject { ["key"] = KeyJson(bucket.Key) };
            if (mapped?.Kind == FieldKind.Date)
                json["key_as_string"] = DateFormats.Format((long)bucket.Key);
            else if (mapped?.Kind == FieldKind.Boolean)
                json["key_as_string"] = (long)bucket.Key == 1 ? "true" : "false";
            json["doc_count"] = bucket.Count;
            if (bucket.Subs is not null)
                foreach (var (name, value) in bucket.Subs.ToList())
                {
                    bucket.Subs.Remove(name);
                    json[name] = value;
                }
            else
                AddSubs(json, request, bucket.Docs);
            buckets.Add(json);
        }
        return new JsonObject
        {
            ["doc_count_error_upper_bound"] = 0,
            ["sum_other_doc_count"] = ordered.Skip(size).Sum(b => b.Count),
            ["buckets"] = buckets,
        };
    }

    private sealed class TermsBucket(object key, long count, List<SegmentDocs>? docs)
    {
        public object Key { get; } = key;
        public long Count { get; } = count;
        public List<SegmentDocs>? Docs { get; } = docs;
        public JsonObject? Subs { get; set; }
    }

    /// <summary>The <c>order</c> of a terms aggregation, ES's default (doc_count descending) when absent; key ascending breaks ties.</summary>
    private static List<(string Key, bool Descending)> OrderCriteria(AggregationRequest request)
    {
        var order = request.Body["order"] switch
        {
            JsonObject single => [single],
            JsonArray many => many.OfType<JsonObject>().ToList(),
            _ => new List<JsonObject>(),
        };
        var criteria = order.SelectMany(o => o).Select(p => (p.Key, Descending: p.Value?.ToString() == "desc")).ToList();
        if (criteria.Count == 0)
            criteria.Add(("_count", true));
        if (criteria.All(c => c.Key is not ("_key" or "_term")))
            criteria.Add(("_key", false));
        return criteria;
    }

    private static List<TermsBucket> Order(List<TermsBucket> buckets, List<(string Key, bool Descending)> criteria, AggregationRequest request)
    {
        IOrderedEnumerable<TermsBucket>? sorted = null;
        var comparer = Comparer<object?>.Create(CompareKeys);
        foreach (var (key, descending) in criteria)
        {
            Func<TermsBucket, object?> selector = key switch
            {
                "_count" => b => b.Count,
                "_key" or "_term" => b => b.Key,
                _ => MetricSelector(key, request),
            };
            sorted = sorted is null
                ? descending ? buckets.OrderByDescending(selector, comparer) : buckets.OrderBy(selector, comparer)
                : descending ? sorted.ThenByDescending(selector, comparer) : sorted.ThenBy(selector, comparer);
        }
        return sorted!.ToList();
    }

    /// <summary>
    /// Reads the value a bucket is ordered by from a single-value metric sub-aggregation (<c>"1"</c>) or one
    /// value of a stats sub-aggregation (<c>"s.avg"</c>).
    /// </summary>
    private static Func<TermsBucket, object?> MetricSelector(string path, AggregationRequest request)
    {
        var dot = path.IndexOf('.');
        var name = dot < 0 ? path : path[..dot];
        var sub = request.Subs.FirstOrDefault(s => s.Name == name);
        if (sub is null || !MetricTypes.Contains(sub.Type) || sub.Type == "top_hits" || (sub.Type == "stats") != (dot >= 0))
            throw new SearchException(400, "aggregation_execution_exception",
                $"Invalid aggregation order path [{path}]. Buckets can only be sorted on a sub-aggregator path that is built out of zero or more single-bucket aggregations within the path and a final single-bucket or a metrics aggregation at the path end.");
        var valueName = dot < 0 ? "value" : path[(dot + 1)..];
        return bucket => bucket.Subs![name]?[valueName] is JsonValue value ? value.GetValue<double>() : null;
    }

    /// <summary>Keys and metric values; a missing value (null) sorts after every value.</summary>
    private static int CompareKeys(object? x, object? y) => (x, y) switch
    {
        (null, null) => 0,
        (null, _) => 1,
        (_, null) => -1,
        (string a, string b) => string.CompareOrdinal(a, b),
        (long a, long b) => a.CompareTo(b),
        _ => Convert.ToDouble(x, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(y, CultureInfo.InvariantCulture)),
    };

    private static JsonNode? KeyJson(object key) => key switch
    {
        string s => JsonValue.Create(s),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        _ => JsonValue.Create(key.ToString()),
    };

    // ---- date_histogram and histogram

    /// <summary>
    /// Rounds an epoch-millis value down to its bucket: a fixed length or a calendar unit, on the wall clock of the
    /// request's <c>time_zone</c> (UTC by default), as ES does, so daylight-saving days are 23 or 25 hours long.
    /// </summary>
    internal sealed class DateRounding(long fixedMillis, char calendarUnit, long offset, TimeZoneInfo zone)
    {
        public TimeZoneInfo Zone => zone;

        public static DateRounding Parse(JsonObject body)
        {
            var offset = body["offset"] is { } o ? ParseDuration(o.ToString(), allowSign: true) : 0;
            var zone = body["time_zone"] is { } z ? ParseZone(z.ToString()) : TimeZoneInfo.Utc;
            if (body["calendar_interval"] is { } calendar)
                return new DateRounding(0, CalendarUnit(calendar.ToString()) ?? throw SearchException.BadRequest($"The supplied interval [{calendar}] could not be parsed as a calendar interval."), offset, zone);
            if (body["fixed_interval"] is { } fixedInterval)
                return new DateRounding(ParseDuration(fixedInterval.ToString(), allowSign: false), '\0', offset, zone);
            if (body["interval"] is { } legacy)   // ES 6's interval: calendar names and 1x units are calendar, the rest fixed
            {
                var text = legacy.ToString();
                return CalendarUnit(text) is { } unit && (!char.IsAsciiDigit(text[0]) || text.StartsWith("1", StringComparison.Ordinal) && text.Length == 2)
                    ? new DateRounding(0, unit, offset, zone)
                    : new DateRounding(ParseDuration(text, allowSign: false), '\0', offset, zone);
            }
            throw SearchException.BadRequest("Invalid interval specified, must be non-null and non-empty");
        }

        /// <summary>An offset (<c>+01:00</c>, <c>-08:00</c>), <c>UTC</c>/<c>Z</c>, or an IANA zone id (<c>Europe/Berlin</c>).</summary>
        public static TimeZoneInfo ParseZone(string text)
        {
            if (text is "UTC" or "Z" or "utc" or "GMT" or "+00:00" or "-00:00")
                return TimeZoneInfo.Utc;
            if (text.Length > 0 && text[0] is '+' or '-'
                && TimeSpan.TryParseExact(text[1..], ["hh\\:mm", "hhmm", "hh"], CultureInfo.InvariantCulture, out var span))
            {
                var offset = text[0] == '-' ? -span : span;
                return TimeZoneInfo.CreateCustomTimeZone(text, offset, text, text);
            }
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(text);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw SearchException.BadRequest($"Unknown time-zone ID: {text}");
            }
        }

        private static char? CalendarUnit(string text) => text switch
        {
            "second" or "1s" => 's',
            "minute" or "1m" => 'm',
            "hour" or "1h" => 'h',
            "day" or "1d" => 'd',
            "week" or "1w" => 'w',
            "month" or "1M" => 'M',
            "quarter" or "1q" => 'q',
            "year" or "1y" => 'y',
            _ => null,
        };

        public static long ParseDuration(string text, bool allowSign)
        {
            text = text.Trim();
            var sign = 1;
            if (allowSign && text.Length > 0 && text[0] is '+' or '-')
            {
                sign = text[0] == '-' ? -1 : 1;
                text = text[1..];
            }
            var unitStart = text.Length;
            while (unitStart > 0 && char.IsAsciiLetter(text[unitStart - 1]))
                unitStart--;
            if (!long.TryParse(text.AsSpan(0, unitStart), NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount <= 0 && !allowSign)
                throw SearchException.BadRequest($"failed to parse setting [date_histogram.fixedInterval] with value [{text}] as a time value: unit is missing or unrecognized");
            var millis = text[unitStart..] switch
            {
                "ms" => 1L,
                "s" => 1_000L,
                "m" => 60_000L,
                "h" => 3_600_000L,
                "d" => 86_400_000L,
                _ => throw SearchException.BadRequest($"failed to parse setting [date_histogram.fixedInterval] with value [{text}] as a time value: unit is missing or unrecognized"),
            };
            return sign * amount * millis;
        }

        /// <summary>Milliseconds of a wall-clock time counted as if it were UTC (so fixed intervals can divide it).</summary>
        private static long WallMillis(DateTime wall) => (wall.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

        private static DateTime FromWallMillis(long millis) => new(DateTime.UnixEpoch.Ticks + millis * TimeSpan.TicksPerMillisecond, DateTimeKind.Unspecified);

        private DateTime ToWall(long epochMillis) =>
            TimeZoneInfo.ConvertTimeFromUtc(DateTimeOffset.FromUnixTimeMilliseconds(epochMillis).UtcDateTime, zone);

        private long ToEpoch(DateTime wall)
        {
            while (zone.IsInvalidTime(wall))   // a wall time skipped by a daylight-saving jump: the bucket starts after it
                wall = wall.AddMinutes(1);
            return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(wall, DateTimeKind.Unspecified), zone)).ToUnixTimeMilliseconds();
        }

        private long _lastStart = long.MaxValue, _lastEnd = long.MinValue;

        /// <summary>
        /// The start of the bucket holding <paramref name="value"/>. Buckets are contiguous ranges, so the last one
        /// found answers every value inside it without time-zone arithmetic: time series arrive clustered.
        /// </summary>
        public long Round(long value)
        {
            if (value >= _lastStart && value < _lastEnd)
                return _lastStart;
            var start = RoundCore(value);
            _lastStart = start;
            _lastEnd = NextCore(start);
            return start;
        }

        private long RoundCore(long value)
        {
            var wall = WallMillis(ToWall(value)) - offset;
            if (calendarUnit == '\0')
                return ToEpoch(FromWallMillis((wall >= 0 ? wall / fixedMillis : (wall - fixedMillis + 1) / fixedMillis) * fixedMillis + offset));
            var time = FromWallMillis(wall);
            var floor = calendarUnit switch
            {
                's' => new DateTime(time.Year, time.Month, time.Day, time.Hour, time.Minute, time.Second),
                'm' => new DateTime(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0),
                'h' => new DateTime(time.Year, time.Month, time.Day, time.Hour, 0, 0),
                'd' => time.Date,
                'w' => time.Date.AddDays(-(((int)time.DayOfWeek + 6) % 7)),   // ISO weeks start on Monday
                'M' => new DateTime(time.Year, time.Month, 1),
                'q' => new DateTime(time.Year, (time.Month - 1) / 3 * 3 + 1, 1),
                _ => new DateTime(time.Year, 1, 1),
            };
            return ToEpoch(FromWallMillis(WallMillis(floor) + offset));
        }

        /// <summary>The key of the bucket after <paramref name="key"/> (for filling empty buckets).</summary>
        public long Next(long key) => NextCore(key);

        private long NextCore(long key)
        {
            var wall = ToWall(key);
            var next = calendarUnit switch
            {
                '\0' => wall.AddMilliseconds(fixedMillis),
                's' => wall.AddSeconds(1),
                'm' => wall.AddMinutes(1),
                'h' => wall.AddHours(1),
                'd' => wall.AddDays(1),
                'w' => wall.AddDays(7),
                'M' => wall.AddMonths(1),
                'q' => wall.AddMonths(3),
                _ => wall.AddYears(1),
            };
            // Sub-day units step in real time, so an hour repeated by a daylight-saving change is its own bucket.
            if (calendarUnit is '\0' or 's' or 'm' or 'h' && fixedMillis < 86_400_000)
                return RoundCore(key + (calendarUnit switch { '\0' => fixedMillis, 's' => 1_000, 'm' => 60_000, _ => 3_600_000 }));
            return RoundCore(ToEpoch(next));
        }

        /// <summary>key_as_string: ES's default format, with the zone's offset when it is not UTC.</summary>
        public string Format(long key)
        {
            if (zone == TimeZoneInfo.Utc)
                return DateFormats.Format(key);
            var offsetSpan = zone.GetUtcOffset(DateTimeOffset.FromUnixTimeMilliseconds(key));
            var local = DateTimeOffset.FromUnixTimeMilliseconds(key).ToOffset(offsetSpan);
            return local.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + (offsetSpan == TimeSpan.Zero ? "Z" : local.ToString("zzz", CultureInfo.InvariantCulture));
        }
    }

    private const int MaxBuckets = 65_536;   // ES's search.max_buckets

    private static readonly HashSet<string> InlineMetrics = ["avg", "sum", "min", "max", "value_count", "stats"];

    /// <summary>
    /// The columns of metric sub-aggregations a histogram can compute while it buckets (one value a document in every
    /// segment), or null when a sub-aggregation needs its bucket's documents. Saves laying the documents out per bucket.
    /// </summary>
    private static (AggregationRequest Request, FieldMapping? Mapped, NumericColumn?[] Columns)[]? InlineSubs(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        if (request.Subs.Count == 0 || request.Subs.Any(s => !InlineMetrics.Contains(s.Type) || s.Subs.Count > 0 || s.Body["field"] is null))
            return null;
        var subs = new (AggregationRequest, FieldMapping?, NumericColumn?[])[request.Subs.Count];
        for (var k = 0; k < subs.Length; k++)
        {
            var sub = request.Subs[k];
            var field = FieldOf(sub);
            var mapped = Mapped(field, docs);
            var columns = new NumericColumn?[docs.Count];
            for (var d = 0; d < docs.Count; d++)
            {
                var values = FieldValues.For(field, mapped, docs[d].Leaf.AtomicReader);
                if (values.IsKeyword || values.Column is { SingleValued: false })
                    return null;
                columns[d] = values.Column;
            }
            subs[k] = (sub, mapped, columns);
        }
        return subs;
    }

    private static JsonObject DateHistogram(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        var field = FieldOf(request);
        var rounding = DateRounding.Parse(request.Body);
        var minDocCount = request.Body["min_doc_count"]?.GetValue<long>() ?? 0;
        var mapped = Mapped(field, docs);
        var inline = InlineSubs(request, docs);
        var set = new BucketSet<long>(request.Subs.Count > 0 && inline is null);
        for (var d = 0; d < docs.Count; d++)
        {
            var segment = docs[d];
            var values = FieldValues.For(field, mapped, segment.Leaf.AtomicReader);
            if (!values.IsNumeric)
                continue;
            if (inline is not null)
                CollectWithMetrics(set, segment, values, rounding, inline, d);
            else if (values.Column is { SingleValued: true } column)
                set.CollectSingleValued(segment, column, rounding.Round);
            else
            {
                for (var i = 0; i < segment.Count; i++)
                {
                    var (array, start, end) = values.NumberRange(segment.Docs[i]);
                    for (var j = start; j < end; j++)
                        if (end - start == 1 || !SeenBefore(array, start, j, rounding.Round))   // the delegate only for arrays
                            set.Add(rounding.Round(array[j]), i);
                }
                set.EndSegment(segment);
            }
        }
        var keys = set.Buckets.Keys.ToList();
        if (request.Body["extended_bounds"] is JsonObject bounds)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (bounds["min"] is { } min)
                keys.Add(rounding.Round(min is JsonValue v && v.TryGetValue<long>(out var m) ? m : DateFormats.ParseMath(min.ToString(), now, false, field)));
            if (bounds["max"] is { } max)
                keys.Add(rounding.Round(max is JsonValue v && v.TryGetValue<long>(out var m) ? m : DateFormats.ParseMath(max.ToString(), now, false, field)));
        }
        var buckets = new JsonArray();
        if (keys.Count > 0)
        {
            var (first, last) = (keys.Min(), keys.Max());
            var emitted = 0;
            // With min_doc_count 0 (the default) every bucket between the first and the last is shown, empty or not.
            for (var key = first; key <= last; key = minDocCount == 0 ? Math.Max(rounding.Next(key), key + 1) : NextKey(set.Buckets.Keys, key))
            {
                var bucket = set.Buckets.GetValueOrDefault(key);
                if ((bucket?.Count ?? 0) >= minDocCount)
                {
                    if (++emitted > MaxBuckets)
                        throw new SearchException(400, "too_many_buckets_exception", $"Trying to create too many buckets. Must be less than or equal to: [{MaxBuckets}].");
                    var json = new JsonObject { ["key_as_string"] = rounding.Format(key), ["key"] = key, ["doc_count"] = bucket?.Count ?? 0 };
                    if (inline is not null)
                        for (var k = 0; k < inline.Length; k++)
                            json[inline[k].Request.Name] = MetricJson(inline[k].Request.Type, inline[k].Mapped, bucket?.Metrics?[k] ?? MetricState.Empty);
                    else
                        AddSubs(json, request, bucket?.Docs);
                    buckets.Add(json);
                }
                if (key == long.MaxValue)
                    break;
            }
        }
        return new JsonObject { ["buckets"] = buckets };
    }

    /// <summary>Buckets a segment's documents and feeds each one's values to its bucket's metrics in the same pass.</summary>
    private static void CollectWithMetrics(BucketSet<long> set, SegmentDocs segment, FieldValues values,
        DateRounding rounding, (AggregationRequest Request, FieldMapping? Mapped, NumericColumn?[] Columns)[] subs, int segmentIndex)
    {
        var columns = subs.Select(s => s.Columns[segmentIndex]).ToArray();
        var floating = subs.Select(s => s.Mapped?.Kind == FieldKind.Floating).ToArray();
        Func<long, long> round = rounding.Round;
        for (var i = 0; i < segment.Count; i++)
        {
            var doc = segment.Docs[i];
            var (array, start, end) = values.NumberRange(doc);
            for (var j = start; j < end; j++)
            {
                if (end - start > 1 && SeenBefore(array, start, j, round))
                    continue;
                var bucket = set.Add(rounding.Round(array[j]), i);
                var metrics = bucket.Metrics ??= NewMetrics(subs.Length);
                for (var k = 0; k < columns.Length; k++)
                {
                    var column = columns[k];
                    if (column is null || column.Present is { } present && !present[doc])
                        continue;
                    var raw = column.Values[doc];
                    metrics[k].Add(floating[k] ? BitConverter.Int64BitsToDouble(raw) : raw);
                }
            }
        }
    }

    private static MetricState[] NewMetrics(int count)
    {
        var metrics = new MetricState[count];
        metrics.AsSpan().Fill(MetricState.Empty);
        return metrics;
    }

    private static long NextKey(IEnumerable<long> keys, long after) => keys.Where(k => k > after).DefaultIfEmpty(long.MaxValue).Min();

    private static JsonObject Histogram(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        var field = FieldOf(request);
        var interval = request.Body["interval"]?.GetValue<double>() ?? throw SearchException.BadRequest("[interval] must be >0 for histogram aggregation [" + request.Name + "]");
        if (interval <= 0)
            throw SearchException.BadRequest("[interval] must be >0 for histogram aggregation [" + request.Name + "]");
        var offset = request.Body["offset"]?.GetValue<double>() ?? 0;
        var minDocCount = request.Body["min_doc_count"]?.GetValue<long>() ?? 0;
        var mapped = Mapped(field, docs);
        var set = new BucketSet<double>(request.Subs.Count > 0);
        foreach (var segment in docs)
        {
            var values = FieldValues.For(field, mapped, segment.Leaf.AtomicReader);
            if (!values.IsNumeric)
                continue;
            double Key(long raw) => Math.Floor((values.ToNumber(raw) - offset) / interval) * interval + offset;
            for (var i = 0; i < segment.Count; i++)
            {
                var (array, start, end) = values.NumberRange(segment.Docs[i]);
                for (var j = start; j < end; j++)
                    if (end - start == 1 || !SeenBefore(array, start, j, Key))
                        set.Add(Key(array[j]), i);
            }
            set.EndSegment(segment);
        }
        var buckets = new JsonArray();
        if (set.Buckets.Count > 0)
        {
            var sortedKeys = set.Buckets.Keys.Order().ToList();
            var keys = minDocCount == 0
                ? Enumerable.Range(0, (int)Math.Min(MaxBuckets, Math.Round((sortedKeys[^1] - sortedKeys[0]) / interval) + 1)).Select(i => sortedKeys[0] + i * interval)
                : sortedKeys;
            foreach (var key in keys)
            {
                var bucket = set.Buckets.GetValueOrDefault(key);
                if ((bucket?.Count ?? 0) < minDocCount)
                    continue;
                var json = new JsonObject { ["key"] = key, ["doc_count"] = bucket?.Count ?? 0 };
                AddSubs(json, request, bucket?.Docs);
                buckets.Add(json);
            }
        }
        return new JsonObject { ["buckets"] = buckets };
    }

    // ---- single-bucket and range aggregations

    /// <summary>The documents that also match <paramref name="query"/>, walking each segment's matches and the query's doc id set together.</summary>
    private static List<SegmentDocs> Matching(JsonNode query, IReadOnlyList<SegmentDocs> docs)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var filters = new Dictionary<SearchIndex, Lucene.Net.Search.Filter>();
        var result = new List<SegmentDocs>();
        foreach (var segment in docs)
        {
            if (!filters.TryGetValue(segment.Index, out var filter))
                filters[segment.Index] = filter = new Lucene.Net.Search.QueryWrapperFilter(new QueryTranslator(segment.Index.Mapping, now).Translate(query));
            var iterator = filter.GetDocIdSet(segment.Leaf, null)?.GetIterator();
            if (iterator is null)
                continue;
            var positions = new List<int>();
            var current = -1;
            for (var i = 0; i < segment.Count && current != Lucene.Net.Search.DocIdSetIterator.NO_MORE_DOCS; i++)
            {
                var doc = segment.Docs[i];   // ascending: collected in order
                if (current < doc)
                    current = iterator.Advance(doc);
                if (current == doc)
                    positions.Add(i);
            }
            if (positions.Count > 0)
                result.Add(segment.Subset(positions));
        }
        return result;
    }

    private static JsonObject SingleBucket(AggregationRequest request, List<SegmentDocs> docs)
    {
        var json = new JsonObject { ["doc_count"] = docs.Sum(d => (long)d.Count) };
        AddSubs(json, request, docs);
        return json;
    }

    private static JsonObject Filter(AggregationRequest request, IReadOnlyList<SegmentDocs> docs) =>
        SingleBucket(request, Matching(request.Body, docs));

    /// <summary>Named filters give keyed buckets (an object), a list of filters an array, as in ES.</summary>
    private static JsonObject Filters(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        switch (request.Body["filters"])
        {
            case JsonObject named:
                var keyed = new JsonObject();
                foreach (var (name, query) in named)
                    keyed[name] = SingleBucket(request, Matching(query!, docs));
                return new JsonObject { ["buckets"] = keyed };
            case JsonArray list:
                return new JsonObject { ["buckets"] = new JsonArray(list.Select(query => (JsonNode)SingleBucket(request, Matching(query!, docs))).ToArray()) };
            default:
                throw SearchException.Parsing($"[filters] aggregation [{request.Name}] needs a [filters] object or array");
        }
    }

    private static JsonObject Missing(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        var field = FieldOf(request);
        var mapped = Mapped(field, docs);
        var missing = new List<SegmentDocs>();
        foreach (var segment in docs)
        {
            var values = FieldValues.For(field, mapped, segment.Leaf.AtomicReader);
            var positions = new List<int>();
            for (var i = 0; i < segment.Count; i++)
                if (values.ValueCount(segment.Docs[i]) == 0)
                    positions.Add(i);
            if (positions.Count > 0)
                missing.Add(segment.Subset(positions));
        }
        return SingleBucket(request, missing);
    }

    /// <summary>Buckets <c>[from, to)</c> over a numeric field, keyed <c>"from-to"</c> with <c>*</c> for an open end, as ES names them.</summary>
    private static JsonObject Range(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        var field = FieldOf(request);
        var mapped = Mapped(field, docs);
        var ranges = (request.Body["ranges"] as JsonArray ?? throw SearchException.BadRequest($"No [ranges] specified for the [{request.Name}] aggregation"))
            .OfType<JsonObject>()
            .Select(r => (Key: r["key"]?.ToString(), From: r["from"]?.GetValue<double>(), To: r["to"]?.GetValue<double>()))
            .ToList();
        var positions = ranges.Select(_ => new List<SegmentDocs>()).ToList();
        foreach (var segment in docs)
        {
            var values = FieldValues.For(field, mapped, segment.Leaf.AtomicReader);
            var inSegment = ranges.Select(_ => new List<int>()).ToList();
            for (var i = 0; i < segment.Count; i++)
            {
                var (array, start, end) = values.NumberRange(segment.Docs[i]);
                for (var r = 0; r < ranges.Count; r++)   // ranges may overlap: a document counts in each that holds a value of it
                    for (var j = start; j < end; j++)
                    {
                        var value = values.ToNumber(array[j]);
                        if ((ranges[r].From is not { } from || value >= from) && (ranges[r].To is not { } to || value < to))
                        {
                            inSegment[r].Add(i);
                            break;
                        }
                    }
            }
            for (var r = 0; r < ranges.Count; r++)
                if (inSegment[r].Count > 0)
                    positions[r].Add(segment.Subset(inSegment[r]));
        }
        var buckets = new JsonArray();
        for (var r = 0; r < ranges.Count; r++)
        {
            var (key, from, to) = ranges[r];
            var json = new JsonObject { ["key"] = key ?? $"{JavaDouble(from)}-{JavaDouble(to)}" };
            if (from is not null)
                json["from"] = from;
            if (to is not null)
                json["to"] = to;
            json["doc_count"] = positions[r].Sum(d => (long)d.Count);
            AddSubs(json, request, positions[r]);
            buckets.Add(json);
        }
        return new JsonObject { ["buckets"] = buckets };
    }

    /// <summary>A bound as ES prints it in range keys: Java's Double.toString ("100.0"), "*" when open.</summary>
    private static string JavaDouble(double? value) => value switch
    {
        null => "*",
        { } v when v == Math.Floor(v) && Math.Abs(v) < 1e7 => v.ToString("0.0", CultureInfo.InvariantCulture),
        { } v => v.ToString("R", CultureInfo.InvariantCulture),
    };

    // ---- metrics

    private static JsonObject Metric(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        var field = FieldOf(request);
        var mapped = Mapped(field, docs);
        long count = 0;
        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        // Exact distinct counts (ES's estimate is exact up to its precision threshold): numbers by their raw
        // longs, keywords by term, each segment's ordinals marked first so a term is decoded once per segment.
        var cardinality = request.Type == "cardinality";
        var distinctNumbers = cardinality ? new HashSet<long>(docs.Sum(d => d.Count)) : null;
        var distinctTerms = cardinality ? new HashSet<string>(StringComparer.Ordinal) : null;
        foreach (var segment in docs)
        {
            var values = FieldValues.For(field, mapped, segment.Leaf.AtomicReader);
            if (values.Column is { SingleValued: true } column)
            {
                // The common case read straight from the column: one value a document at most.
                var raw = column.Values;
                var present = column.Present;
                var floating = values.Kind == FieldKind.Floating;
                for (var i = 0; i < segment.Count; i++)
                {
                    var doc = segment.Docs[i];
                    if (present is not null && !present[doc])
                        continue;
                    var value = floating ? BitConverter.Int64BitsToDouble(raw[doc]) : raw[doc];
                    count++;
                    sum += value;
                    min = Math.Min(min, value);
                    max = Math.Max(max, value);
                    distinctNumbers?.Add(raw[doc]);
                }
                continue;
            }
            var ordinalsSeen = cardinality && values.IsKeyword ? new bool[values.TermCount] : null;
            for (var i = 0; i < segment.Count; i++)
            {
                var doc = segment.Docs[i];
                if (values.IsNumeric)
                {
                    var (array, start, end) = values.NumberRange(doc);
                    for (var j = start; j < end; j++)   // every value of an array counts, as in ES
                    {
                        var value = values.ToNumber(array[j]);
                        count++;
                        sum += value;
                        min = Math.Min(min, value);
                        max = Math.Max(max, value);
                        distinctNumbers?.Add(array[j]);
                    }
                }
                else if (values.IsKeyword)
                {
                    if (request.Type is not ("value_count" or "cardinality"))
                        throw SearchException.BadRequest($"Field [{field}] of type [{mapped?.Type}] is not supported for aggregation [{request.Type}]");
                    var (start, end) = values.OrdinalRange(doc);
                    count += end - start;
                    if (ordinalsSeen is not null)
                        for (var j = start; j < end; j++)
                            ordinalsSeen[values.OrdinalAt(j)] = true;
                }
            }
            if (ordinalsSeen is not null)
                for (var ord = 0; ord < ordinalsSeen.Length; ord++)
                    if (ordinalsSeen[ord])
                        distinctTerms!.Add(values.Term(ord));
        }
        return MetricJson(request.Type, mapped, new MetricState(count, sum, min, max), distinctNumbers?.Count + distinctTerms?.Count);
    }

    /// <summary>What a numeric metric aggregation has gathered: count, sum, min and max of the values it saw.</summary>
    private record struct MetricState(long Count, double Sum, double Min, double Max)
    {
        public static MetricState Empty => new(0, 0, double.PositiveInfinity, double.NegativeInfinity);

        public void Add(double value)
        {
            Count++;
            Sum += value;
            Min = Math.Min(Min, value);
            Max = Math.Max(Max, value);
        }
    }

    /// <summary>A metric aggregation's result as ES writes it (dates with value_as_string).</summary>
    private static JsonObject MetricJson(string type, FieldMapping? mapped, MetricState state, int? distinct = null)
    {
        var (count, sum, min, max) = state;
        var isDate = mapped?.Kind == FieldKind.Date;
        JsonObject Value(double? value)
        {
            var json = new JsonObject { ["value"] = value };
            if (isDate && value is { } v)
                json["value_as_string"] = DateFormats.Format((long)v);
            return json;
        }
        return type switch
        {
            "avg" => Value(count == 0 ? null : sum / count),
            "sum" => new JsonObject { ["value"] = sum },
            "min" => Value(count == 0 ? null : min),
            "max" => Value(count == 0 ? null : max),
            "value_count" => new JsonObject { ["value"] = count },
            "cardinality" => new JsonObject { ["value"] = distinct ?? 0 },
            _ => new JsonObject   // stats
            {
                ["count"] = count,
                ["min"] = count == 0 ? null : min,
                ["max"] = count == 0 ? null : max,
                ["avg"] = count == 0 ? null : sum / count,
                ["sum"] = sum,
            },
        };
    }

    private static JsonObject TopHits(AggregationRequest request, IReadOnlyList<SegmentDocs> docs)
    {
        var size = request.Body["size"]?.GetValue<int>() ?? 3;
        var from = request.Body["from"]?.GetValue<int>() ?? 0;
        var sort = SortSpec.Parse(request.Body["sort"]);
        var source = SourceFilter.Parse(request.Body["_source"]);
        var hits = new JsonArray();
        foreach (var hit in SearchExecutor.SelectHits(docs, sort, from, size))
            hits.Add(SearchExecutor.HitJson(hit, source, sort));
        float? maxScore = sort.Count == 0 && docs.Count > 0 ? docs.Max(s => s.Scores.Take(s.Count).DefaultIfEmpty(0).Max()) : null;
        return new JsonObject
        {
            ["hits"] = new JsonObject
            {
                ["total"] = new JsonObject { ["value"] = docs.Sum(d => (long)d.Count), ["relation"] = "eq" },
                ["max_score"] = maxScore,
                ["hits"] = hits,
            },
        };
    }
}
