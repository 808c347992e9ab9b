using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Beltline.Broker.Network;
using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Beltline.Security;
using Beltline.Security.Sasl;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using KafkaProtocol = Confluent.Kafka.SecurityProtocol;
using KafkaScram = Confluent.Kafka.Admin.ScramMechanism;

namespace Beltline.Broker.IntegrationTests;

/// <summary>A broker with MSK's SASL_SSL listener (SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN) and the seed's user alice.</summary>
public class SaslFixture : IAsyncLifetime
{
    /// <summary>KIP-368's session lifetime (connections.max.reauth.ms); none by default.</summary>
    protected virtual TimeSpan? SessionLifetime => null;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "beltline-sasl-" + Guid.NewGuid().ToString("N"));
    public string CaCertificate => Path.Combine(Dir, "ca", CertificateAuthority.CertificateFile);
    public BeltlineBroker Broker { get; private set; } = null!;
    public ConcurrentQueue<string> Log { get; } = new();

    public string Sasl => Broker.BootstrapServersFor(Network.SecurityProtocol.SaslSsl)!;
    public int SaslPort => int.Parse(Sasl.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        var ca = CertificateAuthority.Init(Path.Combine(Dir, "ca"));
        var certificate = ca.IssueBroker("broker", ["localhost"], [IPAddress.Loopback], TimeSpan.FromDays(1));
        var options = new BrokerOptions
        {
            Listeners =
            [
                new ListenerOptions("PLAINTEXT", 0, Network.SecurityProtocol.Plaintext),
                new ListenerOptions("SASL_SSL", 0, Network.SecurityProtocol.SaslSsl)
                {
                    Tls = TlsSettings.Load(certificate.CertificatePath, certificate.KeyPath, null),
                    SaslMechanisms = ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"],
                },
            ],
            DataDir = Path.Combine(Dir, "data"),
            SaslSessionLifetime = SessionLifetime,
            LoggerFactory = LoggerFactory.Create(b => b.AddProvider(new TlsFixture.QueueLoggerProvider(Log)).SetMinimumLevel(LogLevel.Information)),
        };
        // Users exist before the first start, as `beltline users create` leaves them.
        var users = CredentialStore.Open(options.EffectiveCredentialsFile);
        users.Set("alice", ScramMechanism.Sha512, ScramCredential.FromPassword(ScramMechanism.Sha512, "alice-secret"));
        users.Set("alice", ScramMechanism.Sha256, ScramCredential.FromPassword(ScramMechanism.Sha256, "alice-secret"));
        Broker = await BeltlineBroker.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    public ClientConfig Client(string mechanism, string user = "alice", string password = "alice-secret") => new()
    {
        BootstrapServers = Sasl,
        SecurityProtocol = KafkaProtocol.SaslSsl,
        SslCaLocation = CaCertificate,
        SaslMechanism = mechanism switch { "PLAIN" => SaslMechanism.Plain, "SCRAM-SHA-256" => SaslMechanism.ScramSha256, _ => SaslMechanism.ScramSha512 },
        SaslUsername = user,
        SaslPassword = password,
    };
}

