namespace Beltline.Search.Tests;

public sealed class CatTableTests
{
    [Fact]
    public void Columns_are_padded_and_counts_right_aligned()
    {
        var rows = new List<Dictionary<string, string>>
        {
            new() { ["health"] = "green", ["index"] = "2024-logs", ["docs.count"] = "5" },
            new() { ["health"] = "yellow", ["index"] = "a", ["docs.count"] = "12345678901" },
        };
        var table = SearchApi.CatTable(["health", "index", "docs.count"], rows, header: true);
        Assert.Equal("health index      docs.count\ngreen  2024-logs           5\nyellow a         12345678901\n", table);
    }

    [Theory]
    [InlineData(208, null, "208b")]
    [InlineData(5_324, null, "5.2kb")]
    [InlineData(3_145_728, null, "3mb")]
    [InlineData(5_324, "b", "5324")]
    [InlineData(5_324, "kb", "5")]
    public void Sizes_read_as_ES_prints_them(long bytes, string? unit, string expected) =>
        Assert.Equal(expected, SearchApi.FormatBytes(bytes, unit));
}
