using System.Globalization;
using System.Text.RegularExpressions;

namespace Beltline.Search;

/// <summary>
/// Dates as ES's default <c>strict_date_optional_time||epoch_millis</c> reads them, ES's date math
/// (<c>now-1h/d</c>, <c>2024-01-01||+1M</c>) and the <c>key_as_string</c> format.
/// </summary>
public static partial class DateFormats
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2}( \d{2}:\d{2}:\d{2})?$")]
    private static partial Regex SlashDate();

    /// <summary>Whether dynamic mapping should call this string a date (ES's dynamic_date_formats).</summary>
    public static bool LooksLikeDate(string text) => IsoDate().IsMatch(text) || SlashDate().IsMatch(text);

    /// <summary>Epoch milliseconds of an ISO-8601 date (UTC unless it says otherwise) or of epoch millis as text.</summary>
    public static bool TryParse(string text, out long epochMillis)
    {
        epochMillis = 0;
        text = text.Trim();
        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-') && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out epochMillis)
            && !IsoDate().IsMatch(text))
            return true;
        if (IsoDate().IsMatch(text) || SlashDate().IsMatch(text))
        {
            var normalized = text.Replace('/', '-').Replace(',', '.');
            if (normalized.Length == 13 && normalized[10] is 'T' or ' ')   // yyyy-MM-ddTHH: .NET wants minutes
                normalized += ":00";
            if (DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                epochMillis = parsed.ToUnixTimeMilliseconds();
                return true;
            }
        }
        return false;
    }

    public static long Parse(string text, string field) =>
        TryParse(text, out var millis) ? millis
            : throw new SearchException(400, "parse_exception", $"failed to parse date field [{text}] with format [strict_date_optional_time||epoch_millis]: [{field}]");

    /// <summary>ES's default output format: <c>2024-01-01T00:00:00.000Z</c>.</summary>
    public static string Format(long epochMillis) =>
        DateTimeOffset.FromUnixTimeMilliseconds(epochMillis).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// ES date math: an anchor (<c>now</c> or a date followed by <c>||</c>), then <c>+N unit</c>, <c>-N unit</c>
    /// and <c>/unit</c> rounding. <paramref name="roundUp"/> (for <c>gt</c> and <c>lte</c>) rounds to the last
    /// millisecond of the unit, as ES does, so <c>lte: now/d</c> covers the whole day.
    /// </summary>
    public static long ParseMath(string expression, long nowMillis, bool roundUp, string field)
    {
        string math;
        DateTime time;
        if (expression.StartsWith("now", StringComparison.Ordinal))
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds(nowMillis).UtcDateTime;
            math = expression[3..];
        }
        else
        {
            var split = expression.IndexOf("||", StringComparison.Ordinal);
            if (split < 0)
                return Parse(expression, field);
            time = DateTimeOffset.FromUnixTimeMilliseconds(Parse(expression[..split], field)).UtcDateTime;
            math = expression[(split + 2)..];
        }
        var i = 0;
        while (i < math.Length)
        {
            var op = math[i++];
            if (op == '/')
            {
                if (i >= math.Length)
                    throw BadMath(expression);
                time = Round(time, math[i++], roundUp, expression);
                continue;
            }
            if (op is not ('+' or '-'))
                throw BadMath(expression);
            var start = i;
            while (i < math.Length && char.IsAsciiDigit(math[i]))
                i++;
            var amount = i > start ? int.Parse(math.AsSpan(start, i - start), CultureInfo.InvariantCulture) : 1;
            if (i >= math.Length)
                throw BadMath(expression);
            var sign = op == '-' ? -amount : amount;
            time = math[i++] switch
            {
                'y' => time.AddYears(sign),
                'M' => time.AddMonths(sign),
                'w' => time.AddDays(7.0 * sign),
                'd' => time.AddDays(sign),
                'h' or 'H' => time.AddHours(sign),
                'm' => time.AddMinutes(sign),
                's' => time.AddSeconds(sign),
                _ => throw BadMath(expression),
            };
        }
        return new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
    }

    private static DateTime Round(DateTime time, char unit, bool roundUp, string expression)
    {
        var floor = unit switch
        {
            'y' => new DateTime(time.Year, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            'M' => new DateTime(time.Year, time.Month, 1, 0, 0, 0, DateTimeKind.Utc),
            'w' => time.Date.AddDays(-(((int)time.DayOfWeek + 6) % 7)),
            'd' => time.Date,
            'h' or 'H' => new DateTime(time.Year, time.Month, time.Day, time.Hour, 0, 0, DateTimeKind.Utc),
            'm' => new DateTime(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0, DateTimeKind.Utc),
            's' => new DateTime(time.Year, time.Month, time.Day, time.Hour, time.Minute, time.Second, DateTimeKind.Utc),
            _ => throw BadMath(expression),
        };
        if (!roundUp)
            return floor;
        var next = unit switch
        {
            'y' => floor.AddYears(1),
            'M' => floor.AddMonths(1),
            'w' => floor.AddDays(7),
            'd' => floor.AddDays(1),
            'h' or 'H' => floor.AddHours(1),
            'm' => floor.AddMinutes(1),
            _ => floor.AddSeconds(1),
        };
        return next.AddMilliseconds(-1);
    }

    private static SearchException BadMath(string expression) =>
        new(400, "parse_exception", $"failed to parse date math [{expression}]");
}
