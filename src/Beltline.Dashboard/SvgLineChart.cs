using System.Globalization;
using System.Net;
using System.Text;

namespace Beltline.Dashboard;

/// <summary>
/// A line chart as inline SVG, drawn on the server: the page needs no chart library, and nothing is fetched at run
/// time. Each series is a polyline with a data attribute per point count, which the browser test reads.
/// </summary>
public static class SvgLineChart
{
    private const int Width = 640, Height = 240, Left = 56, Right = 16, Top = 16, Bottom = 36;
    private static readonly string[] Colors = ["#54b399", "#6092c0", "#d36086", "#9170b8", "#ca8eae", "#d6bf57"];

    public static string Render(Chart chart)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"{chart.Id}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(chart.Title)}\">");
        var points = chart.Series.SelectMany(s => s.Points).ToList();
        if (points.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\" class=\"empty\">No results yet</text></svg>");
            return svg.ToString();
        }
        var (minTime, maxTime) = (points.Min(p => p.Time), points.Max(p => p.Time));
        var maxValue = Math.Max(points.Max(p => p.Value), 1e-9) * 1.1;
        var timeSpan = Math.Max(maxTime - minTime, 1);
        double X(long time) => Left + (Width - Left - Right) * (double)(time - minTime) / timeSpan;
        double Y(double value) => Height - Bottom - (Height - Top - Bottom) * value / maxValue;

        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#98a2b3\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#98a2b3\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Top + 4}\" text-anchor=\"end\" class=\"tick\">{maxValue / 1.1:0.##}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{Height - Bottom}\" text-anchor=\"end\" class=\"tick\">0</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 12}\" class=\"tick\">{ClickstreamCharts.FormatTime(minTime)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"{Height - 12}\" text-anchor=\"end\" class=\"tick\">{ClickstreamCharts.FormatTime(maxTime)}</text>");
        for (var i = 0; i < chart.Series.Count; i++)
        {
            var series = chart.Series[i];
            var color = Colors[i % Colors.Length];
            var coordinates = string.Join(' ', series.Points.OrderBy(p => p.Time).Select(p => FormattableString.Invariant($"{X(p.Time):0.#},{Y(p.Value):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-series=\"{WebUtility.HtmlEncode(series.Name)}\" data-points=\"{series.Points.Count}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{coordinates}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + 8 + i * 110}\" y=\"{Top + 12}\" fill=\"{color}\" class=\"legend\">{WebUtility.HtmlEncode(series.Name)}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }
}
