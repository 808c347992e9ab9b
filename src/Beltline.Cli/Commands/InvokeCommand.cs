using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Beltline.Cli.Commands.Kafka;
using Beltline.Line.Kafka;
using Beltline.Line.OrderProducer;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Beltline.Cli.Commands;

/// <summary>
/// <c>beltline invoke order-producer</c>: runs the order-producer function locally as Lambda would, with its
/// environment (MESSAGE_COUNT, BOOTSTRAP_SERVER, TOPIC_NAME) overridable by flags, and prints its response.
/// <c>--every</c> repeats it like the template's (disabled) EventBridge rule <c>rate(1 minute)</c>.
/// </summary>
internal static partial class InvokeCommand
{
    public static Command Create()
    {
        var client = new ClientOptions();
        var count = new Option<int?>("--count") { Description = $"Orders to send (overrides {OrderProducerSettings.MessageCountVariable})." };
        var topic = new Option<string?>("--topic") { Description = $"Topic (overrides {OrderProducerSettings.TopicVariable})." };
        var every = new Option<string?>("--every") { Description = "Invoke again at this interval until Ctrl+C, e.g. 1m, 30s, 2h (EventBridge's rate(1 minute) is 1m)." };
        var orderProducer = new Command("order-producer", "The order-producer function (the workshop's Lambda): creates the topic if missing, sends orders, prints the response.");
        client.AddTo(orderProducer);
        orderProducer.Add(count);
        orderProducer.Add(topic);
        orderProducer.Add(every);
        KafkaTool.SetAction(orderProducer, async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            OrderProducerSettings settings;
            TimeSpan? interval = null;
            try
            {
                if (result.GetValue(every) is { } text)
                    interval = ParseInterval(text) ?? throw new UsageException($"--every '{text}' is not an interval such as 30s, 1m or 2h.");
                // Flag, then the function's BOOTSTRAP_SERVER, then the --command-config file's bootstrap.servers.
                var properties = client.Properties(result);
                var bootstrap = result.GetValue(client.Bootstrap);
                if (string.IsNullOrWhiteSpace(bootstrap) && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OrderProducerSettings.BootstrapVariable)))
                    bootstrap = properties.Bootstrap;
                settings = OrderProducerSettings.From(Environment.GetEnvironmentVariable, result.GetValue(count), bootstrap, result.GetValue(topic)) with { Client = properties };
            }
            catch (OrderProducerConfigException e)
            {
                throw new UsageException(e.Message);
            }

            using var loggerFactory = Logging.Create(LogFormat.Text, LogLevel.Information, toStandardError: true);
            var function = new OrderProducerFunction(loggerFactory.CreateLogger("Beltline.OrderProducer"));
            var exit = 0;
            do
            {
                try
                {
                    var response = await function.InvokeAsync(settings, cancellationToken);
                    output.WriteLine(response.ToJson());
                    exit = response.StatusCode == 200 ? 0 : 1;
                }
                catch (Exception e) when (interval is not null && e is KafkaException or KafkaUnreachableException)
                {
                    // A scheduled function that fails is retried at the next tick, as EventBridge would.
                    KafkaTool.WriteError(result, e.Message);
                    exit = 1;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                if (interval is { } wait)
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            while (interval is not null && !cancellationToken.IsCancellationRequested);
            return exit;
        });

        return new Command("invoke", "Invoke one of the line's functions locally, as its cloud runtime would.") { orderProducer };
    }

    /// <summary>"30s", "1m", "2h", "500ms", or EventBridge's "rate(1 minute)" / "rate(5 minutes)".</summary>
    internal static TimeSpan? ParseInterval(string text)
    {
        var match = IntervalPattern().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
            return null;
        return match.Groups["unit"].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" or "second" or "seconds" => TimeSpan.FromSeconds(n),
            "m" or "minute" or "minutes" => TimeSpan.FromMinutes(n),
            "h" or "hour" or "hours" => TimeSpan.FromHours(n),
            "d" or "day" or "days" => TimeSpan.FromDays(n),
            _ => null,
        };
    }

    [GeneratedRegex(@"^(?:rate\(\s*(?<n>\d+)\s+(?<unit>seconds?|minutes?|hours?|days?)\s*\)|(?<n>\d+)\s*(?<unit>ms|s|m|h|d))$")]
    private static partial Regex IntervalPattern();
}
