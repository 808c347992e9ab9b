using System.Text.Json.Nodes;

namespace Beltline.Search.Tests;

/// <summary>Aggregations over doc values of the matching documents, shaped as ES answers.</summary>
public sealed class AggregationTests : IAsyncLifetime
{
    private readonly TempStore _temp = new();

    public Task InitializeAsync()
    {
        _temp.Store.Create("departments_count", JsonNode.Parse("""
            {"mappings":{"properties":{
              "departmentName":{"type":"text","fields":{"keyword":{"type":"keyword","ignore_above":256}}},
              "departmentCount":{"type":"integer"},"windowBeginTime":{"type":"date"},"windowEndTime":{"type":"date"}}}}
            """)!.AsObject());
        // Three 10 s windows (the second one empty of laptops), two departments.
        _temp.Index("departments_count",
            ("1", """{"departmentName":"laptops","departmentCount":3,"windowEndTime":"2024-01-01T00:00:10Z"}"""),
            ("2", """{"departmentName":"cameras","departmentCount":5,"windowEndTime":"2024-01-01T00:00:10Z"}"""),
            ("3", """{"departmentName":"cameras","departmentCount":1,"windowEndTime":"2024-01-01T00:00:20Z"}"""),
            ("4", """{"departmentName":"laptops","departmentCount":4,"windowEndTime":"2024-01-01T00:00:40Z"}"""),
            ("5", """{"departmentName":"cameras","departmentCount":2,"windowEndTime":"2024-01-01T00:00:40Z"}"""),
            ("6", """{"departmentName":"soundbars","departmentCount":9,"windowEndTime":"2024-02-03T00:00:00Z"}"""));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _temp.DisposeAsync();

    private JsonNode Aggs(string aggs, string query = """{"match_all":{}}""") =>
        _temp.Search("departments_count", $$"""{"size":0,"query":{{query}},"aggs":{{aggs}}}""")["aggregations"]!;

    [Fact]
    public void Histogram_metrics_computed_while_bucketing_equal_those_over_each_buckets_documents()
    {
        // A top_hits sub-aggregation needs each bucket's documents, so the second request takes the general path.
        const string metrics =
            "\"a\":{\"avg\":{\"field\":\"departmentCount\"}},\"s\":{\"sum\":{\"field\":\"departmentCount\"}},\"lo\":{\"min\":{\"field\":\"departmentCount\"}}," +
            "\"hi\":{\"max\":{\"field\":\"departmentCount\"}},\"n\":{\"value_count\":{\"field\":\"departmentCount\"}},\"st\":{\"stats\":{\"field\":\"departmentCount\"}}," +
            "\"last\":{\"max\":{\"field\":\"windowEndTime\"}}";
        const string histogram = """{"h":{"date_histogram":{"field":"windowEndTime","fixed_interval":"10s"},"aggs":{""";
        const string firstDay = """{"range":{"windowEndTime":{"lt":"2024-01-02"}}}""";
        var inline = Aggs(histogram + metrics + "}}}", firstDay)["h"]!["buckets"]!.AsArray();
        var general = Aggs(histogram + metrics + ""","t":{"top_hits":{"size":1}}}}}""", firstDay)["h"]!["buckets"]!.AsArray();

        Assert.Equal(general.Count, inline.Count);
        for (var i = 0; i < inline.Count; i++)
        {
            var expected = general[i]!.AsObject().DeepClone().AsObject();
            expected.Remove("t");
            Assert.Equal(expected.ToJsonString(), inline[i]!.ToJsonString());
        }
        // The 00:00:30 bucket is empty: its metrics are ES's empty values.
        Assert.Equal("""{"value":null}""", inline[2]!["a"]!.ToJsonString());
        Assert.Equal("""{"value":6}""", inline[3]!["s"]!.ToJsonString());
    }

    [Fact]
    public void Terms_orders_by_count_then_key_and_counts_the_rest()
    {
        var terms = Aggs("""{"top":{"terms":{"field":"departmentName.keyword","size":2}}}""")["top"]!;
        Assert.Equal("""{"doc_count_error_upper_bound":0,"sum_other_doc_count":1,"buckets":[{"key":"cameras","doc_count":3},{"key":"laptops","doc_count":2}]}""", terms.ToJsonString());
    }

    [Fact]
    public void Terms_order_by_key_and_on_numbers()
    {
        var byKey = Aggs("""{"t":{"terms":{"field":"departmentName.keyword","order":{"_key":"desc"}}}}""")["t"]!["buckets"]!;
        Assert.Equal(["soundbars", "laptops", "cameras"], byKey.AsArray().Select(b => b!["key"]!.GetValue<string>()));
        var numbers = Aggs("""{"t":{"terms":{"field":"departmentCount","size":1,"order":{"_key":"asc"}}}}""")["t"]!["buckets"]!;
        Assert.Equal("""[{"key":1,"doc_count":1}]""", numbers.ToJsonString());
    }

    [Fact]
    public void Terms_on_a_date_field_gives_millis_keys_and_key_as_string()
    {
        var bucket = Aggs("""{"t":{"terms":{"field":"windowEndTime","size":1}}}""")["t"]!["buckets"]![0]!;
        Assert.Equal("""{"key":1704067210000,"key_as_string":"2024-01-01T00:00:10.000Z","doc_count":2}""", bucket.ToJsonString());
    }

    [Fact]
    public void Terms_ordered_by_a_metric_sub_aggregation()
    {
        // Kibana's "top N by Sum of departmentCount": sums are soundbars 9, cameras 8, laptops 7.
        var top = Aggs("""{"t":{"terms":{"field":"departmentName.keyword","size":1,"order":{"total":"desc"}},"aggs":{"total":{"sum":{"field":"departmentCount"}}}}}""")["t"]!;
        Assert.Equal("""{"doc_count_error_upper_bound":0,"sum_other_doc_count":5,"buckets":[{"key":"soundbars","doc_count":1,"total":{"value":9}}]}""", top.ToJsonString());
        var ascending = Aggs("""{"t":{"terms":{"field":"departmentName.keyword","order":{"s.max":"asc"}},"aggs":{"s":{"stats":{"field":"departmentCount"}}}}}""")["t"]!["buckets"]!;
        Assert.Equal(["laptops", "cameras", "soundbars"], ascending.AsArray().Select(b => b!["key"]!.GetValue<string>()));
        var error = Assert.Throws<SearchException>(() => Aggs("""{"t":{"terms":{"field":"departmentName.keyword","order":{"nope":"asc"}}}}"""));
        Assert.Equal("aggregation_execution_exception", error.Type);
    }

    [Theory]
    [InlineData("+01:00", 1_704_063_600_000, "2024-01-01T00:00:00.000+01:00")]
    [InlineData("-01:00", 1_703_984_400_000, "2023-12-31T00:00:00.000-01:00")]
    [InlineData("UTC", 1_704_067_200_000, "2024-01-01T00:00:00.000Z")]
    public void Date_histogram_rounds_days_in_the_time_zone(string zone, long key, string keyAsString)
    {
        var bucket = Aggs("""{"h":{"date_histogram":{"field":"windowEndTime","calendar_interval":"day","time_zone":""" + $"\"{zone}\"" + "}}}",
            """{"range":{"windowEndTime":{"lt":"2024-01-02"}}}""")["h"]!["buckets"]![0]!;
        Assert.Equal(key, bucket["key"]!.GetValue<long>());
        Assert.Equal(keyAsString, bucket["key_as_string"]!.GetValue<string>());
        Assert.Equal(5, bucket["doc_count"]!.GetValue<long>());
    }

    [Fact]
    public void Calendar_days_follow_daylight_saving_in_a_named_zone()
    {
        var rounding = Aggregator.DateRounding.Parse(JsonNode.Parse("""{"calendar_interval":"1d","time_zone":"Europe/Berlin"}""")!.AsObject());
        var day = rounding.Round(DateTimeOffset.Parse("2024-03-31T12:00:00Z").ToUnixTimeMilliseconds());
        Assert.Equal(DateTimeOffset.Parse("2024-03-30T23:00:00Z").ToUnixTimeMilliseconds(), day);
        Assert.Equal(DateTimeOffset.Parse("2024-03-31T22:00:00Z").ToUnixTimeMilliseconds(), rounding.Next(day));   // a 23-hour day
        Assert.Equal("2024-03-31T00:00:00.000+01:00", rounding.Format(day));
    }

    [Fact]
    public void Terms_on_a_text_field_is_refused()
    {
        var error = Assert.Throws<SearchException>(() => Aggs("""{"t":{"terms":{"field":"departmentName"}}}"""));
        Assert.Equal("illegal_argument_exception", error.Type);
    }

    [Fact]
    public void Date_histogram_fixed_interval_fills_empty_buckets()
    {
        var buckets = Aggs("""{"h":{"date_histogram":{"field":"windowEndTime","fixed_interval":"10s"}}}""",
            """{"range":{"windowEndTime":{"lt":"2024-01-02"}}}""")["h"]!["buckets"]!.AsArray();
        Assert.Equal([2L, 1, 0, 2], buckets.Select(b => b!["doc_count"]!.GetValue<long>()));
        Assert.Equal(1_704_067_210_000, buckets[0]!["key"]!.GetValue<long>());
        Assert.Equal("2024-01-01T00:00:10.000Z", buckets[0]!["key_as_string"]!.GetValue<string>());
    }

    [Fact]
    public void Date_histogram_calendar_interval_month()
    {
        var buckets = Aggs("""{"h":{"date_histogram":{"field":"windowEndTime","calendar_interval":"month"}}}""")["h"]!["buckets"]!.AsArray();
        Assert.Equal(["2024-01-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"], buckets.Select(b => b!["key_as_string"]!.GetValue<string>()));
        Assert.Equal([5L, 1], buckets.Select(b => b!["doc_count"]!.GetValue<long>()));
    }

    [Fact]
    public void Date_histogram_extended_bounds_add_empty_buckets_at_the_edges()
    {
        var buckets = Aggs("""{"h":{"date_histogram":{"field":"windowEndTime","fixed_interval":"10s","extended_bounds":{"min":"2024-01-01T00:00:00Z","max":"2024-01-01T00:01:00Z"}}}}""",
            """{"range":{"windowEndTime":{"lt":"2024-01-02"}}}""")["h"]!["buckets"]!.AsArray();
        Assert.Equal([0L, 2, 1, 0, 2, 0, 0], buckets.Select(b => b!["doc_count"]!.GetValue<long>()));
        Assert.Equal("2024-01-01T00:01:00.000Z", buckets[^1]!["key_as_string"]!.GetValue<string>());
    }

    [Fact]
    public void Stats()
    {
        var stats = Aggs("""{"s":{"stats":{"field":"departmentCount"}}}""")["s"]!;
        Assert.Equal("""{"count":6,"min":1,"max":9,"avg":4,"sum":24}""", stats.ToJsonString());
    }

    [Fact]
    public void Histogram()
    {
        var buckets = Aggs("""{"h":{"histogram":{"field":"departmentCount","interval":4}}}""")["h"]!["buckets"]!.AsArray();
        Assert.Equal([0.0, 4, 8], buckets.Select(b => b!["key"]!.GetValue<double>()));
        Assert.Equal([3L, 2, 1], buckets.Select(b => b!["doc_count"]!.GetValue<long>()));
    }

    [Fact]
    public void Metrics()
    {
        var aggs = Aggs("""
            {"avg":{"avg":{"field":"departmentCount"}},"sum":{"sum":{"field":"departmentCount"}},
             "min":{"min":{"field":"departmentCount"}},"max":{"max":{"field":"departmentCount"}},
             "count":{"value_count":{"field":"departmentName.keyword"}},"distinct":{"cardinality":{"field":"departmentName.keyword"}},
             "latest":{"max":{"field":"windowEndTime"}}}
            """);
        Assert.Equal(4.0, aggs["avg"]!["value"]!.GetValue<double>());
        Assert.Equal(24.0, aggs["sum"]!["value"]!.GetValue<double>());
        Assert.Equal(1.0, aggs["min"]!["value"]!.GetValue<double>());
        Assert.Equal(9.0, aggs["max"]!["value"]!.GetValue<double>());
        Assert.Equal(6, aggs["count"]!["value"]!.GetValue<long>());
        Assert.Equal(3, aggs["distinct"]!["value"]!.GetValue<int>());
        Assert.Equal("2024-02-03T00:00:00.000Z", aggs["latest"]!["value_as_string"]!.GetValue<string>());
    }

    [Fact]
    public void Metrics_of_no_documents_are_null_except_sum_and_counts()
    {
        var aggs = Aggs("""{"avg":{"avg":{"field":"departmentCount"}},"sum":{"sum":{"field":"departmentCount"}},"count":{"value_count":{"field":"departmentCount"}}}""",
            """{"term":{"departmentName.keyword":"nothing"}}""");
        Assert.Equal("""{"avg":{"value":null},"sum":{"value":0},"count":{"value":0}}""", aggs.ToJsonString());
    }

    [Fact]
    public void Top_hits_with_sort()
    {
        var top = Aggs("""{"t":{"top_hits":{"size":2,"sort":[{"departmentCount":"desc"}],"_source":["departmentCount"]}}}""")["t"]!["hits"]!;
        Assert.Equal(6, top["total"]!["value"]!.GetValue<long>());
        Assert.Equal(["""{"departmentCount":9}""", """{"departmentCount":5}"""], top["hits"]!.AsArray().Select(h => h!["_source"]!.ToJsonString()));
    }

    [Fact]
    public void Sub_aggregations_nest_three_deep()
    {
        // The dashboard's chart: per 10 s window, the top departments, each with its summed count and best window.
        var buckets = Aggs("""
            {"windows":{"date_histogram":{"field":"windowEndTime","fixed_interval":"10s","min_doc_count":1},
              "aggs":{"depts":{"terms":{"field":"departmentName.keyword","size":5},
                "aggs":{"total":{"sum":{"field":"departmentCount"}},
                        "by_count":{"histogram":{"field":"departmentCount","interval":2},"aggs":{"top":{"top_hits":{"size":1}}}}}}}}}
            """, """{"range":{"windowEndTime":{"lt":"2024-01-02"}}}""")["windows"]!["buckets"]!.AsArray();
        Assert.Equal(3, buckets.Count);   // min_doc_count 1: the empty window is left out
        var first = buckets[0]!["depts"]!["buckets"]!.AsArray();
        Assert.Equal(["cameras", "laptops"], first.Select(b => b!["key"]!.GetValue<string>()));
        Assert.Equal(5.0, first[0]!["total"]!["value"]!.GetValue<double>());
        var deepest = first[0]!["by_count"]!["buckets"]![0]!;
        Assert.Equal(4.0, deepest["key"]!.GetValue<double>());
        Assert.Equal("2", deepest["top"]!["hits"]!["hits"]![0]!["_id"]!.GetValue<string>());
    }

    [Fact]
    public void Filter_and_filters_with_sub_aggregations()
    {
        var aggs = Aggs("""
            {"cams":{"filter":{"term":{"departmentName.keyword":"cameras"}},"aggs":{"total":{"sum":{"field":"departmentCount"}}}},
             "named":{"filters":{"filters":{"big":{"range":{"departmentCount":{"gte":5}}},"laptops":{"match":{"departmentName":"laptops"}}}}},
             "listed":{"filters":{"filters":[{"match_all":{}},{"match_none":{}}]}}}
            """);
        Assert.Equal("""{"doc_count":3,"total":{"value":8}}""", aggs["cams"]!.ToJsonString());
        Assert.Equal("""{"buckets":{"big":{"doc_count":2},"laptops":{"doc_count":2}}}""", aggs["named"]!.ToJsonString());
        Assert.Equal("""{"buckets":[{"doc_count":6},{"doc_count":0}]}""", aggs["listed"]!.ToJsonString());
    }

    [Fact]
    public void Range_buckets_are_named_as_ES_names_them()
    {
        // ES docs, range aggregation: "*-100.0", "100.0-200.0", "200.0-*".
        var buckets = Aggs("""{"r":{"range":{"field":"departmentCount","ranges":[{"to":3},{"from":3,"to":5.5},{"from":5.5,"key":"high"}]}}}""")["r"]!["buckets"]!;
        Assert.Equal("""[{"key":"*-3.0","to":3,"doc_count":2},{"key":"3.0-5.5","from":3,"to":5.5,"doc_count":3},{"key":"high","from":5.5,"doc_count":1}]""", buckets.ToJsonString());
    }

    [Fact]
    public void Missing_counts_documents_without_the_field()
    {
        _temp.Index("departments_count", ("7", """{"departmentName":"no count"}"""));
        Assert.Equal("""{"doc_count":1}""", Aggs("""{"m":{"missing":{"field":"departmentCount"}}}""")["m"]!.ToJsonString());
    }

    [Fact]
    public void Numeric_arrays_aggregate_and_sort_by_every_value()
    {
        _temp.Index("scores", ("a", """{"scores":[1,5,9],"ratios":[0.5,2.5],"at":["2024-01-01T00:00:00Z","2024-01-01T00:00:01Z"]}"""),
            ("b", """{"scores":2,"ratios":1.5,"at":"2024-01-01T00:00:12Z"}"""));
        JsonNode Run(string aggs) => _temp.Search("scores", $$"""{"size":0,"aggs":{{aggs}}}""")["aggregations"]!;

        var metrics = Run("""{"avg":{"avg":{"field":"scores"}},"n":{"value_count":{"field":"scores"}},"max":{"max":{"field":"ratios"}},"c":{"cardinality":{"field":"scores"}}}""");
        Assert.Equal(4.25, metrics["avg"]!["value"]!.GetValue<double>());
        Assert.Equal(4, metrics["n"]!["value"]!.GetValue<long>());
        Assert.Equal(2.5, metrics["max"]!["value"]!.GetValue<double>());
        Assert.Equal(4, metrics["c"]!["value"]!.GetValue<int>());
        // A document counts once per bucket, however many of its values fall in it.
        Assert.Equal("""[{"key":0,"doc_count":2},{"key":5,"doc_count":1}]""", Run("""{"h":{"histogram":{"field":"scores","interval":5}}}""")["h"]!["buckets"]!.ToJsonString());
        Assert.Equal([1L, 1, 1, 1], Run("""{"t":{"terms":{"field":"scores"}}}""")["t"]!["buckets"]!.AsArray().Select(b => b!["doc_count"]!.GetValue<long>()));
        Assert.Equal([1L, 1], Run("""{"d":{"date_histogram":{"field":"at","fixed_interval":"10s"}}}""")["d"]!["buckets"]!.AsArray().Select(b => b!["doc_count"]!.GetValue<long>()));
        Assert.Equal("""[{"key":"*-3.0","to":3,"doc_count":2},{"key":"3.0-*","from":3,"doc_count":1}]""",
            Run("""{"r":{"range":{"field":"scores","ranges":[{"to":3},{"from":3}]}}}""")["r"]!["buckets"]!.ToJsonString());

        Assert.Equal(["a", "b"], TempStore.Ids(_temp.Search("scores", """{"sort":[{"scores":"asc"}]}""")));    // min 1 before 2
        Assert.Equal(["a", "b"], TempStore.Ids(_temp.Search("scores", """{"sort":[{"scores":"desc"}]}""")));   // max 9 before 2
        Assert.Equal("[9]", _temp.Search("scores", """{"sort":[{"scores":"desc"}]}""")["hits"]!["hits"]![0]!["sort"]!.ToJsonString());
    }

    [Fact]
    public void Unknown_aggregation_type_is_a_parsing_exception()
    {
        var error = Assert.Throws<SearchException>(() => Aggs("""{"x":{"banana":{"field":"a"}}}"""));
        Assert.Equal("parsing_exception", error.Type);
    }
}
