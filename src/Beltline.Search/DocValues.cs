using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Util;

namespace Beltline.Search;

/// <summary>The documents of one segment that matched, with their scores: what hits and aggregations work on.</summary>
public sealed class SegmentDocs(SearchIndex index, AtomicReaderContext leaf, int[] docs, float[] scores, int count)
{
    public SearchIndex Index { get; } = index;
    public AtomicReaderContext Leaf { get; } = leaf;
    public int[] Docs { get; } = docs;
    public float[] Scores { get; } = scores;
    public int Count { get; } = count;

    /// <summary>The documents at the given positions (a bucket's share of this segment).</summary>
    public SegmentDocs Subset(List<int> positions)
    {
        var docs = new int[positions.Count];
        var scores = new float[positions.Count];
        for (var i = 0; i < positions.Count; i++)
        {
            docs[i] = Docs[positions[i]];
            scores[i] = Scores[positions[i]];
        }
        return new SegmentDocs(Index, Leaf, docs, scores, docs.Length);
    }
}

/// <summary>
/// A field's per-document values in one segment, read from doc values: numbers, dates and booleans from
/// SortedSet doc values of 8 sortable bytes (doubles as their IEEE bits), keywords from SortedSetDocValues (ordinals into the segment's
/// sorted terms). Text fields have none, so sorting or aggregating on them is refused as in ES.
/// Decoding Lucene.Net's packed doc values costs tens of nanoseconds a value, so the first read of a field in a
/// segment copies its column into plain arrays (<see cref="ColumnCache"/>), kept as long as the segment lives:
/// segments never change, and aggregations then read arrays.
/// </summary>
internal sealed class FieldValues
{
    private readonly NumericColumn? _numbers;
    private readonly KeywordColumn? _keywords;
    private readonly SortedSetDocValues? _terms;
    private readonly BytesRef _scratch = new();

    public FieldKind Kind { get; }
    public bool IsNumeric => _numbers is not null;
    public bool IsKeyword => _keywords is not null;

    private FieldValues(FieldKind kind, NumericColumn? numbers, KeywordColumn? keywords, SortedSetDocValues? terms)
    {
        Kind = kind;
        _numbers = numbers;
        _keywords = keywords;
        _terms = terms;
    }

    /// <summary>The reader for a field of this segment; a field without values here reads as missing everywhere.</summary>
    public static FieldValues For(string field, FieldMapping? mapped, AtomicReader reader)
    {
        if (mapped is null)
            return new FieldValues(FieldKind.Keyword, null, null, null);
        switch (mapped.Kind)
        {
            case FieldKind.Text:
                throw FielddataDisabled(field);
            case FieldKind.Keyword:
                var terms = reader.GetSortedSetDocValues(field);
                return terms is null
                    ? new FieldValues(FieldKind.Keyword, null, null, null)
                    : new FieldValues(FieldKind.Keyword, null, ColumnCache.Keywords(reader, field, terms), terms);
            case FieldKind.Object:
                return new FieldValues(FieldKind.Object, null, null, null);
            default:
                return new FieldValues(mapped.Kind, ColumnCache.Numbers(reader, field), null, null);
        }
    }

    public static SearchException FielddataDisabled(string field) => SearchException.BadRequest(
        $"Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [{field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.");

    /// <summary>The keyword column itself, for loops that read it directly.</summary>
    public KeywordColumn? KeywordColumn => _keywords;

    /// <summary>The numeric column itself, for loops that read it directly.</summary>
    public NumericColumn? Column => _numbers;

    public bool HasNumber(int doc) => _numbers is not null && _numbers.Has(doc);

    /// <summary>The raw stored long (a double's bits for floating fields).</summary>
    public long RawNumber(int doc) => _numbers!.Values[doc];

    public double Number(int doc) => Kind == FieldKind.Floating ? BitConverter.Int64BitsToDouble(_numbers!.Values[doc]) : _numbers!.Values[doc];

    /// <summary>Every value of the document: <c>Array[Start..End]</c>, raw (a double's bits for floating fields).</summary>
    public (long[] Array, int Start, int End) NumberRange(int doc) => _numbers is null ? ([], 0, 0) : _numbers.Range(doc);

    public double ToNumber(long raw) => Kind == FieldKind.Floating ? BitConverter.Int64BitsToDouble(raw) : raw;

