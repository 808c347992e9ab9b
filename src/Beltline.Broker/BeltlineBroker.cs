using System.Diagnostics.Metrics;
using System.Net;
using Beltline.Broker.Groups;
using Beltline.Broker.Handlers;
using Beltline.Broker.Metadata;
using Beltline.Broker.Network;
using Beltline.Broker.Storage;
using Beltline.Broker.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace Beltline.Broker;

/// <summary>
/// A running Beltline broker node: Kafka listeners on sockets and pipes, partition logs under the data dir, metadata,
/// background retention and flushing, and an optional Prometheus /metrics endpoint.
/// <code>await using var broker = await BeltlineBroker.StartAsync(new BrokerOptions { ... });</code>
/// </summary>
public sealed class BeltlineBroker : IAsyncDisposable
{
    private const string CleanShutdownFile = ".clean-shutdown";
    /// <summary>Held exclusively while a broker runs on the data dir (offline tools check it too).</summary>
    public const string LockFile = ".lock";

    private readonly BrokerOptions _options;
    private readonly ILogger _logger;
    private readonly FileStream _dataDirLock;
    private readonly MetadataStore _metadata;
    private readonly TopicManager _topics;
    private readonly BrokerMetrics _metrics;
    private readonly GroupCommit? _groupCommit;
    private readonly GroupCoordinator _groups;
    private readonly BrokerNode _node;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<KafkaListener> _listeners = [];
    private WebApplication? _host;
    private Task _maintenance = Task.CompletedTask;
    private Task _cleaner = Task.CompletedTask;
    private int _disposed;

    /// <summary>The cluster's ACLs (enforced only with <see cref="BrokerOptions.AuthorizerEnabled"/>).</summary>
    public Beltline.Security.Acls.AclStore Acls { get; } = null!;

    private readonly Beltline.Security.Acls.Authorizer? _authorizer;

    /// <summary>The SCRAM users SASL listeners authenticate against.</summary>
    public Beltline.Security.Sasl.CredentialStore Credentials { get; } = null!;

    private BeltlineBroker(BrokerOptions options)
    {
        _options = options;
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Beltline.Broker");
        Directory.CreateDirectory(options.DataDir);
        _dataDirLock = LockDataDir(options.DataDir);
        try
        {
            var cleanMarker = Path.Combine(options.DataDir, CleanShutdownFile);
            var cleanShutdown = File.Exists(cleanMarker);
            File.Delete(cleanMarker);
            _metadata = MetadataStore.Open(options.DataDir, options.NodeId, loggerFactory.CreateLogger("Beltline.Metadata"));
            Credentials = Beltline.Security.Sasl.CredentialStore.Open(options.EffectiveCredentialsFile);
            Acls = Beltline.Security.Acls.AclStore.Open(options.EffectiveAclsFile);
            _authorizer = options.AuthorizerEnabled ? new Beltline.Security.Acls.Authorizer(Acls, options.SuperUsers) : null;
            _topics = new TopicManager(options, _metadata, loggerFactory);
            _topics.LoadLogs(cleanShutdown);
            if (!cleanShutdown && _metadata.Topics.Count > 0)
                _logger.LogWarning("Previous run did not stop cleanly; segments past each partition's recovery point were checked");
        }
        catch
        {
            _dataDirLock.Dispose();
            throw;
        }
        _groupCommit = options.Durable ? new GroupCommit(loggerFactory.CreateLogger("Beltline.GroupCommit")) : null;
        _groups = new GroupCoordinator(options.Groups, _topics, _groupCommit, options.TimeProvider, loggerFactory.CreateLogger("Beltline.Groups"));
        try
        {
            _groups.Load();
        }
        catch
        {
            _groupCommit?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _topics.Dispose();
            _metadata.Dispose();
            _dataDirLock.Dispose();
            throw;
        }
        _metrics = new BrokerMetrics(() => _topics.AllLogs.Select(l =>
            new Measurement<long>(l.SizeInBytes, new KeyValuePair<string, object?>("topic", l.Topic), new KeyValuePair<string, object?>("partition", l.Partition))),
            _groups.GroupMeasurements, () => _groups.MemberCount);
        _node = new BrokerNode(options, _topics, _metrics, _groupCommit, _groups);
    }

    /// <summary>The cluster id stored in the data dir (created on first start).</summary>
    public string ClusterId => _metadata.ClusterId;

