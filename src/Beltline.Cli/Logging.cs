using Microsoft.Extensions.DependencyInjection;
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
    /// <param name="toStandardError">Client stations keep stdout for their results (a response, a status line) and log to stderr.</param>
    public static ILoggerFactory Create(LogFormat format, LogLevel minimum, bool toStandardError = false) => LoggerFactory.Create(builder =>
    {
        if (toStandardError)
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
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
