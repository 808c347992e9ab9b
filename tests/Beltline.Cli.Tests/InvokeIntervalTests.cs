using Beltline.Cli.Commands;

namespace Beltline.Cli.Tests;

public sealed class InvokeIntervalTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1m", 60_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("500ms", 500)]
    [InlineData("rate(1 minute)", 60_000)]
    [InlineData("rate(5 minutes)", 300_000)]
    public void Intervals_read_like_durations_and_EventBridge_rates(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), InvokeCommand.ParseInterval(text));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("-1m")]
    [InlineData("1 fortnight")]
    [InlineData("")]
    public void Anything_else_is_refused(string text)
    {
        Assert.Null(InvokeCommand.ParseInterval(text));
    }
}
