using Beltline.Broker;
using Beltline.Broker.Network;
using Beltline.Dashboard;
using Beltline.Line.Clickstream;
using Beltline.Line.Kafka;
using Beltline.Line.ClickstreamProcessor;
using Beltline.Line.OrderProducer;
using Beltline.Line.SearchSink;
using Beltline.Search;
using Beltline.Streams;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Beltline.Cli;

/// <summary>
/// Every station of the line in one process, each talking to the others only through Kafka and the search REST API,
/// as at scale. Data lives under one directory: broker/, search/, processor/ (checkpoints), clickstream/ (bookmark).
/// </summary>
internal sealed class FactoryLine(string dataDir, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    public const string ClickstreamTopic = "clickstream";
    public const string OrdersTopic = "orders";
    public const int ClickstreamPartitions = 3;
    private const int InitialOrders = 10;

    public static IReadOnlyList<string> Topics { get; } =
        [ClickstreamTopic, OrdersTopic, ClickstreamJobOptions.DefaultSessionsTopic, ClickstreamJobOptions.DefaultSessionCountsTopic, ClickstreamJobOptions.DefaultDepartmentsTopic];

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private KafkaJobRunner? _processor;
    private SearchSinkRunner? _sink;
    private ClickstreamProducer? _clicks;
    private KafkaClickEventSink? _clickSink;

    public BeltlineBroker? Broker { get; private set; }

    public SearchServer? Search { get; private set; }

    public DashboardServer? Dashboard { get; private set; }

    /// <summary>Why a station stopped on its own (the line is then broken), or null.</summary>
    public string? Failure => _running.FirstOrDefault(t => t.IsFaulted)?.Exception?.GetBaseException().Message;

    /// <summary>The CA, users, ACLs and client files of <c>up --secure</c>; null for the open line.</summary>
    public SecureLine? Secure { get; private set; }

    /// <param name="secure">TLS and SASL_SSL ports for a secured line (no PLAINTEXT, ACLs on); null for the open line.</param>
    public async Task StartAsync(int brokerPort, int searchPort, int dashboardPort, int? metricsPort, (int Tls, int Sasl)? secure, Action<string> progress, CancellationToken cancellationToken)
    {
        var brokerOptions = new BrokerOptions
        {
            Listeners = [new ListenerOptions("PLAINTEXT", brokerPort, Beltline.Broker.Network.SecurityProtocol.Plaintext)],
            DataDir = Path.Combine(dataDir, "broker"),
            MetricsPort = metricsPort,
            LoggerFactory = loggerFactory,
        };
        if (secure is { } ports)
        {
            progress("Preparing the CA, users and ACLs…");
            Secure = SecureLine.Prepare(dataDir, brokerOptions);
            brokerOptions = brokerOptions with
            {
                Listeners = Secure.Listeners(ports.Tls, ports.Sasl),
                AuthorizerEnabled = true,
                SuperUsers = new HashSet<string> { "User:" + SecureLine.Admin },
            };
        }
        progress("Starting the broker…");
        Broker = await BeltlineBroker.StartAsync(brokerOptions, cancellationToken);
        var bootstrap = Broker.BootstrapServers;
        if (Secure is not null)
        {
            Secure.WriteClientFiles(Broker.BootstrapServersFor(Beltline.Broker.Network.SecurityProtocol.SaslSsl)!, Broker.BootstrapServersFor(Beltline.Broker.Network.SecurityProtocol.Ssl)!);
            bootstrap = Secure.SaslBootstrap;
        }
        // Each station connects as itself on a secured line.
        T As<T>(T config, string user) where T : ClientConfig
        {
            config.BootstrapServers = bootstrap;
            return Secure is null ? config : Secure.As(config, user);
        }

        progress("Creating the topics…");
        await CreateTopicsAsync(As(new AdminClientConfig(), SecureLine.Admin), Secure is not null);

        progress("Starting the search store…");
        Search = await SearchServer.StartAsync(new SearchServerOptions
        {
            Port = searchPort,
            DataDir = Path.Combine(dataDir, "search"),
            User = Secure is null ? null : SecureLine.Admin,
            Password = Secure?.AdminPassword,
            LoggerFactory = loggerFactory,
        }, cancellationToken);

        progress("Starting the processor and the search sink…");
        var job = new ClickstreamJob();
        _processor = new KafkaJobRunner(job,
            As(new ConsumerConfig { GroupId = "flink-clickstream-processor", GroupInstanceId = "clickstream-processor", ClientId = "clickstream-processor" }, SecureLine.Processor),
            As(new ProducerConfig { ClientId = "clickstream-processor", Acks = Acks.All, EnableIdempotence = true, LingerMs = 5 }, SecureLine.Processor),
            new KafkaJobOptions { InputTopic = ClickstreamTopic, StateDirectory = Path.Combine(dataDir, "processor") },
            loggerFactory.CreateLogger("Beltline.Processor"));
        _running.Add(_processor.RunAsync(_stop.Token));
        _sink = new SearchSinkRunner(As(new ConsumerConfig { GroupId = "search-sink", ClientId = "search-sink" }, SecureLine.SearchSink),
            new SearchClient(_http, Search.BaseAddress, Secure is null ? null : SecureLine.Admin, Secure?.AdminPassword),
            ClickstreamIndices.TopicsToIndices(), new SearchSinkOptions(), loggerFactory.CreateLogger("Beltline.SearchSink"));
        _running.Add(_sink.RunAsync(_stop.Token));

        progress("Starting the dashboard…");
        Dashboard = await DashboardServer.StartAsync(new DashboardOptions
        {
            Port = dashboardPort,
            SearchEndpoint = Search.BaseAddress,
            SearchUser = Secure is null ? null : SecureLine.Admin,
            SearchPassword = Secure?.AdminPassword,
            User = Secure is null ? null : SecureLine.Admin,
            Password = Secure?.AdminPassword,
            Kafka = As(new ClientConfig(), SecureLine.Dashboard),
            Processor = ProcessorView,
            LoggerFactory = loggerFactory,
        }, cancellationToken);

        progress("Starting the clickstream producer…");
        var clickConfig = As(KafkaClickEventSink.OriginalDefaults(), SecureLine.ClickstreamProducer);
        _clickSink = new KafkaClickEventSink(clickConfig, ClickstreamTopic);
        _clicks = new ClickstreamProducer(new ClickstreamOptions { Threads = 2, BookmarkPath = Path.Combine(dataDir, "clickstream", "bookmark.txt") },
            _clickSink, loggerFactory.CreateLogger("Beltline.Clickstream"));
        _running.Add(_clicks.RunAsync(_stop.Token));

        progress("Invoking the order producer…");
        var orderClient = Secure is null ? ClientProperties.Empty
            : ClientProperties.Parse(string.Join('\n', Secure.SaslProperties(SecureLine.OrderProducer).Select(p => $"{p.Key}={p.Value}")), "up --secure");
        var orders = await new OrderProducerFunction(loggerFactory.CreateLogger("Beltline.OrderProducer"))
            .InvokeAsync(new OrderProducerSettings(InitialOrders, bootstrap, OrdersTopic) { Client = orderClient }, cancellationToken);
        if (orders.StatusCode != 200)
            throw new InvalidOperationException($"The order producer answered {orders.StatusCode}: {orders.Body}");
    }

    private ProcessorView ProcessorView()
    {
        var status = _processor!.Status;
        return new ProcessorView(status.Watermark, status.Late, status.Bad, status.Outputs);
    }

    /// <summary>The clicks topic gets the partitions the processor's watermarks are tested with; the result topics one each, like Kafka's default.</summary>
    /// <remarks>A secured line also gets the topic of the workshop's authorization demo (alice may not use it).</remarks>
    private static async Task CreateTopicsAsync(AdminClientConfig config, bool secured)
    {
        using var admin = new AdminClientBuilder(config).Build();
        var existing = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToHashSet();
        var missing = new[] { (ClickstreamTopic, ClickstreamPartitions), (ClickstreamJobOptions.DefaultSessionsTopic, 1), (ClickstreamJobOptions.DefaultSessionCountsTopic, 1), (ClickstreamJobOptions.DefaultDepartmentsTopic, 1) }
            .Concat(secured ? [(SecureLine.AliceDeniedTopic, 1)] : [])
            .Where(t => !existing.Contains(t.Item1))
            .Select(t => new TopicSpecification { Name = t.Item1, NumPartitions = t.Item2, ReplicationFactor = 1 }).ToList();
        if (missing.Count > 0)
            await admin.CreateTopicsAsync(missing);
    }

    public string StatusLine()
    {
        var clicks = _clicks?.Status;
        var processor = _processor?.Status;
        var sink = _sink?.Status;
        var watermark = processor?.Watermark is { } w and not long.MinValue ? DateTimeOffset.FromUnixTimeMilliseconds(w).ToString("HH:mm:ss") : "none yet";
        return $"{DateTime.Now:HH:mm:ss} clicks {clicks?.Delivered ?? 0:N0} · processed {processor?.Records ?? 0:N0} (watermark {watermark}, late {processor?.Late ?? 0:N0}) · results {processor?.Outputs ?? 0:N0} · indexed {sink?.Indexed ?? 0:N0}";
    }

    /// <summary>Stops the stations in reverse order of their dependencies, each finishing its work: a checkpoint, a flush, a commit.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var task in _running)
        {
            try
            {
                await task;
            }
            catch (Exception e) when (e is KafkaException or SearchUnavailableException or InvalidOperationException or OperationCanceledException)
            {
                // Reported through Failure while running; at shutdown the rest still has to stop.
            }
        }
        _clickSink?.Dispose();
        if (Dashboard is not null)
            await Dashboard.DisposeAsync();
        if (Search is not null)
            await Search.DisposeAsync();
        if (Broker is not null)
            await Broker.DisposeAsync();
        _http.Dispose();
        _stop.Dispose();
    }
}
