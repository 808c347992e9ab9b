using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Beltline.Line.Kafka;
using Microsoft.Extensions.Logging;

namespace Beltline.Line.OrderProducer;

/// <summary>What the function returns, as the original Lambda does: <c>{"statusCode":200,"body":"\"Lambda function executed!\""}</c>.</summary>
public sealed record OrderProducerResponse(int StatusCode, string Body)
{
    // Python's json.dumps escapes a quote as \", not as the default encoder's \u0022: the body must read the same.
    private static readonly JsonSerializerOptions PythonLikeEscaping = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static OrderProducerResponse Executed { get; } = WithMessage(200, "Lambda function executed!");

    /// <summary>A response whose body is a JSON string, as the original's <c>json.dumps(message)</c>.</summary>
    public static OrderProducerResponse WithMessage(int statusCode, string message) => new(statusCode, JsonSerializer.Serialize(message, PythonLikeEscaping));

    public string ToJson() => JsonSerializer.Serialize(new { statusCode = StatusCode, body = Body }, PythonLikeEscaping);
}

/// <summary>
/// The order-producer function, twin of the workshop's Lambda <c>kafka-producer-to-serverless-msk</c>: creates the
/// topic if it is missing (3 partitions, replication factor min(2, brokers)), sends MESSAGE_COUNT orders keyed by
/// customer, flushes, and answers like the original. Unlike the original (one constant message, no key, no flush),
/// every order is unique and every delivery is confirmed; failed deliveries turn the answer into a 500.
/// <para>
/// As an AWS Lambda it is a Stream handler (<c>Beltline.Line::Beltline.Line.OrderProducer.OrderProducerFunction::FunctionHandler</c>),
/// which needs no Amazon.Lambda.* package: the runtime passes the event's bytes and returns ours as they are.
/// </para>
/// </summary>
public sealed class OrderProducerFunction
{
    public const int Partitions = 3;

    private readonly ILogger _logger;
    private readonly OrderGenerator _orders;

    /// <summary>The Lambda runtime's constructor: logs go to stdout, which Lambda ships to CloudWatch.</summary>
    public OrderProducerFunction()
        : this(LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)).CreateLogger<OrderProducerFunction>())
    {
    }

    public OrderProducerFunction(ILogger logger, TimeProvider? clock = null, Random? random = null)
    {
        _logger = logger;
        _orders = new OrderGenerator(random ?? Random.Shared, clock ?? TimeProvider.System);
    }

    /// <summary>The Lambda entry point: the event (ignored, as by the original, but it must be JSON) and the environment in, the response out.</summary>
    public async Task<Stream> FunctionHandler(Stream input)
    {
        await EnsureJsonAsync(input);
        var response = await InvokeAsync(OrderProducerSettings.From(Environment.GetEnvironmentVariable), CancellationToken.None);
        return new MemoryStream(Encoding.UTF8.GetBytes(response.ToJson()));
    }

    public async Task<OrderProducerResponse> InvokeAsync(OrderProducerSettings settings, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        var started = DateTime.UtcNow;

        await EnsureTopicAsync(settings);

        var producerConfig = settings.Client.ApplyTo(new ProducerConfig
        {
            ClientId = "order-producer",
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            MessageTimeoutMs = (int)settings.Timeout.TotalMilliseconds,
        }, settings.BootstrapServers);
        using var producer = new ProducerBuilder<string, byte[]>(producerConfig).Build();
        var failures = 0;
        string? firstError = null;
        var produced = 0;
        for (; produced < settings.MessageCount && !deadline.IsCancellationRequested; produced++)
        {
            var order = _orders.Next();
            producer.Produce(settings.TopicName, new Message<string, byte[]> { Key = order.Key, Value = order.ToJson() }, report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstError, report.Error.Reason, null);
                }
            });
        }
        var undelivered = producer.Flush(RemainingOf(settings.Timeout, started));
        failures += undelivered + (settings.MessageCount - produced);
        if (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            firstError ??= $"the {settings.Timeout.TotalSeconds:0} s timeout passed";
        cancellationToken.ThrowIfCancellationRequested();

        if (failures > 0)
        {
            _logger.LogError("{Failed} of {Count} messages were not delivered to {Topic}: {Reason}", failures, settings.MessageCount, settings.TopicName, firstError);
            return OrderProducerResponse.WithMessage(500, $"{failures} of {settings.MessageCount} messages were not delivered: {firstError}");
        }
        _logger.LogInformation("Finished writing '{Count}' messages!", settings.MessageCount);
        return OrderProducerResponse.Executed;
    }

    /// <summary>Creates the topic unless it exists; another creator winning the race is fine.</summary>
    private async Task EnsureTopicAsync(OrderProducerSettings settings)
    {
        var adminConfig = settings.Client.ApplyTo(new AdminClientConfig { ClientId = "order-producer" }, settings.BootstrapServers);
        using var admin = new AdminClientBuilder(adminConfig).SetLogHandler(KafkaReachability.Quiet).Build();
        // All topics, not just ours: asking for one topic may auto-create it with the broker's default partitions.
        var metadata = KafkaReachability.Metadata(admin, settings.BootstrapServers, TimeSpan.FromSeconds(Math.Min(15, settings.Timeout.TotalSeconds)));
        if (metadata.Topics.Any(t => t.Topic == settings.TopicName && t.Error.Code == ErrorCode.NoError))
            return;
        var replicationFactor = (short)Math.Min(2, metadata.Brokers.Count);
        try
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = settings.TopicName, NumPartitions = Partitions, ReplicationFactor = replicationFactor }]);
            _logger.LogInformation("Created topic {Topic} with {Partitions} partitions, replication factor {ReplicationFactor}", settings.TopicName, Partitions, replicationFactor);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
        }
    }

    private static async Task EnsureJsonAsync(Stream input)
    {
        using var reader = new StreamReader(input, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        if (string.IsNullOrWhiteSpace(text))
            return;
        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The function's event is not JSON: {e.Message}", nameof(input), e);
        }
    }

    private static TimeSpan RemainingOf(TimeSpan timeout, DateTime started) =>
        TimeSpan.FromTicks(Math.Max(0, (timeout - (DateTime.UtcNow - started)).Ticks));
}
