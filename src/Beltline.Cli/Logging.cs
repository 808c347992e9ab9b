using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Beltline.Cli;

public enum LogFormat
{
    Text,
    Json,
}

/// <summary>Structured server logs: one line per event, as text for people or JSON for collectors.</summary>
internal static class Logging
{
    public static ILoggerFactory Create(LogFormat format, LogLevel minimum) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(minimum);
        builder.AddFilter("Microsoft", LogLevel.Warning);
        // Start-up failures are reported by the command itself, without the host's stack trace.
        builder.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        if (format == LogFormat.Json)
            builder.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        else
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
    });
}
