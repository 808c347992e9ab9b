using System.Text;
using Confluent.Kafka;

namespace Beltline.Line.Kafka;

/// <summary>
/// Kafka client properties from a file, like the <c>--command-config</c> / <c>-F</c> files of Kafka's tools and kcat:
/// <c>name=value</c> lines (also <c>name: value</c>), <c>#</c> and <c>!</c> comments, a trailing backslash continues a
/// line. Names are librdkafka's (bootstrap.servers, security.protocol, sasl.mechanism, ssl.ca.location, …), so one
/// file serves kcat, Confluent.Kafka and every Beltline station.
/// </summary>
public sealed class ClientProperties
{
    /// <summary>Where a client goes when neither a flag nor a file names a broker: MSK's plaintext port on this machine.</summary>
    public const string DefaultBootstrap = "127.0.0.1:9092";

    private readonly List<KeyValuePair<string, string>> _properties;

    private ClientProperties(List<KeyValuePair<string, string>> properties) => _properties = properties;

    public static ClientProperties Empty { get; } = new([]);

    public IReadOnlyList<KeyValuePair<string, string>> Properties => _properties;

    /// <summary>The file's bootstrap.servers, if it names one.</summary>
    public string? Bootstrap => _properties.LastOrDefault(p => p.Key == "bootstrap.servers").Value;

    /// <summary>Reads a properties file; a missing file or a line without a value is an error naming file and line.</summary>
    public static ClientProperties Load(string path)
    {
        if (!File.Exists(path))
            throw new ClientConfigException($"Client config file '{path}' does not exist.");
        return Parse(File.ReadAllText(path), path);
    }

    public static ClientProperties Parse(string text, string source)
    {
        var properties = new List<KeyValuePair<string, string>>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i].TrimEnd('\r').TrimStart();
            if (line.Length == 0 || line[0] is '#' or '!')
                continue;
            // A trailing backslash joins the next line, its leading blanks dropped, as in Java properties files.
            var entry = new StringBuilder();
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                entry.Append(line, 0, line.Length - 1);
                line = lines[++i].TrimEnd('\r').TrimStart();
            }
            entry.Append(line);
            var logical = entry.ToString();
            var separator = logical.IndexOfAny(['=', ':']);
            if (separator <= 0)
                throw new ClientConfigException($"{source}:{number}: expected name=value, got '{logical.Trim()}'.");
            properties.Add(KeyValuePair.Create(logical[..separator].Trim(), logical[(separator + 1)..].Trim()));
        }
        return new ClientProperties(properties);
    }

    /// <summary>
    /// Copies the properties onto a client config and settles the bootstrap servers: an explicit flag wins over the
    /// file, the file over <see cref="DefaultBootstrap"/>.
    /// </summary>
    public T ApplyTo<T>(T config, string? bootstrapFlag) where T : ClientConfig
    {
        foreach (var (name, value) in _properties)
            config.Set(name, value);
        config.BootstrapServers = string.IsNullOrWhiteSpace(bootstrapFlag) ? Bootstrap ?? DefaultBootstrap : bootstrapFlag;
        return config;
    }
}

/// <summary>A client configuration that cannot work: a missing file, a malformed line, a bad value.</summary>
public sealed class ClientConfigException(string message) : Exception(message);
