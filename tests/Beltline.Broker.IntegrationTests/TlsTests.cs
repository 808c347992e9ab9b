using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using KafkaProtocol = Confluent.Kafka.SecurityProtocol;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// A broker with MSK's PLAINTEXT and SSL listeners, its certificates from the local CA: TLS with and without a
/// client certificate through Confluent.Kafka and kcat, and each bad connection closed with its reason logged while
/// everyone else is served.
/// </summary>
public sealed class TlsFixture : IAsyncLifetime
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "beltline-tls-" + Guid.NewGuid().ToString("N"));
    public string CaDir => Path.Combine(Dir, "ca");
    public string CaCertificate => Path.Combine(CaDir, CertificateAuthority.CertificateFile);
    public IssuedFiles Nancy { get; private set; } = null!;
    public IssuedFiles Mallory { get; private set; } = null!;
    public BeltlineBroker Broker { get; private set; } = null!;
    public ConcurrentQueue<string> Log { get; } = new();

    public string Plaintext => Broker.BootstrapServersFor(Network.SecurityProtocol.Plaintext)!;
    public string Tls => Broker.BootstrapServersFor(Network.SecurityProtocol.Ssl)!;
    public int TlsPort => int.Parse(Tls.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        var ca = CertificateAuthority.Init(CaDir);
        var broker = ca.IssueBroker("broker", ["localhost"], [IPAddress.Loopback], TimeSpan.FromDays(1));
        Nancy = ca.IssueClient("nancy", TimeSpan.FromDays(1));
        Mallory = CertificateAuthority.Init(Path.Combine(Dir, "other-ca"), "SomeoneElsesCA").IssueClient("mallory", TimeSpan.FromDays(1));
        Broker = await BeltlineBroker.StartAsync(new BrokerOptions
        {
            Listeners =
            [
                new ListenerOptions("PLAINTEXT", 0, Network.SecurityProtocol.Plaintext),
                new ListenerOptions("SSL", 0, Network.SecurityProtocol.Ssl) { Tls = TlsSettings.Load(broker.CertificatePath, broker.KeyPath, CaCertificate) },
            ],
            DataDir = Path.Combine(Dir, "data"),
            LoggerFactory = LoggerFactory.Create(b => b.AddProvider(new QueueLoggerProvider(Log)).SetMinimumLevel(LogLevel.Warning)),
        });
    }

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    public ClientConfig TlsClient(IssuedFiles? certificate = null) => new()
    {
        BootstrapServers = Tls,
        SecurityProtocol = KafkaProtocol.Ssl,
        SslCaLocation = CaCertificate,
        SslCertificateLocation = certificate?.CertificatePath,
        SslKeyLocation = certificate?.KeyPath,
    };

    internal sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(lines);
        public void Dispose() { }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}

