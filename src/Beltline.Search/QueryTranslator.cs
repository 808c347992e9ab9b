using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Beltline.Search;

/// <summary>
/// The Elasticsearch query DSL (the part Beltline serves) translated into Lucene queries against one index's
/// mapping: match_all, match_none, match, match_phrase, term, terms, ids, prefix, range (with date math),
/// exists, bool, constant_score. A query on an unmapped field matches nothing, as in ES.
/// </summary>
public sealed class QueryTranslator(IndexMapping mapping, long nowMillis)
{
    public static Query MatchNothing() => new BooleanQuery();

    public Query Translate(JsonNode? query)
    {
        if (query is null)
            return new MatchAllDocsQuery();
        if (query is not JsonObject json || json.Count != 1)
            throw SearchException.Parsing("[_na] query malformed, must start with start_object");
        var (type, body) = json.First();
        return type switch
        {
            "match_all" => Boosted(new MatchAllDocsQuery(), body),
            "match_none" => MatchNothing(),
            "match" => Match(FieldBody(type, body), phrase: false),
            "match_phrase" => Match(FieldBody(type, body), phrase: true),
            "term" => Term(FieldBody(type, body)),
            "terms" => Terms(body as JsonObject ?? throw SearchException.Parsing("[terms] query malformed")),
            "ids" => Ids(body),
            "prefix" => Prefix(FieldBody(type, body)),
            "range" => Range(FieldBody(type, body)),
            "exists" => Exists(body),
            "bool" => Bool(body as JsonObject ?? throw SearchException.Parsing("[bool] query malformed")),
            "constant_score" => ConstantScore(body as JsonObject ?? throw SearchException.Parsing("[constant_score] query malformed")),
            _ => throw new SearchException(400, "parsing_exception", $"unknown query [{type}]",
                new JsonObject { ["line"] = 1, ["col"] = 1 }),
        };
    }

    /// <summary>The field and its options of a single-field query: <c>{"f": value}</c> or <c>{"f": {"query"|"value": …}}</c>.</summary>
    private static (string Field, JsonNode? Value, JsonObject? Options) FieldBody(string type, JsonNode? body)
    {
        if (body is not JsonObject json || json.Count == 0)
            throw SearchException.Parsing($"[{type}] query malformed, no start_object after query name");
        var fields = json.Where(p => p.Key is not ("boost" or "_name")).ToList();
        if (fields.Count != 1)
            throw SearchException.Parsing($"[{type}] query doesn't support multiple fields, found [{fields[0].Key}] and [{fields[^1].Key}]");
        var (field, value) = fields[0];
        if (value is JsonObject options && type != "range")
            return (field, options["query"] ?? options["value"], options);
        return (field, value, value as JsonObject);
    }

    private Query Match((string Field, JsonNode? Value, JsonObject? Options) body, bool phrase)
    {
        var (field, value, options) = body;
        var mapped = mapping.Resolve(field);
        if (mapped is null || value is null)
            return MatchNothing();
        if (mapped.Kind != FieldKind.Text)
            return Boosted(Exact(field, mapped, value), options);
        var tokens = Analyze(field, value.ToString());
        if (tokens.Count == 0)
            return MatchNothing();
        if (phrase)
        {
            var phraseQuery = new PhraseQuery { Slop = options?["slop"]?.GetValue<int>() ?? 0 };
            foreach (var token in tokens)
                phraseQuery.Add(new Term(field, token));
            return Boosted(phraseQuery, options);
        }
        var and = string.Equals(options?["operator"]?.ToString(), "and", StringComparison.OrdinalIgnoreCase);
        var query = new BooleanQuery();
        foreach (var token in tokens)
            query.Add(new TermQuery(new Term(field, token)), and ? Occur.MUST : Occur.SHOULD);
        if (!and && options?["minimum_should_match"] is { } minimum)
            query.MinimumNumberShouldMatch = MinimumShouldMatch(minimum, tokens.Count);
        return Boosted(query, options);
    }

