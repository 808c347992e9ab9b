namespace Beltline.Search.Tests;

public sealed class DateFormatsTests
{
    private const long Now = 1_704_110_400_000;   // 2024-01-01T12:00:00Z

    [Theory]
    [InlineData("2024-01-01", 1_704_067_200_000)]
    [InlineData("2024-01-01T12:00:00Z", 1_704_110_400_000)]
    [InlineData("2024-01-01T12:00:00.250Z", 1_704_110_400_250)]
    [InlineData("2024-01-01T13:00:00+01:00", 1_704_110_400_000)]
    [InlineData("2024-01-01T12:00", 1_704_110_400_000)]
    [InlineData("1704110400000", 1_704_110_400_000)]
    public void Parses_ES_default_date_formats(string text, long expected)
    {
        Assert.True(DateFormats.TryParse(text, out var millis));
        Assert.Equal(expected, millis);
    }

    [Fact]
    public void Formats_as_ES_key_as_string() => Assert.Equal("2024-01-01T12:00:00.000Z", DateFormats.Format(Now));

    [Theory]
    [InlineData("now", false, Now)]
    [InlineData("now-1h", false, Now - 3_600_000)]
    [InlineData("now+10m", false, Now + 600_000)]
    [InlineData("now/d", false, 1_704_067_200_000)]
    [InlineData("now/d", true, 1_704_153_599_999)]
    [InlineData("now-1d/d", false, 1_703_980_800_000)]
    [InlineData("2024-01-01||+1M", false, 1_706_745_600_000)]
    [InlineData("2024-01-15||/M", false, 1_704_067_200_000)]
    public void Date_math(string expression, bool roundUp, long expected) =>
        Assert.Equal(expected, DateFormats.ParseMath(expression, Now, roundUp, "f"));

    [Fact]
    public void Bad_date_math_is_a_parse_exception()
    {
        var error = Assert.Throws<SearchException>(() => DateFormats.ParseMath("now-1x", Now, false, "f"));
        Assert.Equal("parse_exception", error.Type);
    }
}