    public int NodeId => _options.NodeId;

    /// <summary><c>host:port</c> of the first listener, for bootstrap.servers.</summary>
    public string BootstrapServers => $"{_options.EffectiveAdvertisedHost}:{Port}";

    /// <summary>Port of the first listener as bound.</summary>
    public int Port => _node.BoundPort(_options.Listeners[0]);

    /// <summary><c>host:port</c> of the listener with this security protocol (MSK's BootstrapBrokers, BootstrapBrokersTls), or null.</summary>
    public string? BootstrapServersFor(SecurityProtocol protocol) =>
        _options.Listeners.FirstOrDefault(l => l.SecurityProtocol == protocol) is { } listener
            ? $"{_options.EffectiveAdvertisedHost}:{_node.BoundPort(listener)}"
            : null;

    /// <summary>Port of the /metrics endpoint as bound, or null when disabled.</summary>
    public int? MetricsPort { get; private set; }

    /// <summary>Starts a broker; with no options, a throwaway one on a free port and a fresh temporary data dir.</summary>
    public static async Task<BeltlineBroker> StartAsync(BrokerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BrokerOptions
        {
            Listeners = [new ListenerOptions("PLAINTEXT", 0, SecurityProtocol.Plaintext)],
            DataDir = Path.Combine(Path.GetTempPath(), "beltline-" + Guid.NewGuid().ToString("N")),
        };
        options.Validate();
        var broker = new BeltlineBroker(options);
        try
        {
            await broker.StartHostAsync(cancellationToken);
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
        return broker;
    }

    private static FileStream LockDataDir(string dataDir)
    {
        try
        {
            // FileShare.None takes an exclusive flock on Unix: a second broker on the same dir fails here.
            return new FileStream(Path.Combine(dataDir, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"Data dir {Path.GetFullPath(dataDir)} is in use by another broker.", e);
        }
    }

    private async Task StartHostAsync(CancellationToken cancellationToken)
    {
        var loggerFactory = _options.LoggerFactory ?? NullLoggerFactory.Instance;
        var dispatcher = CreateDispatcher(loggerFactory);
        var address = IPAddress.Parse(_options.Host);
        var connectionLogger = loggerFactory.CreateLogger("Beltline.Connection");
        foreach (var listener in _options.Listeners)
        {
            var kafka = KafkaListener.Start(address, listener,
                client => new KafkaConnection(client, listener, dispatcher, _metrics, _options.MaxFrameBytes, connectionLogger, _stopping.Token, _authorizer, _options.SaslSessionLifetime).RunAsync(),
                connectionLogger);
            _listeners.Add(kafka);
            _node.SetBoundPort(listener.Name, kafka.Port);
            _logger.LogInformation("Listening {Listener} on {Host}:{Port}", listener.Name, _options.Host, kafka.Port);
        }
        if (_options.MetricsPort is { } metricsPort)
            await StartMetricsAsync(address, metricsPort, loggerFactory, cancellationToken);
        _groups.Start();
        _maintenance = RunMaintenanceAsync(_stopping.Token);
        _cleaner = Task.Run(() => RunCleanerAsync(_stopping.Token));
        _logger.LogInformation("Broker {NodeId} of cluster {ClusterId} started; data in {DataDir}{Durable}",
            _options.NodeId, ClusterId, Path.GetFullPath(_options.DataDir), _options.Durable ? " (durable: acks=all waits for fsync)" : "");
    }

    /// <summary>The Prometheus endpoint: a minimal Kestrel HTTP host serving /metrics.</summary>
    private async Task StartMetricsAsync(IPAddress address, int port, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ListenOptions? bound = null;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(address, port, listen => bound = listen));
        _host = builder.Build();
        // Only our meter: ASP.NET Core's own instruments (memory pools among them) record on every buffer rented,
        // and relaying those is not what this endpoint is for.
        Metrics.ConfigureMeterAdapter(adapter => adapter.InstrumentFilterPredicate = instrument => instrument.Meter.Name == BrokerMetrics.MeterName);
        // prometheus-net starts its System.Diagnostics.Metrics listener at the first collection; collect once now,
        // so requests served before the first scrape are counted too.
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);
        _host.UseMetricServer(url: "/metrics");
        try
        {
            await _host.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"Cannot serve metrics on {address}:{port}: {e.Message}", e);
        }
        MetricsPort = bound!.IPEndPoint!.Port;
        _logger.LogInformation("Metrics on http://{Host}:{Port}/metrics", _options.EffectiveAdvertisedHost, MetricsPort);
    }

    private RequestDispatcher CreateDispatcher(ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("Beltline.Requests");
        var configs = new ConfigResources(_node);
        RequestDispatcher? dispatcher = null;
        dispatcher = new RequestDispatcher(
        [
            new ApiVersionsHandler(() => dispatcher!.SupportedVersions, logger),
            new MetadataHandler(_node, logger),
            new ProduceHandler(_node, logger),
            new FetchHandler(_node, logger),
            new ListOffsetsHandler(_node, logger),
            new FindCoordinatorHandler(_node, logger),
            new SaslHandshakeHandler(Credentials, logger),
            new SaslAuthenticateHandler(logger),
            new DescribeUserScramCredentialsHandler(Credentials, logger),
            new AlterUserScramCredentialsHandler(Credentials, logger),
            new CreateAclsHandler(Acls, logger),
            new DescribeAclsHandler(Acls, logger),
            new DeleteAclsHandler(Acls, logger),
            new CreateTopicsHandler(_node, logger),
            new DeleteTopicsHandler(_node, logger),
            new DeleteRecordsHandler(_node, logger),
            new DescribeConfigsHandler(configs, logger),
            new AlterConfigsHandler(configs, logger),
            new CreatePartitionsHandler(_node, logger),
            new IncrementalAlterConfigsHandler(configs, logger),
            new DescribeClusterHandler(_node, logger),
            new JoinGroupHandler(_node, logger),
            new SyncGroupHandler(_node, logger),
            new HeartbeatHandler(_node, logger),
            new LeaveGroupHandler(_node, logger),
            new OffsetCommitHandler(_node, logger),
            new OffsetFetchHandler(_node, logger),
            new OffsetDeleteHandler(_node, logger),
            new ListGroupsHandler(_node, logger),
            new DescribeGroupsHandler(_node, logger),
            new DeleteGroupsHandler(_node, logger),
            new ConsumerGroupHeartbeatHandler(logger),
            new InitProducerIdHandler(_node, logger),
            new OffsetForLeaderEpochHandler(_node, logger),
        ]);
        return dispatcher;
    }

    private async Task RunMaintenanceAsync(CancellationToken stopping)
    {
        var nextRetention = DateTime.UtcNow + _options.RetentionCheckInterval;
        using var timer = new PeriodicTimer(_options.FlushCheckInterval < _options.RetentionCheckInterval ? _options.FlushCheckInterval : _options.RetentionCheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                _topics.RunScheduledFlushes();
                if (DateTime.UtcNow >= nextRetention)
                {
                    _topics.RunRetention(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    nextRetention = DateTime.UtcNow + _options.RetentionCheckInterval;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>The log cleaner, on its own task: a long compaction never delays flushes or retention.</summary>
    private async Task RunCleanerAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(_options.CleanerInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
                _topics.RunCleaner(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Runs retention now (tests, and the CLI's maintenance commands).</summary>
    internal void RunRetentionNow() => _topics.RunRetention(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    /// <summary>Graceful stop: stop accepting, finish in-flight requests, flush and close every log, mark the stop clean.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _logger.LogInformation("Broker {NodeId} stopping", _options.NodeId);
        await _stopping.CancelAsync();
        foreach (var listener in _listeners)
            await listener.DisposeAsync();
        if (_host is not null)
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
                await _host.StopAsync(timeout.Token);
            await _host.DisposeAsync();
        }
        await _maintenance;
        await _cleaner;
        await _groups.DisposeAsync();
        if (_groupCommit is not null)
            await _groupCommit.DisposeAsync();
        var clean = true;
        try
        {
            _topics.Dispose();
        }
        catch (AggregateException e)
        {
            // Every log is closed anyway; without the clean mark the next start re-checks what may not be on disk.
            _logger.LogError(e, "Flushing the logs at shutdown failed; the next start will run recovery");
            clean = false;
        }
        _metadata.Dispose();
        _metrics.Dispose();
        if (clean)
            await File.WriteAllTextAsync(Path.Combine(_options.DataDir, CleanShutdownFile), "");
        await _dataDirLock.DisposeAsync();
        _stopping.Dispose();
        _logger.LogInformation("Broker {NodeId} stopped", _options.NodeId);
    }
}
