using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Beltline.Search;

/// <summary>
/// Numbers, dates and booleans are indexed as doc values only (ES's <c>index: false</c> with doc values): Lucene 4's
/// trie terms cost four terms a value and made indexing several times slower. Queries on them scan the segment's
/// cached column (<see cref="ColumnCache"/>), as ES's doc-values query does; a scan of a million values is a millisecond.
/// </summary>
internal sealed class NumericColumnFilter(string field, FieldMapping mapped, Func<long, bool> matches, string description) : Filter
{
    /// <summary>Documents with a value in <c>[min, max]</c> (raw longs: integers, dates, booleans as 0/1).</summary>
    public static Query Range(string field, FieldMapping mapped, long? min, long? max)
    {
        var low = min ?? long.MinValue;
        var high = max ?? long.MaxValue;
        return new ConstantScoreQuery(new NumericColumnFilter(field, mapped, raw => raw >= low && raw <= high, $"{field}:[{min}..{max}]"));
    }

    /// <summary>Documents with a floating value between the bounds, each inclusive or not.</summary>
    public static Query Range(string field, FieldMapping mapped, double? min, double? max, bool includeMin, bool includeMax)
    {
        var low = min ?? double.NegativeInfinity;
        var high = max ?? double.PositiveInfinity;
        return new ConstantScoreQuery(new NumericColumnFilter(field, mapped, raw =>
        {
            var value = BitConverter.Int64BitsToDouble(raw);
            return (includeMin ? value >= low : value > low) && (includeMax ? value <= high : value < high);
        }, $"{field}:{(includeMin ? '[' : '{')}{min}..{max}{(includeMax ? ']' : '}')}"));
    }

    /// <summary>Documents with any value in the field.</summary>
    public static Query Exists(string field, FieldMapping mapped) =>
        new ConstantScoreQuery(new NumericColumnFilter(field, mapped, _ => true, $"exists:{field}"));

    public override DocIdSet? GetDocIdSet(AtomicReaderContext context, IBits? acceptDocs)
    {
        var values = FieldValues.For(field, mapped, context.AtomicReader);
        if (!values.IsNumeric)
            return null;   // no document of this segment has the field
        var maxDoc = context.AtomicReader.MaxDoc;
        var matched = new FixedBitSet(maxDoc);
        for (var doc = 0; doc < maxDoc; doc++)
        {
            if (acceptDocs is not null && !acceptDocs.Get(doc))
                continue;
            var (array, start, end) = values.NumberRange(doc);
            for (var i = start; i < end; i++)
                if (matches(array[i]))
                {
                    matched.Set(doc);
                    break;
                }
        }
        return matched;
    }

    public override string ToString() => description;
}

/// <summary>Documents with any term in a keyword field, read from its SortedSet doc values (ES's exists on a keyword).</summary>
internal sealed class KeywordExistsFilter(string field, FieldMapping mapped) : Filter
{
    public override DocIdSet? GetDocIdSet(AtomicReaderContext context, IBits? acceptDocs)
    {
        var values = FieldValues.For(field, mapped, context.AtomicReader);
        if (!values.IsKeyword)
            return null;
        var maxDoc = context.AtomicReader.MaxDoc;
        var matched = new FixedBitSet(maxDoc);
        for (var doc = 0; doc < maxDoc; doc++)
        {
            var (start, end) = values.OrdinalRange(doc);
            if (end > start && (acceptDocs is null || acceptDocs.Get(doc)))
                matched.Set(doc);
        }
        return matched;
    }

    public override string ToString() => $"exists:{field}";
}
