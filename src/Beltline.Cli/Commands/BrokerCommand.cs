using System.CommandLine;
using Beltline.Broker;
using Beltline.Broker.Groups;
using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Microsoft.Extensions.Logging;

namespace Beltline.Cli.Commands;

/// <summary>The broker's settings as options (each also from a BELTLINE_* variable), shared by `broker` and `up`.</summary>
internal sealed class BrokerSettings
{
    public Option<int> Port { get; } = EnvironmentOption.Create("--port", "BELTLINE_PORT", 9092, "Kafka (PLAINTEXT) listener port.");
    public Option<string> Host { get; } = EnvironmentOption.Create("--host", "BELTLINE_HOST", "127.0.0.1", "Address to bind (and advertise, unless --advertised-host is given).");
    public Option<string?> AdvertisedHost { get; } = EnvironmentOption.Create<string?>("--advertised-host", "BELTLINE_ADVERTISED_HOST", null, "Host name clients are told to connect to (advertised.listeners); needed when --host is 0.0.0.0.");
    public Option<string> DataDir { get; } = EnvironmentOption.Create("--data-dir", "BELTLINE_DATA_DIR", Path.Combine(".beltline", "data"), "Directory for logs and metadata.");
    public Option<int> NodeId { get; } = EnvironmentOption.Create("--node-id", "BELTLINE_NODE_ID", 1, "Broker node id.");
    public Option<int> DefaultPartitions { get; } = EnvironmentOption.Create("--default-partitions", "BELTLINE_DEFAULT_PARTITIONS", 1, "Partitions of auto-created topics (num.partitions).");
    public Option<bool> AutoCreateTopics { get; } = EnvironmentOption.Create("--auto-create-topics", "BELTLINE_AUTO_CREATE_TOPICS", true, "Create topics on first use (auto.create.topics.enable).");
    public Option<bool> Durable { get; } = EnvironmentOption.Create("--durable", "BELTLINE_DURABLE", false, "Fsync before acknowledging acks=all (group commit).");
    public Option<bool> PageCache { get; } = EnvironmentOption.Create("--page-cache", "BELTLINE_PAGE_CACHE", false, "Write segments through the page cache, as Kafka does, instead of direct I/O.");
    public Option<int?> MetricsPort { get; } = EnvironmentOption.Create<int?>("--metrics-port", "BELTLINE_METRICS_PORT", 11001, "Prometheus /metrics port (MSK open monitoring uses 11001); 0 picks a free port.");
    public Option<string[]> Configs { get; } = new("--config")
    {
        Description = "Broker default of a topic config, e.g. --config retention.ms=3600000, or a group coordinator config (group.*, offsets.*) (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };
    public Option<int?> TlsPort { get; } = EnvironmentOption.Create<int?>("--tls-port", "BELTLINE_TLS_PORT", null, "SSL listener port (MSK's 9094); needs --tls-cert and --tls-key.");
    public Option<string?> TlsCert { get; } = EnvironmentOption.Create<string?>("--tls-cert", "BELTLINE_TLS_CERT", null, "The broker's certificate (PEM), e.g. from `beltline ca issue broker`.");
    public Option<string?> TlsKey { get; } = EnvironmentOption.Create<string?>("--tls-key", "BELTLINE_TLS_KEY", null, "The broker certificate's private key (PEM).");
    public Option<string?> TlsClientCa { get; } = EnvironmentOption.Create<string?>("--tls-client-ca", "BELTLINE_TLS_CLIENT_CA", null, "CA certificate (PEM) whose client certificates the SSL listener accepts (mutual TLS; the subject becomes the principal).");
    public Option<int?> SaslPort { get; } = EnvironmentOption.Create<int?>("--sasl-port", "BELTLINE_SASL_PORT", null, "SASL_SSL listener port (MSK's 9096): SCRAM over TLS; needs --tls-cert and --tls-key.");
    public Option<bool> SaslPlain { get; } = EnvironmentOption.Create("--sasl-plain", "BELTLINE_SASL_PLAIN", false, "Also offer SASL/PLAIN on the SASL_SSL listener (checked against the SCRAM credentials).");
    public Option<bool> Authorizer { get; } = EnvironmentOption.Create("--authorizer", "BELTLINE_AUTHORIZER", false, "Check every request against the ACLs (what no ACL allows is denied).");
    public Option<string?> SuperUsers { get; } = EnvironmentOption.Create<string?>("--super-users", "BELTLINE_SUPER_USERS", null, "Principals allowed everything, separated by ';' (super.users), e.g. User:admin.");
    public Option<bool> Plaintext { get; } = EnvironmentOption.Create("--plaintext", "BELTLINE_PLAINTEXT", true, "Keep the PLAINTEXT listener on --port (false: TLS only).");
    public Option<LogFormat> LogFormat { get; } = EnvironmentOption.Create("--log-format", "BELTLINE_LOG_FORMAT", Cli.LogFormat.Text, "Log line format.");
    public Option<LogLevel> LogLevel { get; } = EnvironmentOption.Create("--log-level", "BELTLINE_LOG_LEVEL", Microsoft.Extensions.Logging.LogLevel.Information, "Minimum log level.");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Port, Host, AdvertisedHost, DataDir, NodeId, DefaultPartitions, AutoCreateTopics, Durable, PageCache, MetricsPort, TlsPort, TlsCert, TlsKey, TlsClientCa, SaslPort, SaslPlain, Authorizer, SuperUsers, Plaintext, Configs, LogFormat, LogLevel })
            command.Add(option);
    }

    /// <summary>Errors in the settings, each naming its option; empty when they can work.</summary>
    private IReadOnlyList<string> Validate(ParseResult result)
    {
        var errors = new List<string>();
        if (result.GetValue(Port) is < 0 or > 65535)
            errors.Add($"--port must be in 0-65535, got {result.GetValue(Port)}.");
        if (result.GetValue(DefaultPartitions) < 1)
            errors.Add($"--default-partitions must be at least 1, got {result.GetValue(DefaultPartitions)}.");
        if (result.GetValue(NodeId) < 0)
            errors.Add($"--node-id must be >= 0, got {result.GetValue(NodeId)}.");
        if (result.GetValue(MetricsPort) is < 0 or > 65535)
            errors.Add($"--metrics-port must be in 0-65535, got {result.GetValue(MetricsPort)}.");
        if (!System.Net.IPAddress.TryParse(result.GetValue(Host), out var bind))
            errors.Add($"--host must be an IP address to bind (e.g. 127.0.0.1), got '{result.GetValue(Host)}'.");
        else if ((bind.Equals(System.Net.IPAddress.Any) || bind.Equals(System.Net.IPAddress.IPv6Any)) && string.IsNullOrWhiteSpace(result.GetValue(AdvertisedHost)))
            errors.Add($"--host {bind} binds every interface, which clients cannot connect to: add --advertised-host with the name they should use.");
        if (result.GetValue(SaslPort) is { } saslPort)
        {
            if (saslPort is < 0 or > 65535)
                errors.Add($"--sasl-port must be in 0-65535, got {saslPort}.");
            if (string.IsNullOrWhiteSpace(result.GetValue(TlsCert)) || string.IsNullOrWhiteSpace(result.GetValue(TlsKey)))
                errors.Add("--sasl-port needs --tls-cert and --tls-key: SASL runs over TLS (SASL_SSL).");
        }
        if (result.GetValue(TlsPort) is { } tlsPort)
        {
            if (tlsPort is < 0 or > 65535)
                errors.Add($"--tls-port must be in 0-65535, got {tlsPort}.");
            if (string.IsNullOrWhiteSpace(result.GetValue(TlsCert)) || string.IsNullOrWhiteSpace(result.GetValue(TlsKey)))
                errors.Add("--tls-port needs --tls-cert and --tls-key (`beltline ca issue broker broker` makes them).");
            foreach (var (name, path) in new[] { ("--tls-cert", result.GetValue(TlsCert)), ("--tls-key", result.GetValue(TlsKey)), ("--tls-client-ca", result.GetValue(TlsClientCa)) })
                if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
                    errors.Add($"{name} {path}: no such file.");
            if (tlsPort != 0 && result.GetValue(Plaintext) && tlsPort == result.GetValue(Port))
                errors.Add($"--tls-port and --port are both {tlsPort}.");
        }
        else if (result.GetValue(SaslPort) is null && (!string.IsNullOrWhiteSpace(result.GetValue(TlsCert)) || !string.IsNullOrWhiteSpace(result.GetValue(TlsClientCa))))
            errors.Add("--tls-cert and --tls-client-ca need --tls-port or --sasl-port.");
        if (!result.GetValue(Plaintext) && result.GetValue(TlsPort) is null && result.GetValue(SaslPort) is null)
            errors.Add("--plaintext false leaves no listener: add --tls-port or --sasl-port.");
        foreach (var principal in SuperUserList(result))
            if (!principal.StartsWith("User:", StringComparison.Ordinal) || principal.Length == 5)
                errors.Add($"--super-users: '{principal}' is not a principal like User:admin.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var config in result.GetValue(Configs) ?? [])
        {
            if (ParseConfig(config) is { Error: { } error })
                errors.Add(error);
            else if (!seen.Add(config.Split('=', 2)[0]))
                errors.Add($"--config {config.Split('=', 2)[0]} is given more than once.");
        }
        return errors;
    }

    /// <summary>
    /// Runs <paramref name="run"/> as the command's action once the settings check out (else exit code 2, each
    /// error on stderr), with the broker options and the log factory they describe.
    /// </summary>
    public void SetAction(Command command, Func<ParseResult, BrokerOptions, ILoggerFactory, CancellationToken, Task<int>> run) =>
        command.SetAction(async (result, cancellationToken) =>
        {
            if (Validate(result) is { Count: > 0 } errors)
            {
                foreach (var error in errors)
                    result.InvocationConfiguration.Error.WriteLine(error);
                return 2;
            }
            using var loggerFactory = Logging.Create(result.GetValue(LogFormat), result.GetValue(LogLevel));
            BrokerOptions options;
            try
            {
                options = ToOptions(result, loggerFactory);
            }
            catch (ArgumentException e)   // a TLS file that is not a usable certificate or key
            {
                result.InvocationConfiguration.Error.WriteLine(e.Message);
                return 2;
            }
            return await run(result, options, loggerFactory, cancellationToken);
        });

    private BrokerOptions ToOptions(ParseResult result, ILoggerFactory loggerFactory) => new()
    {
        NodeId = result.GetValue(NodeId),
        Host = result.GetValue(Host)!,
        AdvertisedHost = string.IsNullOrWhiteSpace(result.GetValue(AdvertisedHost)) ? null : result.GetValue(AdvertisedHost),
        Listeners = Listeners(result),
        AuthorizerEnabled = result.GetValue(Authorizer),
        SuperUsers = SuperUserList(result).ToHashSet(StringComparer.Ordinal),
        DataDir = result.GetValue(DataDir)!,
        DefaultPartitions = result.GetValue(DefaultPartitions),
        AutoCreateTopics = result.GetValue(AutoCreateTopics),
        Durable = result.GetValue(Durable),
        DirectIo = !result.GetValue(PageCache),
        MetricsPort = result.GetValue(MetricsPort),
        TopicConfigDefaults = (result.GetValue(Configs) ?? []).Select(ParseConfig)
            .Where(c => !GroupCoordinatorOptions.ConfigNames.Contains(c.Name!)).ToDictionary(c => c.Name!, c => c.Value!),
        Groups = (result.GetValue(Configs) ?? []).Select(ParseConfig)
            .Where(c => GroupCoordinatorOptions.ConfigNames.Contains(c.Name!))
            .Aggregate(new GroupCoordinatorOptions(), (groups, c) => groups.With(c.Name!, c.Value!).Options!),
        LoggerFactory = loggerFactory,
    };

    private IEnumerable<string> SuperUserList(ParseResult result) =>
        (result.GetValue(SuperUsers) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>PLAINTEXT on --port (unless --plaintext false) and SSL on --tls-port, MSK's 9092 and 9094.</summary>
    private List<ListenerOptions> Listeners(ParseResult result)
    {
        var listeners = new List<ListenerOptions>();
        if (result.GetValue(Plaintext))
            listeners.Add(new ListenerOptions("PLAINTEXT", result.GetValue(Port), SecurityProtocol.Plaintext));
        var clientCa = string.IsNullOrWhiteSpace(result.GetValue(TlsClientCa)) ? null : result.GetValue(TlsClientCa);
        if (result.GetValue(TlsPort) is { } tlsPort)
            listeners.Add(new ListenerOptions("SSL", tlsPort, SecurityProtocol.Ssl) { Tls = TlsSettings.Load(result.GetValue(TlsCert)!, result.GetValue(TlsKey)!, clientCa) });
        if (result.GetValue(SaslPort) is { } saslPort)
            listeners.Add(new ListenerOptions("SASL_SSL", saslPort, SecurityProtocol.SaslSsl)
            {
                Tls = TlsSettings.Load(result.GetValue(TlsCert)!, result.GetValue(TlsKey)!, null),
                SaslMechanisms = result.GetValue(SaslPlain) ? ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] : ["SCRAM-SHA-512", "SCRAM-SHA-256"],
            });
        return listeners;
    }

    private static (string? Name, string? Value, string? Error) ParseConfig(string text)
    {
        var parts = text.Split('=', 2);
        if (parts.Length != 2)
            return (null, null, $"--config '{text}' must look like name=value.");
        var error = GroupCoordinatorOptions.ConfigNames.Contains(parts[0])
            ? new GroupCoordinatorOptions().With(parts[0], parts[1]).Error
            : TopicConfigs.ValidateAll([KeyValuePair.Create(parts[0], (string?)parts[1])]);
        return error is null ? (parts[0], parts[1], null) : (null, null, $"--config {text}: {error}");
    }
}

