using System.Globalization;
using Confluent.Kafka;

namespace Beltline.Line.Kafka;

/// <summary>
/// Asks the cluster for its metadata before a station or tool starts work: a producer alone would buffer for
/// minutes (message.timeout.ms) before saying that nobody answers.
/// </summary>
public static class KafkaReachability
{
    /// <summary>The cluster's metadata through a new admin client built from <paramref name="config"/>.</summary>
    public static Metadata Metadata(ClientConfig config, TimeSpan timeout)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(config.ToDictionary(p => p.Key, p => p.Value)))
            .SetLogHandler(Quiet)
            .Build();
        return Metadata(admin, config.BootstrapServers, timeout);
    }

    /// <summary>The cluster's metadata, or a <see cref="KafkaUnreachableException"/> naming the servers that did not answer in time.</summary>
    public static Metadata Metadata(IAdminClient admin, string bootstrap, TimeSpan timeout)
    {
        try
        {
            var metadata = admin.GetMetadata(timeout);
            return metadata.Brokers.Count > 0 ? metadata : throw Unreachable(bootstrap, timeout, "no brokers in the cluster metadata");
        }
        catch (KafkaException e) when (e.Error.IsLocalError)
        {
            throw Unreachable(bootstrap, timeout, e.Error.Reason);
        }
    }

    /// <summary>librdkafka's own log lines (connection refused, retries) would bury the one clear message; errors surface as exceptions.</summary>
    public static void Quiet<T>(T client, LogMessage message)
    {
    }

    private static KafkaUnreachableException Unreachable(string bootstrap, TimeSpan timeout, string reason) =>
        new($"Cannot reach Kafka at {bootstrap} within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s ({reason}).");
}

/// <summary>No broker of the bootstrap list answered in time.</summary>
public sealed class KafkaUnreachableException(string message) : Exception(message);