    public bool TryNumber(int doc, out double value)
    {
        if (HasNumber(doc))
        {
            value = Number(doc);
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>How many distinct terms the field has in this segment (ordinals run from 0 to this − 1).</summary>
    public int TermCount => _keywords?.TermCount ?? 0;

    /// <summary>Where a document's ordinals are in <see cref="OrdinalAt"/>: <c>[start, end)</c>, smallest term first.</summary>
    public (int Start, int End) OrdinalRange(int doc) => _keywords is null ? (0, 0) : (_keywords.Offsets[doc], _keywords.Offsets[doc + 1]);

    public int OrdinalAt(int index) => _keywords!.Ordinals[index];

    /// <summary>The keyword terms of a document, smallest first.</summary>
    public IEnumerable<long> Ordinals(int doc)
    {
        var (start, end) = OrdinalRange(doc);
        for (var i = start; i < end; i++)
            yield return _keywords!.Ordinals[i];
    }

    public string Term(long ord)
    {
        _terms!.LookupOrd(ord, _scratch);
        return _scratch.Utf8ToString();
    }

    /// <summary>How many values the document has (0 or 1 for numbers).</summary>
    public int ValueCount(int doc)
    {
        if (_keywords is not null)
            return _keywords.Offsets[doc + 1] - _keywords.Offsets[doc];
        var (_, start, end) = NumberRange(doc);
        return end - start;
    }
}

/// <summary>
/// A numeric doc-values column as arrays: the first value per document and, unless every document has one, which
/// do; when some document holds an array, every value too (<c>All[Offsets[doc]..Offsets[doc + 1]]</c>).
/// </summary>
internal sealed class NumericColumn(long[] values, bool[]? present, int[]? offsets, long[]? all)
{
    public long[] Values { get; } = values;
    /// <summary>Which documents have a value; null when all do.</summary>
    public bool[]? Present { get; } = present;
    /// <summary>No document holds an array: <see cref="Values"/> is every value.</summary>
    public bool SingleValued => all is null;
    public bool Has(int doc) => Present is null || Present[doc];

    /// <summary>The array and the range in it holding the document's values.</summary>
    public (long[] Array, int Start, int End) Range(int doc) =>
        all is not null ? (all, offsets![doc], offsets[doc + 1])
        : Has(doc) ? (Values, doc, doc + 1) : (Values, doc, doc);
}

/// <summary>A SortedSet doc-values column as arrays: each document's ordinals at <c>Ordinals[Offsets[doc]..Offsets[doc + 1]]</c>.</summary>
internal sealed class KeywordColumn(int[] offsets, int[] ordinals, int termCount)
{
    public int[] Offsets { get; } = offsets;
    public int[] Ordinals { get; } = ordinals;
    public int TermCount { get; } = termCount;
}

/// <summary>
/// Columns per segment core and field, built once from doc values. Keyed weakly by the segment's core: when
/// a merge retires a segment and its readers close, its columns go with it.
/// </summary>
internal static class ColumnCache
{
    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<string, object>> Columns = new();

    private static ConcurrentDictionary<string, object> For(AtomicReader reader) =>
        Columns.GetValue(reader.CoreCacheKey, _ => new ConcurrentDictionary<string, object>(StringComparer.Ordinal));

    /// <summary>Whether the field's column of this segment is built already (for tests of the warmer).</summary>
    internal static bool IsBuilt(AtomicReader reader, string field) => For(reader).ContainsKey(field);

    public static NumericColumn? Numbers(AtomicReader reader, string field)
    {
        var columns = For(reader);
        if (columns.TryGetValue(field, out var cached))
            return cached as NumericColumn;
        var docValues = reader.GetSortedSetDocValues(field);
        if (docValues is null)
            return null;   // not cached: a later segment state never adds values to this core
        // Each distinct value once, by ordinal; then each document's ordinals turned into values.
        var distinct = new long[docValues.ValueCount];
        var terms = docValues.GetTermsEnum();
        for (var ord = 0; terms.MoveNext(); ord++)
            distinct[ord] = DocumentMapper.ReadSortable(terms.Term);
        var maxDoc = reader.MaxDoc;
        var values = new long[maxDoc];
        bool[]? present = null;
        var multiValued = false;
        for (var doc = 0; doc < maxDoc; doc++)
        {
            docValues.SetDocument(doc);
            var ord = docValues.NextOrd();
            if (ord == SortedSetDocValues.NO_MORE_ORDS)
            {
                present ??= NewPresence(maxDoc, doc);
                present[doc] = false;
                continue;
            }
            values[doc] = distinct[ord];
            if (present is not null)
                present[doc] = true;
            multiValued |= docValues.NextOrd() != SortedSetDocValues.NO_MORE_ORDS;
        }
        int[]? offsets = null;
        long[]? all = null;
        if (multiValued)
        {
            // Some document holds an array: lay every document's values out end to end.
            offsets = new int[maxDoc + 1];
            var list = new List<long>(maxDoc);
            for (var doc = 0; doc < maxDoc; doc++)
            {
                offsets[doc] = list.Count;
                docValues.SetDocument(doc);
                for (var ord = docValues.NextOrd(); ord != SortedSetDocValues.NO_MORE_ORDS; ord = docValues.NextOrd())
                    list.Add(distinct[ord]);
            }
            offsets[maxDoc] = list.Count;
            all = list.ToArray();
        }
        return (NumericColumn)columns.GetOrAdd(field, new NumericColumn(values, present, offsets, all));
    }

    /// <summary>Presence flags, true for the documents before <paramref name="firstMissing"/> (all had a value).</summary>
    private static bool[] NewPresence(int maxDoc, int firstMissing)
    {
        var present = new bool[maxDoc];
        present.AsSpan(0, firstMissing).Fill(true);
        return present;
    }

    public static KeywordColumn Keywords(AtomicReader reader, string field, SortedSetDocValues docValues)
    {
        var columns = For(reader);
        if (columns.TryGetValue(field, out var cached) && cached is KeywordColumn column)
            return column;
        var maxDoc = reader.MaxDoc;
        var offsets = new int[maxDoc + 1];
        var ordinals = new List<int>(maxDoc);
        for (var doc = 0; doc < maxDoc; doc++)
        {
            offsets[doc] = ordinals.Count;
            docValues.SetDocument(doc);
            for (var ord = docValues.NextOrd(); ord != SortedSetDocValues.NO_MORE_ORDS; ord = docValues.NextOrd())
                ordinals.Add((int)ord);
        }
        offsets[maxDoc] = ordinals.Count;
        return (KeywordColumn)columns.GetOrAdd(field, new KeywordColumn(offsets, ordinals.ToArray(), (int)docValues.ValueCount));
    }
}

/// <summary>Builds the doc-value columns of every mapped keyword and numeric field for a newly merged segment.</summary>
internal sealed class ColumnWarmer(Func<IndexMapping> mapping) : IndexWriter.IndexReaderWarmer
{
    public override void Warm(AtomicReader reader)
    {
        foreach (var (field, mapped) in mapping().Leaves)
            if (mapped.Kind is not (FieldKind.Text or FieldKind.Object))
                FieldValues.For(field, mapped, reader);
    }
}