/// <summary><c>beltline broker</c>: one broker node in the foreground until Ctrl+C / SIGTERM.</summary>
internal static class BrokerCommand
{
    public static Command Create()
    {
        var settings = new BrokerSettings();
        var command = new Command("broker", "Run one Kafka-compatible broker node in the foreground until Ctrl+C or SIGTERM.");
        settings.AddTo(command);
        settings.SetAction(command, async (result, options, loggerFactory, cancellationToken) =>
        {
            var logger = loggerFactory.CreateLogger("Beltline.Cli");
            try
            {
                await using var broker = await BeltlineBroker.StartAsync(options, cancellationToken);
                logger.LogInformation("Broker ready: bootstrap.servers={Bootstrap}{Metrics}", broker.BootstrapServers,
                    broker.MetricsPort is { } port ? $", metrics http://{options.EffectiveAdvertisedHost}:{port}/metrics" : "");
                if (broker.BootstrapServersFor(SecurityProtocol.SaslSsl) is { } sasl)
                    logger.LogInformation("SASL_SSL listener: bootstrap.servers={Bootstrap} with security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512", sasl);
                if (broker.BootstrapServersFor(SecurityProtocol.Ssl) is { } tls)
                    logger.LogInformation("TLS listener: bootstrap.servers={Bootstrap} with security.protocol=SSL{Mutual}", tls,
                        options.Listeners.Any(l => l.Tls?.ClientCa is not null) ? " (client certificates accepted)" : "");
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return 0;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                logger.LogError("Broker failed to start: {Message}", e.Message);
                return 1;
            }
        });
        return command;
    }
}
