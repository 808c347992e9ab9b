using System.CommandLine;
using Beltline.Search;
using Microsoft.Extensions.Logging;

namespace Beltline.Cli.Commands;

/// <summary><c>beltline search</c>: the Elasticsearch-compatible search store in the foreground until Ctrl+C / SIGTERM.</summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        // BELTLINE_SEARCH_*: the broker owns BELTLINE_PORT / BELTLINE_DATA_DIR, and both stations run side by side.
        var port = EnvironmentOption.Create("--port", "BELTLINE_SEARCH_PORT", 9200, "HTTP port (Elasticsearch's 9200); 0 picks a free port.");
        var host = EnvironmentOption.Create("--host", "BELTLINE_SEARCH_HOST", "127.0.0.1", "Address to bind.");
        var dataDir = EnvironmentOption.Create("--data-dir", "BELTLINE_SEARCH_DATA_DIR", Path.Combine(".beltline", "search"), "Directory for the indices.");
        var user = EnvironmentOption.Create<string?>("--user", "BELTLINE_SEARCH_USER", null, "Master user: when set, every request needs HTTP basic auth.");
        var password = EnvironmentOption.Create<string?>("--password", "BELTLINE_SEARCH_PASSWORD", null, "The master user's password.");
        var logFormat = EnvironmentOption.Create("--log-format", "BELTLINE_LOG_FORMAT", LogFormat.Text, "Log line format.");
        var logLevel = EnvironmentOption.Create("--log-level", "BELTLINE_LOG_LEVEL", LogLevel.Information, "Minimum log level.");
        var command = new Command("search", "Run the Elasticsearch-compatible search store (REST on --port) in the foreground until Ctrl+C or SIGTERM.")
        {
            port, host, dataDir, user, password, logFormat, logLevel,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var errors = new List<string>();
            if (result.GetValue(port) is < 0 or > 65535)
                errors.Add($"--port must be in 0-65535, got {result.GetValue(port)}.");
            if (!System.Net.IPAddress.TryParse(result.GetValue(host), out _))
                errors.Add($"--host must be an IP address to bind (e.g. 127.0.0.1), got '{result.GetValue(host)}'.");
            if (string.IsNullOrWhiteSpace(result.GetValue(dataDir)))
                errors.Add("--data-dir must not be empty.");
            if (string.IsNullOrEmpty(result.GetValue(user)) != string.IsNullOrEmpty(result.GetValue(password)))
                errors.Add("--user and --password go together: give both or neither.");
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                    result.InvocationConfiguration.Error.WriteLine(error);
                return 2;
            }
            using var loggerFactory = Logging.Create(result.GetValue(logFormat), result.GetValue(logLevel));
            var logger = loggerFactory.CreateLogger("Beltline.Cli");
            try
            {
                await using var server = await SearchServer.StartAsync(new SearchServerOptions
                {
                    Host = result.GetValue(host)!,
                    Port = result.GetValue(port),
                    DataDir = result.GetValue(dataDir)!,
                    User = string.IsNullOrEmpty(result.GetValue(user)) ? null : result.GetValue(user),
                    Password = result.GetValue(password),
                    LoggerFactory = loggerFactory,
                }, cancellationToken);
                logger.LogInformation("Search ready: http://{Host}:{Port}/{Auth}", result.GetValue(host), server.Port,
                    string.IsNullOrEmpty(result.GetValue(user)) ? "" : " (basic auth)");
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return 0;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                logger.LogError("Search store failed to start: {Message}", e.Message);
                return 1;
            }
        });
        return command;
    }
}
