using System.CommandLine;
using System.CommandLine.Invocation;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Beltline.Line.Kafka;
using Confluent.Kafka;

namespace Beltline.Cli.Commands.Kafka;

/// <summary>How a Kafka tool prints its results: tables for people, JSON for scripts.</summary>
internal enum OutputFormat
{
    Table,
    Json,
}

/// <summary>Exit codes shared by every Kafka tool.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Kafka said no, a topic or group does not exist, the broker cannot be reached, a delivery failed.</summary>
    public const int Failure = 1;
    /// <summary>The command line or the client config cannot work; nothing was sent.</summary>
    public const int BadArguments = 2;
}

/// <summary>Bad arguments found after parsing (a missing choice, a malformed value): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>An operation that failed for a reason worth one clear line (unknown topic, refused reset): exit code 1.</summary>
internal sealed class ToolFailureException(string message) : Exception(message);

/// <summary>
/// The options every Kafka tool shares (<c>--bootstrap</c>, <c>--command-config</c>, <c>--output</c>,
/// <c>--request-timeout</c>) and the clients they configure.
/// </summary>
internal sealed class KafkaToolOptions
{
    public const int DefaultRequestTimeoutMs = 10_000;

    public ClientOptions Client { get; } = new();

    public Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "table (for people) or json (for scripts).",
        HelpName = "table|json",
        DefaultValueFactory = _ => OutputFormat.Table,
    };

    public Option<int> RequestTimeout { get; } = new("--request-timeout")
    {
        Description = "Milliseconds to wait for Kafka on each request; an unreachable broker fails after this.",
        HelpName = "ms",
        DefaultValueFactory = _ => DefaultRequestTimeoutMs,
    };

    public void AddTo(Command command)
    {
        Client.AddTo(command);
        command.Add(Output);
        command.Add(RequestTimeout);
    }

    public bool IsJson(ParseResult result) => result.GetValue(Output) == OutputFormat.Json;

    public TimeSpan Timeout(ParseResult result) => TimeSpan.FromMilliseconds(result.GetValue(RequestTimeout));

    /// <summary>An admin client that has reached the cluster: cluster metadata within the request timeout, else a failure naming the bootstrap servers.</summary>
    public (IAdminClient Admin, Metadata Metadata) Connect(ParseResult result)
    {
        var config = Client.Config(result, new AdminClientConfig());
        var admin = KafkaClients.Build(() => new AdminClientBuilder(config).SetLogHandler(KafkaReachability.Quiet).Build());
        try
        {
            return (admin, KafkaReachability.Metadata(admin, config.BootstrapServers, Timeout(result)));
        }
        catch
        {
            admin.Dispose();
            throw;
        }
    }

    /// <summary>Errors in the shared options; the tools add their own.</summary>
    public void Validate(ParseResult result)
    {
        if (result.GetValue(RequestTimeout) <= 0)
            throw new UsageException($"--request-timeout must be a positive number of milliseconds, got {result.GetValue(RequestTimeout)}.");
    }
}

/// <summary>Building Confluent clients and talking to the cluster the way every tool needs.</summary>
internal static class KafkaClients
{
    /// <summary>Builds a client; a property librdkafka rejects (from --command-config) is a configuration error.</summary>
    public static T Build<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KafkaException { Error.IsLocalError: true })
        {
            throw new ClientConfigException($"Invalid client configuration: {e.Message}");
        }
    }

    /// <summary>The topic's metadata, or a failure saying it does not exist.</summary>
    public static TopicMetadata RequireTopic(Metadata metadata, string topic)
    {
        var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
        if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart)
            throw new ToolFailureException($"Topic '{topic}' does not exist.");
        if (found.Error.IsError)
            throw new ToolFailureException($"Topic '{topic}': {found.Error.Reason}.");
        return found;
    }
}

/// <summary>Runs a tool's action with the errors every tool reports the same way.</summary>
internal static class KafkaTool
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>
    /// Sets <paramref name="run"/> as the command's action. Parse errors reach it too, so that bad arguments exit
    /// with 2 like every other argument error instead of System.CommandLine's 1.
    /// </summary>
    public static void SetAction(Command command, Func<ParseResult, CancellationToken, Task<int>> run) =>
        command.Action = new ToolAction(run);

    public static void WriteError(ParseResult result, string message) =>
        result.InvocationConfiguration.Error.WriteLine($"Error: {message}");

    public static void WriteJson<T>(ParseResult result, T value) =>
        result.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>One compact JSON document per line (JSON Lines), for streams of records.</summary>
    public static string JsonLine<T>(T value) => JsonSerializer.Serialize(value, CompactJsonOptions);

    private static readonly JsonSerializerOptions CompactJsonOptions = new(JsonOptions) { WriteIndented = false };

    public static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed class ToolAction(Func<ParseResult, CancellationToken, Task<int>> run) : AsynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override async Task<int> InvokeAsync(ParseResult result, CancellationToken cancellationToken)
        {
            // The tools block (consume loops, flushes): hand the caller its task first, so that System.CommandLine
            // installs its Ctrl+C / SIGTERM handler, which cancels the token, before the work starts.
            await Task.Yield();
            var parseErrors = result.Errors.Select(e => e.Message)
                .Concat(result.UnmatchedTokens.Select(t => $"Unrecognized argument '{t}'.")).ToList();
            if (parseErrors.Count > 0)
            {
                foreach (var error in parseErrors)
                    WriteError(result, error);
                result.InvocationConfiguration.Error.WriteLine($"See '{CommandPath(result)} --help'.");
                return ExitCodes.BadArguments;
            }
            try
            {
                return await run(result, cancellationToken);
            }
            catch (Exception e) when (e is UsageException or ClientConfigException)
            {
                WriteError(result, e.Message);
                return ExitCodes.BadArguments;
            }
            catch (Exception e) when (e is ToolFailureException or KafkaUnreachableException)
            {
                WriteError(result, e.Message);
                return ExitCodes.Failure;
            }
            catch (KafkaException e)
            {
                WriteError(result, e.Message);
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Failure;
            }
        }

        private static string CommandPath(ParseResult result)
        {
            var names = new List<string>();
            for (var symbol = result.CommandResult; symbol is not null; symbol = symbol.Parent as System.CommandLine.Parsing.CommandResult)
                names.Insert(0, symbol.Command is RootCommand ? "beltline" : symbol.Command.Name);
            return string.Join(' ', names);
        }
    }
}
