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
/// NumericDocValues (doubles as their IEEE bits), keywords from SortedSetDocValues (ordinals into the segment's
/// sorted terms). Text fields have none, so sorting or aggregating on them is refused as in ES.
/// </summary>
internal sealed class FieldValues
{
    private readonly NumericDocValues? _numbers;
    private readonly IBits? _hasNumber;
    private readonly SortedSetDocValues? _keywords;
    private readonly BytesRef _scratch = new();

    public FieldKind Kind { get; }
    public bool IsNumeric => _numbers is not null;
    public bool IsKeyword => _keywords is not null;
    public SortedSetDocValues? Keywords => _keywords;

    private FieldValues(FieldKind kind, NumericDocValues? numbers, IBits? hasNumber, SortedSetDocValues? keywords)
    {
        Kind = kind;
        _numbers = numbers;
        _hasNumber = hasNumber;
        _keywords = keywords;
    }

    /// <summary>The reader for a field of this segment; a field without values here reads as missing everywhere.</summary>
    public static FieldValues For(string field, FieldMapping? mapped, AtomicReader reader)
    {
        if (mapped is null)
            return new FieldValues(FieldKind.Keyword, null, null, null);
        return mapped.Kind switch
        {
            FieldKind.Text => throw FielddataDisabled(field),
            FieldKind.Keyword => new FieldValues(FieldKind.Keyword, null, null, reader.GetSortedSetDocValues(field)),
            FieldKind.Object => new FieldValues(FieldKind.Object, null, null, null),
            _ => reader.GetNumericDocValues(field) is { } numbers
                ? new FieldValues(mapped.Kind, numbers, reader.GetDocsWithField(field), null)
                : new FieldValues(mapped.Kind, null, null, null),
        };
    }

    public static SearchException FielddataDisabled(string field) => SearchException.BadRequest(
        $"Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [{field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.");

    public bool HasNumber(int doc) => _numbers is not null && (_hasNumber is null || _hasNumber.Get(doc));

    /// <summary>The raw stored long (a double's bits for floating fields).</summary>
    public long RawNumber(int doc) => _numbers!.Get(doc);

    public double Number(int doc) => Kind == FieldKind.Floating ? BitConverter.Int64BitsToDouble(_numbers!.Get(doc)) : _numbers!.Get(doc);

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

    /// <summary>The keyword terms of a document, smallest first.</summary>
    public IEnumerable<long> Ordinals(int doc)
    {
        if (_keywords is null)
            yield break;
        _keywords.SetDocument(doc);
        for (var ord = _keywords.NextOrd(); ord != SortedSetDocValues.NO_MORE_ORDS; ord = _keywords.NextOrd())
            yield return ord;
    }

    public string Term(long ord)
    {
        _keywords!.LookupOrd(ord, _scratch);
        return _scratch.Utf8ToString();
    }

    /// <summary>How many values the document has (0 or 1 for numbers).</summary>
    public int ValueCount(int doc)
    {
        if (_keywords is not null)
        {
            var count = 0;
            _keywords.SetDocument(doc);
            while (_keywords.NextOrd() != SortedSetDocValues.NO_MORE_ORDS)
                count++;
            return count;
        }
        return HasNumber(doc) ? 1 : 0;
    }
}