public sealed class TlsTests(TlsFixture fixture) : IClassFixture<TlsFixture>
{
    private async Task<List<string>> RoundTripAsync(ClientConfig client, string topic)
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig(client)).Build())
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig(client)).Build())
        {
            for (var i = 0; i < 5; i++)
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = $"m{i}" });
        }
        using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig(client) { GroupId = topic + "-g", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe(topic);
        var values = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (values.Count < 5 && DateTime.UtcNow < deadline)
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { } record)
                values.Add(record.Message.Value);
        consumer.Close();
        return values;
    }

    [Fact]
    public async Task Tls_without_a_client_certificate_produces_and_consumes()
    {
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], await RoundTripAsync(fixture.TlsClient(), "tls-plain"));
    }

    [Fact]
    public async Task Mutual_tls_with_a_certificate_from_the_ca_produces_and_consumes()
    {
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], await RoundTripAsync(fixture.TlsClient(fixture.Nancy), "tls-mutual"));
    }

    [Fact]
    public void Metadata_on_the_tls_listener_advertises_the_tls_port()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(fixture.TlsClient())).Build();
        var broker = Assert.Single(admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers);
        Assert.Equal(fixture.TlsPort, broker.Port);
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_refused_with_the_reason_logged()
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig(fixture.TlsClient(fixture.Mallory))).Build())
            Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(5)));

        await Eventually(() => fixture.Log.Any(line => line.Contains("client certificate CN=mallory") && line.Contains("connection closed")));
        using var plaintext = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Plaintext }).Build();
        Assert.NotEmpty(plaintext.GetMetadata(TimeSpan.FromSeconds(10)).Brokers);
    }

    [Fact]
    public async Task An_expired_client_certificate_is_refused_with_the_reason_logged()
    {
        // Signed by the right CA, but its validity (inside the root's) ended a minute ago.
        var root = CertificateAuthority.Load(fixture.CaDir).Root;
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=expired", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var expired = request.Create(root, new DateTimeOffset(root.NotBefore.ToUniversalTime()), DateTimeOffset.UtcNow.AddMinutes(-1), [1, 2, 3, 4]);
        var files = new IssuedFiles(Path.Combine(fixture.Dir, "expired.crt"), Path.Combine(fixture.Dir, "expired.key"));
        await File.WriteAllTextAsync(files.CertificatePath, expired.ExportCertificatePem());
        await File.WriteAllTextAsync(files.KeyPath, key.ExportPkcs8PrivateKeyPem());

        using (var admin = new AdminClientBuilder(new AdminClientConfig(fixture.TlsClient(files))).Build())
            Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(5)));
        await Eventually(() => fixture.Log.Any(line => line.Contains("client certificate CN=expired") && line.Contains("connection closed")));
    }

    [Fact]
    public async Task Plaintext_bytes_on_the_tls_port_close_that_connection_only()
    {
        using var raw = new TcpClient();
        await raw.ConnectAsync(IPAddress.Loopback, fixture.TlsPort);
        var stream = raw.GetStream();
        await stream.WriteAsync(RawKafkaConnection.EncodeFrame(new ApiVersionsRequest(), ApiKey.ApiVersions, 0));
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var read = 0;
        try
        {
            read = await stream.ReadAsync(buffer, timeout.Token);
        }
        catch (IOException)
        {
        }
        Assert.Equal(0, read);   // closed, no Kafka answer
        await Eventually(() => fixture.Log.Any(line => line.Contains("TLS handshake") && line.Contains("connection closed")));
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], await RoundTripAsync(fixture.TlsClient(), "tls-after-garbage"));
    }

    [Fact]
    public async Task A_tls_client_on_the_plaintext_port_is_refused_and_the_port_keeps_serving()
    {
        var wrong = fixture.TlsClient();
        wrong.BootstrapServers = fixture.Plaintext;
        using (var admin = new AdminClientBuilder(new AdminClientConfig(wrong)).Build())
            Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(5)));

        using var plaintext = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Plaintext }).Build();
        Assert.NotEmpty(plaintext.GetMetadata(TimeSpan.FromSeconds(10)).Brokers);
    }

    [Fact]
    public async Task Kcat_lists_metadata_over_tls_with_and_without_a_client_certificate()
    {
        var tls = await Kcat.RunAsync(fixture.Tls, $"-X security.protocol=ssl -X ssl.ca.location={fixture.CaCertificate} -L");
        Assert.True(tls.ExitCode == 0, tls.Error);
        Assert.Contains($"at {fixture.Tls}", tls.Output);

        var mutual = await Kcat.RunAsync(fixture.Tls, $"-X security.protocol=ssl -X ssl.ca.location={fixture.CaCertificate} " +
            $"-X ssl.certificate.location={fixture.Nancy.CertificatePath} -X ssl.key.location={fixture.Nancy.KeyPath} -L");
        Assert.True(mutual.ExitCode == 0, mutual.Error);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
            await Task.Delay(100);
        Assert.True(condition());
    }
}
