using Microsoft.Extensions.Logging;

namespace Beltline.Search;

/// <summary>How a <see cref="SearchServer"/> listens, where it keeps its data and who may use it.</summary>
public sealed class SearchServerOptions
{
    /// <summary>Address to bind.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>HTTP port (Elasticsearch's 9200); 0 picks a free port.</summary>
    public int Port { get; init; } = 9200;

    /// <summary>Where indices live; null uses a fresh temporary directory, removed when the server stops.</summary>
    public string? DataDir { get; init; }

    /// <summary>The master user: when set, every request needs HTTP basic auth with it.</summary>
    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>How often changed indices are refreshed (ES's index.refresh_interval, 1 s).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often changed indices are committed to disk (fsync); shutdown commits too.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(5);

    public string ClusterName { get; init; } = "beltline";
    public string NodeName { get; init; } = "beltline-search";

    public ILoggerFactory? LoggerFactory { get; init; }
}
