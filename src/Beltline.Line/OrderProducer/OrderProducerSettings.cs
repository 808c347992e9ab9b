using System.Globalization;
using Beltline.Line.Kafka;

namespace Beltline.Line.OrderProducer;

/// <summary>
/// What one invocation does, from the function's environment as in the original Lambda: <c>MESSAGE_COUNT</c>
/// (default 0), <c>BOOTSTRAP_SERVER</c> and <c>TOPIC_NAME</c> (both required), plus client properties for security
/// settings (the original signs in with MSK IAM; here any librdkafka properties).
/// </summary>
public sealed record OrderProducerSettings(int MessageCount, string BootstrapServers, string TopicName)
{
    public const string MessageCountVariable = "MESSAGE_COUNT";
    public const string BootstrapVariable = "BOOTSTRAP_SERVER";
    public const string TopicVariable = "TOPIC_NAME";

    public ClientProperties Client { get; init; } = ClientProperties.Empty;

    /// <summary>The original Lambda's timeout: creating the topic, sending and flushing must fit in it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Reads the settings from environment variables, each overridable (the CLI's flags); a missing bootstrap or
    /// topic, or a count that is not a non-negative integer, is an <see cref="OrderProducerConfigException"/>.
    /// </summary>
    public static OrderProducerSettings From(Func<string, string?> environment, int? count = null, string? bootstrap = null, string? topic = null)
    {
        var errors = new List<string>();
        var messageCount = count ?? ParseCount(environment(MessageCountVariable), errors);
        if (messageCount < 0)
            errors.Add($"The message count must be 0 or more, got {messageCount}.");
        var servers = Coalesce(bootstrap, environment(BootstrapVariable));
        if (servers is null)
            errors.Add($"No Kafka bootstrap servers: set {BootstrapVariable} (or --bootstrap).");
        var topicName = Coalesce(topic, environment(TopicVariable));
        if (topicName is null)
            errors.Add($"No topic: set {TopicVariable} (or --topic).");
        if (errors.Count > 0)
            throw new OrderProducerConfigException(string.Join(" ", errors));
        return new OrderProducerSettings(messageCount, servers!, topicName!);
    }

    private static int ParseCount(string? raw, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(raw))
            return 0;
        if (int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            return value;
        errors.Add($"{MessageCountVariable}='{raw}' is not an integer.");
        return 0;
    }

    private static string? Coalesce(string? flag, string? variable) =>
        !string.IsNullOrWhiteSpace(flag) ? flag.Trim() : !string.IsNullOrWhiteSpace(variable) ? variable.Trim() : null;
}

/// <summary>The function cannot run with its configuration; the message says what to set.</summary>
public sealed class OrderProducerConfigException(string message) : Exception(message);