public sealed class SaslTests(SaslFixture fixture) : IClassFixture<SaslFixture>
{
    [Fact]
    public async Task Scram_sha_512_with_the_right_password_produces_and_consumes()
    {
        var client = fixture.Client("SCRAM-SHA-512");
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig(client)).Build())
            await producer.ProduceAsync("sasl-topic", new Message<Null, string> { Value = "over SCRAM" });
        using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig(client) { GroupId = "sasl-g", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe("sasl-topic");
        var record = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.Equal("over SCRAM", record?.Message.Value);
        Assert.Contains(fixture.Log, line => line.Contains("authenticated as User:alice with SCRAM-SHA-512"));
        consumer.Close();
    }

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("PLAIN")]
    public void Scram_sha_256_and_plain_authenticate_too(string mechanism)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(fixture.Client(mechanism))).Build();
        Assert.Equal(fixture.SaslPort, Assert.Single(admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers).Port);
    }

    [Theory]
    [InlineData("SCRAM-SHA-512", "alice", "wrong")]
    [InlineData("SCRAM-SHA-256", "nobody", "alice-secret")]
    [InlineData("PLAIN", "alice", "wrong")]
    public async Task A_wrong_password_or_user_is_refused_and_the_connection_closed(string mechanism, string user, string password)
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig(fixture.Client(mechanism, user, password))).Build())
            Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(5)));
        await Eventually(() => fixture.Log.Any(line => line.Contains($"SASL {mechanism} authentication") && line.Contains("failed, connection closed")));
        using var good = new AdminClientBuilder(new AdminClientConfig(fixture.Client("SCRAM-SHA-512"))).Build();
        Assert.NotEmpty(good.GetMetadata(TimeSpan.FromSeconds(10)).Brokers);
    }

    [Fact]
    public async Task Users_created_and_deleted_through_the_admin_api_can_log_in_until_deleted()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(fixture.Client("SCRAM-SHA-512"))).Build();
        await admin.AlterUserScramCredentialsAsync(
        [
            new Confluent.Kafka.Admin.UserScramCredentialUpsertion
            {
                User = "nancy",
                ScramCredentialInfo = new Confluent.Kafka.Admin.ScramCredentialInfo { Mechanism = KafkaScram.ScramSha512, Iterations = 8192 },
                Password = System.Text.Encoding.UTF8.GetBytes("nancy-secret"),
            },
        ]);
        var described = Assert.Single((await admin.DescribeUserScramCredentialsAsync(["nancy"])).UserScramCredentialsDescriptions);
        var info = Assert.Single(described.ScramCredentialInfos);
        Assert.Equal((KafkaScram.ScramSha512, 8192), (info.Mechanism, info.Iterations));
        using (var nancy = new AdminClientBuilder(new AdminClientConfig(fixture.Client("SCRAM-SHA-512", "nancy", "nancy-secret"))).Build())
            Assert.NotEmpty(nancy.GetMetadata(TimeSpan.FromSeconds(10)).Brokers);

        await admin.AlterUserScramCredentialsAsync([new Confluent.Kafka.Admin.UserScramCredentialDeletion { User = "nancy", Mechanism = KafkaScram.ScramSha512 }]);
        var gone = await Assert.ThrowsAsync<Confluent.Kafka.Admin.DescribeUserScramCredentialsException>(() => admin.DescribeUserScramCredentialsAsync(["nancy"]));
        Assert.Equal(Confluent.Kafka.ErrorCode.ResourceNotFound, Assert.Single(gone.Results.UserScramCredentialsDescriptions).Error.Code);
        using (var nancy = new AdminClientBuilder(new AdminClientConfig(fixture.Client("SCRAM-SHA-512", "nancy", "nancy-secret"))).Build())
            Assert.ThrowsAny<KafkaException>(() => nancy.GetMetadata(TimeSpan.FromSeconds(5)));

        var tooFew = await Assert.ThrowsAsync<Confluent.Kafka.Admin.AlterUserScramCredentialsException>(() => admin.AlterUserScramCredentialsAsync(
        [
            new Confluent.Kafka.Admin.UserScramCredentialUpsertion
            {
                User = "weak",
                ScramCredentialInfo = new Confluent.Kafka.Admin.ScramCredentialInfo { Mechanism = KafkaScram.ScramSha256, Iterations = 100 },
                Password = System.Text.Encoding.UTF8.GetBytes("p"),
            },
        ]));
        Assert.Equal(Confluent.Kafka.ErrorCode.UnacceptableCredential, Assert.Single(tooFew.Results).Error.Code);
    }

    [Fact]
    public async Task A_request_before_authentication_closes_the_connection()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fixture.SaslPort);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        await tls.WriteAsync(RawKafkaConnection.EncodeFrame(new MetadataRequest(), ApiKey.Metadata, 12));
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var read = -1;
        try
        {
            read = await tls.ReadAsync(buffer, timeout.Token);
        }
        catch (IOException)
        {
            read = 0;
        }
        Assert.Equal(0, read);
        await Eventually(() => fixture.Log.Any(line => line.Contains("Metadata request before SASL authentication")));
    }

    [Theory]
    [InlineData("SCRAM-SHA-512", "alice-secret", true)]
    [InlineData("SCRAM-SHA-256", "alice-secret", true)]
    [InlineData("SCRAM-SHA-512", "wrong", false)]
    public async Task Kafka_python_authenticates_with_raw_tokens_after_a_v0_handshake(string mechanism, string password, bool succeeds)
    {
        var run = await KafkaPython.RunAsync(fixture.Sasl, "sasl-produce", new
        {
            caFile = fixture.CaCertificate, mechanism, user = "alice", password, topic = "python-sasl", values = new[] { "a", "b" },
        });
        if (succeeds)
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("raw SASL tokens", string.Join("\n", fixture.Log));
        }
        else
        {
            Assert.NotEqual(0, run.ExitCode);
            await Eventually(() => fixture.Log.Any(line => line.Contains($"SASL {mechanism} authentication failed")));
        }
    }

    [Fact]
    public async Task Kcat_authenticates_with_scram()
    {
        var common = $"-X security.protocol=sasl_ssl -X ssl.ca.location={fixture.CaCertificate} -X sasl.mechanisms=SCRAM-SHA-512 -X sasl.username=alice";
        var right = await Kcat.RunAsync(fixture.Sasl, common + " -X sasl.password=alice-secret -L");
        Assert.True(right.ExitCode == 0, right.Error);
        Assert.Contains($"at {fixture.Sasl}", right.Output);

        var wrong = await Kcat.RunAsync(fixture.Sasl, common + " -X sasl.password=wrong -m 5 -L");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("Authentication failed", wrong.Error);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
            await Task.Delay(100);
        Assert.True(condition());
    }
}

/// <summary>The same broker with SASL sessions of 2 s (KIP-368).</summary>
public sealed class ShortSessionSaslFixture : SaslFixture
{
    protected override TimeSpan? SessionLifetime => TimeSpan.FromSeconds(2);
}

public sealed class SaslSessionLifetimeTests(ShortSessionSaslFixture fixture) : IClassFixture<ShortSessionSaslFixture>
{
    [Fact]
    public async Task A_producer_keeps_producing_across_session_expiries()
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig(fixture.Client("SCRAM-SHA-512")) { MessageTimeoutMs = 15_000 }).Build();
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(PersistenceStatus.Persisted, (await producer.ProduceAsync("short-sessions", new Message<Null, string> { Value = "m" + i })).Status);
            await Task.Delay(1000);
        }
        // Sessions of 2 s over 8 s of producing: the client authenticated again (re-authenticating, or on a new
        // connection after the broker closed the expired one) and every record was delivered.
        Assert.True(fixture.Log.Count(line => line.Contains("authenticated as User:alice")) >= 3, string.Join("\n", fixture.Log));
    }
}
