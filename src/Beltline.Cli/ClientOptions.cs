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

    /// <summary>
    /// The client configuration the options describe, over <paramref name="config"/>'s defaults; a missing or
    /// malformed file throws <see cref="ClientConfigException"/>. <paramref name="environmentBootstrap"/> is a
    /// station's own variable (the container's BROKERS), between the flag and the file.
    /// </summary>
    public T Config<T>(ParseResult result, T config, string? environmentBootstrap = null) where T : ClientConfig
    {
        var flag = result.GetValue(Bootstrap);
        return Properties(result).ApplyTo(config, string.IsNullOrWhiteSpace(flag) ? environmentBootstrap : flag);
    }

    /// <summary>The --command-config file's properties (none without the option).</summary>
    public ClientProperties Properties(ParseResult result) =>
        result.GetValue(CommandConfig) is { } file ? ClientProperties.Load(file.FullName) : ClientProperties.Empty;
}
