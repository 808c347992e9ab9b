using System.CommandLine;
using Beltline.Line.Kafka;
using Confluent.Kafka;

namespace Beltline.Cli;

/// <summary>
/// How a client command finds and talks to Kafka, like Kafka's own tools: <c>--bootstrap</c> and
/// <c>--command-config FILE</c> (client properties, e.g. security settings). A flag wins over the file's
/// bootstrap.servers, the file over 127.0.0.1:9092.
/// </summary>
internal sealed class ClientOptions
{
    public Option<string?> Bootstrap { get; } = new("--bootstrap", "--bootstrap-server")
    {
        Description = $"Kafka bootstrap servers, host:port[,host:port] (default: the config file's bootstrap.servers, else {ClientProperties.DefaultBootstrap}).",
    };

    public Option<FileInfo?> CommandConfig { get; } = new("--command-config")
    {
        Description = "Client properties file (librdkafka names, e.g. security.protocol, sasl.mechanism), as for kcat -F.",
    };

    public void AddTo(Command command)
    {
        command.Add(Bootstrap);
        command.Add(CommandConfig);
    }

    /// <summary>The client configuration the options describe; a missing or malformed file throws <see cref="ClientConfigException"/>.</summary>
    public T Config<T>(ParseResult result, T config) where T : ClientConfig
    {
        var file = result.GetValue(CommandConfig);
        var properties = file is null ? ClientProperties.Empty : ClientProperties.Load(file.FullName);
        return properties.ApplyTo(config, result.GetValue(Bootstrap));
    }
}
