using Confluent.Kafka;

namespace Beltline.Line.Kafka;

/// <summary>
/// Asks the cluster for its metadata before a station starts work: a producer alone would buffer for minutes
/// (message.timeout.ms) before saying that nobody answers.
/// </summary>
public static class KafkaReachability
{
    /// <summary>The cluster's metadata, or a <see cref="KafkaException"/> naming the servers that did not answer in time.</summary>
    public static Metadata Metadata(ClientConfig config, TimeSpan timeout)
    {
        var adminConfig = new AdminClientConfig(config.ToDictionary(p => p.Key, p => p.Value));
        using var admin = new AdminClientBuilder(adminConfig).SetLogHandler((_, _) => { }).Build();
        try
        {
            return admin.GetMetadata(timeout);
        }
        catch (KafkaException e)
        {
            throw new KafkaException(new Error(e.Error.Code, $"Kafka at {config.BootstrapServers} did not answer within {timeout.TotalSeconds:0} s ({e.Error.Reason})."));
        }
    }

    /// <summary>Null when the cluster answers; else the reason, for the user.</summary>
    public static string? Check(ClientConfig config, TimeSpan timeout)
    {
        try
        {
            Metadata(config, timeout);
            return null;
        }
        catch (KafkaException e)
        {
            return e.Error.Reason;
        }
    }
}