    internal static List<string> Analyze(string field, string text)
    {
        var tokens = new List<string>();
        using var stream = SearchIndex.Analyzer.GetTokenStream(field, new StringReader(text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
            tokens.Add(term.ToString());
        stream.End();
        return tokens;
    }

    private static int MinimumShouldMatch(JsonNode value, int clauses)
    {
        var text = value.ToString().Trim();
        if (text.EndsWith('%'))
        {
            var percent = int.Parse(text[..^1], CultureInfo.InvariantCulture);
            var count = (int)(clauses * Math.Abs(percent) / 100.0);
            return percent < 0 ? clauses - count : count;
        }
        var n = int.Parse(text, CultureInfo.InvariantCulture);
        return n < 0 ? clauses + n : n;
    }

    private Query Term((string Field, JsonNode? Value, JsonObject? Options) body)
    {
        var mapped = mapping.Resolve(body.Field);
        if (body.Field == DocumentMapper.IdField)
            return Boosted(new TermQuery(new Term(DocumentMapper.IdField, body.Value?.ToString() ?? "")), body.Options);
        return mapped is null || body.Value is null ? MatchNothing() : Boosted(Exact(body.Field, mapped, body.Value), body.Options);
    }

    private Query Terms(JsonObject body)
    {
        var fields = body.Where(p => p.Key is not ("boost" or "_name")).ToList();
        if (fields.Count != 1 || fields[0].Value is not JsonArray values)
            throw SearchException.Parsing("[terms] query does not support multiple fields or needs an array of values");
        var field = fields[0].Key;
        var mapped = mapping.Resolve(field);
        if (mapped is null && field != DocumentMapper.IdField)
            return MatchNothing();
        var query = new BooleanQuery();
        foreach (var value in values.OfType<JsonNode>())
            query.Add(mapped is null ? new TermQuery(new Term(field, value.ToString())) : Exact(field, mapped, value), Occur.SHOULD);
        return Boosted(new ConstantScoreQuery(query), body);
    }

    private static Query Ids(JsonNode? body)
    {
        var query = new BooleanQuery();
        foreach (var id in body?["values"]?.AsArray() ?? [])
            query.Add(new TermQuery(new Term(DocumentMapper.IdField, id!.ToString())), Occur.SHOULD);
        return new ConstantScoreQuery(query);
    }

    private Query Prefix((string Field, JsonNode? Value, JsonObject? Options) body)
    {
        var mapped = mapping.Resolve(body.Field);
        if (mapped is null || body.Value is null)
            return MatchNothing();
        if (mapped.Kind is not (FieldKind.Keyword or FieldKind.Text))
            throw new SearchException(400, "query_shard_exception", $"Can only use prefix queries on keyword and text fields - not on [{body.Field}] which is of type [{mapped.Type}]");
        return Boosted(new PrefixQuery(new Term(body.Field, body.Value.ToString())), body.Options);
    }

    /// <summary>A query matching exactly <paramref name="value"/> in the field (term semantics, no analysis).</summary>
    internal Query Exact(string field, FieldMapping mapped, JsonNode value)
    {
        var text = value.ToString();
        switch (mapped.Kind)
        {
            case FieldKind.Integer:
                var integer = ParseInteger(field, value);
                return NumericColumnFilter.Range(field, mapped, integer, integer);
            case FieldKind.Floating:
                var number = ParseDouble(field, value);
                return NumericColumnFilter.Range(field, mapped, number, number, true, true);
            case FieldKind.Date:
                var from = DateBound(field, value, roundUp: false);
                var to = DateBound(field, value, roundUp: true);
                return NumericColumnFilter.Range(field, mapped, from, to);
            case FieldKind.Boolean:
                var flag = BooleanValue(text);
                return NumericColumnFilter.Range(field, mapped, flag, flag);
            case FieldKind.Object:
                return MatchNothing();
            default:
                return new TermQuery(new Term(field, text));
        }
    }

    private Query Range((string Field, JsonNode? Value, JsonObject? Options) body)
    {
        var (field, _, options) = body;
        if (options is null)
            throw SearchException.Parsing($"[range] query malformed, no start_object after query name");
        var mapped = mapping.Resolve(field);
        if (mapped is null)
            return MatchNothing();
        // from/to with include_lower/include_upper are the old spelling of gte/lte.
        JsonNode? lower = options["gte"] ?? options["gt"] ?? options["from"];
        JsonNode? upper = options["lte"] ?? options["lt"] ?? options["to"];
        var includeLower = options["gt"] is null && (options["from"] is null || options["include_lower"]?.GetValue<bool>() != false);
        var includeUpper = options["lt"] is null && (options["to"] is null || options["include_upper"]?.GetValue<bool>() != false);
        Query query = mapped.Kind switch
        {
            FieldKind.Integer => NumericColumnFilter.Range(field, mapped,
                lower is null ? null : IntegerBound(field, lower, includeLower, isLower: true),
                upper is null ? null : IntegerBound(field, upper, includeUpper, isLower: false)),
            FieldKind.Floating => NumericColumnFilter.Range(field, mapped,
                lower is null ? null : ParseDouble(field, lower), upper is null ? null : ParseDouble(field, upper), includeLower, includeUpper),
            // ES rounds gt and lte up (to the unit's last millisecond), gte and lt down.
            FieldKind.Date => NumericColumnFilter.Range(field, mapped,
                lower is null ? null : DateBound(field, lower, roundUp: !includeLower) + (includeLower ? 0 : 1),
                upper is null ? null : DateBound(field, upper, roundUp: includeUpper) - (includeUpper ? 0 : 1)),
            FieldKind.Boolean => NumericColumnFilter.Range(field, mapped,
                lower is null ? null : BooleanValue(lower.ToString()) + (includeLower ? 0 : 1),
                upper is null ? null : BooleanValue(upper.ToString()) - (includeUpper ? 0 : 1)),
            FieldKind.Keyword or FieldKind.Text => TermRangeQuery.NewStringRange(field, lower?.ToString(), upper?.ToString(), includeLower, includeUpper),
            _ => MatchNothing(),
        };
        return Boosted(query, options);
    }

    /// <summary>A boolean as its doc value: 1 for true, 0 for false.</summary>
    private static long BooleanValue(string text) => text switch
    {
        "true" => 1,
        "false" => 0,
        _ => throw SearchException.BadRequest($"Can't parse boolean value [{text}], expected [true] or [false]"),
    };

    /// <summary>An inclusive whole-number bound: 2.5 as gte is 3, as lte 2; an exclusive bound moves by one.</summary>
    private static long IntegerBound(string field, JsonNode value, bool inclusive, bool isLower)
    {
        var number = ParseDouble(field, value);
        var whole = isLower ? (long)Math.Ceiling(number) : (long)Math.Floor(number);
        if (!inclusive && whole == number)
            whole += isLower ? 1 : -1;
        return whole;
    }

    private long DateBound(string field, JsonNode value, bool roundUp)
    {
        if (value is JsonValue json && json.TryGetValue<long>(out var millis))
            return millis;
        return DateFormats.ParseMath(value.ToString(), nowMillis, roundUp, field);
    }

    private static long ParseInteger(string field, JsonNode value) =>
        value is JsonValue json && json.TryGetValue<long>(out var n) ? n
        : DocumentMapper.TryInteger(value.ToString(), out n) ? n
        : throw new SearchException(400, "query_shard_exception", $"failed to create query: For input string: \"{value}\"",
            new JsonObject { ["field"] = field });

    private static double ParseDouble(string field, JsonNode value) =>
        value is JsonValue json && json.GetValueKind() == JsonValueKind.Number ? json.GetValue<double>()
        : double.TryParse(value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : throw new SearchException(400, "query_shard_exception", $"failed to create query: For input string: \"{value}\"",
            new JsonObject { ["field"] = field });

    /// <summary>Fields with doc values answer from them (ES's doc-values exists); text fields and objects from <c>_field_names</c>.</summary>
    private Query Exists(JsonNode? body)
    {
        var field = body?["field"]?.ToString() ?? throw SearchException.Parsing("[exists] must be provided with a [field]");
        return mapping.Resolve(field) switch
        {
            { Kind: FieldKind.Integer or FieldKind.Floating or FieldKind.Date or FieldKind.Boolean } numeric => NumericColumnFilter.Exists(field, numeric),
            { Kind: FieldKind.Keyword } keyword => new ConstantScoreQuery(new KeywordExistsFilter(field, keyword)),
            _ => new ConstantScoreQuery(new TermQuery(new Term(DocumentMapper.FieldNamesField, field))),
        };
    }

    private Query Bool(JsonObject body)
    {
        var query = new BooleanQuery();
        var scoring = 0;
        foreach (var clause in Clauses(body["must"]))
        {
            query.Add(Translate(clause), Occur.MUST);
            scoring++;
        }
        foreach (var clause in Clauses(body["filter"]))
        {
            // Lucene 4.8 has no FILTER occur: a zero-boost constant score is a MUST that adds nothing to the score.
            query.Add(new ConstantScoreQuery(Translate(clause)) { Boost = 0 }, Occur.MUST);
            scoring++;
        }
        var shoulds = 0;
        foreach (var clause in Clauses(body["should"]))
        {
            query.Add(Translate(clause), Occur.SHOULD);
            shoulds++;
        }
        var negatives = 0;
        foreach (var clause in Clauses(body["must_not"]))
        {
            query.Add(Translate(clause), Occur.MUST_NOT);
            negatives++;
        }
        if (body["minimum_should_match"] is { } minimum)
            query.MinimumNumberShouldMatch = MinimumShouldMatch(minimum, shoulds);
        else if (shoulds > 0 && scoring == 0)
            query.MinimumNumberShouldMatch = 1;   // ES: with no must/filter, at least one should must match
        if (scoring == 0 && shoulds == 0)
            query.Add(new MatchAllDocsQuery(), negatives > 0 ? Occur.MUST : Occur.SHOULD);
        return Boosted(query, body);
    }

    private static IEnumerable<JsonNode> Clauses(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.OfType<JsonNode>(),
        _ => [node],
    };

    private Query ConstantScore(JsonObject body)
    {
        var filter = body["filter"] ?? throw SearchException.Parsing("[constant_score] requires a 'filter' element");
        return Boosted(new ConstantScoreQuery(Translate(filter)), body);
    }

    private static Query Boosted(Query query, JsonNode? options)
    {
        if (options is JsonObject json && json["boost"] is { } boost)
            query.Boost = (float)boost.GetValue<double>();
        return query;
    }
}
