using System.Collections.Concurrent;
using System.Net;
using Beltline.Broker.Network;
using Beltline.Security;
using Beltline.Security.Acls;
using Beltline.Security.Sasl;
using ScramMechanism = Beltline.Security.Sasl.ScramMechanism;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using KafkaResourceType = Confluent.Kafka.Admin.ResourceType;
using KafkaPattern = Confluent.Kafka.Admin.ResourcePatternType;
using KafkaOperation = Confluent.Kafka.Admin.AclOperation;
using KafkaPermission = Confluent.Kafka.Admin.AclPermissionType;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// A broker with the authorizer on, SASL_SSL users admin (super user) and alice, and the workshop's IAM demo as
/// ACLs: alice may read and write every topic and read every group (not create topics), but is denied reading and
/// writing topic testiamfail.
/// </summary>
public sealed class AclFixture : IAsyncLifetime
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "beltline-acl-" + Guid.NewGuid().ToString("N"));
    public BeltlineBroker Broker { get; private set; } = null!;
    public ConcurrentQueue<string> Log { get; } = new();
    private string CaCertificate => Path.Combine(Dir, "ca", CertificateAuthority.CertificateFile);

    public async Task InitializeAsync()
    {
        var ca = CertificateAuthority.Init(Path.Combine(Dir, "ca"));
        var certificate = ca.IssueBroker("broker", ["localhost"], [IPAddress.Loopback], TimeSpan.FromDays(1));
        var options = new BrokerOptions
        {
            Listeners =
            [
                new ListenerOptions("SASL_SSL", 0, Network.SecurityProtocol.SaslSsl)
                {
                    Tls = TlsSettings.Load(certificate.CertificatePath, certificate.KeyPath, null),
                    SaslMechanisms = ["SCRAM-SHA-512"],
                },
            ],
            DataDir = Path.Combine(Dir, "data"),
            AuthorizerEnabled = true,
            SuperUsers = new HashSet<string> { "User:admin" },
            LoggerFactory = LoggerFactory.Create(b => b.AddProvider(new TlsFixture.QueueLoggerProvider(Log)).SetMinimumLevel(LogLevel.Information)),
        };
        var users = CredentialStore.Open(options.EffectiveCredentialsFile);
        users.Set("admin", ScramMechanism.Sha512, ScramCredential.FromPassword(ScramMechanism.Sha512, "admin-secret"));
        users.Set("alice", ScramMechanism.Sha512, ScramCredential.FromPassword(ScramMechanism.Sha512, "alice-secret"));
        AclStore.Open(options.EffectiveAclsFile).Add(
        [
            new(Security.Acls.ResourceType.Topic, "*", PatternType.Literal, "User:alice", "*", Security.Acls.AclOperation.Read, AclPermission.Allow),
            new(Security.Acls.ResourceType.Topic, "*", PatternType.Literal, "User:alice", "*", Security.Acls.AclOperation.Write, AclPermission.Allow),
            new(Security.Acls.ResourceType.Group, "*", PatternType.Literal, "User:alice", "*", Security.Acls.AclOperation.Read, AclPermission.Allow),
            new(Security.Acls.ResourceType.Topic, "testiamfail", PatternType.Literal, "User:alice", "*", Security.Acls.AclOperation.Read, AclPermission.Deny),
            new(Security.Acls.ResourceType.Topic, "testiamfail", PatternType.Literal, "User:alice", "*", Security.Acls.AclOperation.Write, AclPermission.Deny),
        ]);
        _options = options;
        Broker = await BeltlineBroker.StartAsync(options);
        using var admin = Admin("admin");
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "orders", NumPartitions = 1 }, new TopicSpecification { Name = "testiamfail", NumPartitions = 1 }]);
    }

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Stops the broker and starts it again on the same data dir and options (fresh ports).</summary>
    public async Task RestartAsync()
    {
        var options = _options!;
        await Broker.DisposeAsync();
        Broker = await BeltlineBroker.StartAsync(options);
    }

    private BrokerOptions? _options;

    public ClientConfig Client(string user) => new()
    {
        BootstrapServers = Broker.BootstrapServersFor(Network.SecurityProtocol.SaslSsl),
        SecurityProtocol = Confluent.Kafka.SecurityProtocol.SaslSsl,
        SslCaLocation = CaCertificate,
        SaslMechanism = SaslMechanism.ScramSha512,
        SaslUsername = user,
        SaslPassword = user + "-secret",
    };

    public IAdminClient Admin(string user) => new AdminClientBuilder(new AdminClientConfig(Client(user))).Build();
}

public sealed class AclTests(AclFixture fixture) : IClassFixture<AclFixture>
{
    private async Task<DeliveryResult<Null, string>> ProduceAsync(string user, string topic)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig(fixture.Client(user)) { MessageTimeoutMs = 10_000 }).Build();
        return await producer.ProduceAsync(topic, new Message<Null, string> { Value = "x" });
    }

    [Fact]
    public async Task Alice_may_write_her_topics_but_not_testiamfail()
    {
        Assert.Equal(PersistenceStatus.Persisted, (await ProduceAsync("alice", "orders")).Status);
        var denied = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => ProduceAsync("alice", "testiamfail"));
        Assert.Equal(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, denied.Error.Code);
        Assert.Equal(PersistenceStatus.Persisted, (await ProduceAsync("admin", "testiamfail")).Status);   // super user
    }

    [Fact]
    public async Task Alice_may_consume_in_a_group_but_not_read_testiamfail()
    {
        await ProduceAsync("admin", "orders");
        using (var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig(fixture.Client("alice")) { GroupId = "alice-group", AutoOffsetReset = AutoOffsetReset.Earliest }).Build())
        {
            consumer.Subscribe("orders");
            Assert.NotNull(consumer.Consume(TimeSpan.FromSeconds(30)));
            consumer.Close();
        }
        using var denied = new ConsumerBuilder<Null, string>(new ConsumerConfig(fixture.Client("alice")) { GroupId = "alice-denied", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        denied.Assign(new TopicPartitionOffset("testiamfail", 0, Offset.Beginning));
        var error = Assert.Throws<ConsumeException>(() =>
        {
            for (var i = 0; i < 30; i++)
                denied.Consume(TimeSpan.FromSeconds(1));
        });
        Assert.Equal(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, error.Error.Code);
    }

    [Fact]
    public async Task Only_who_may_create_topics_creates_them_and_metadata_hides_what_alice_may_not_describe()
    {
        using var alice = fixture.Admin("alice");
        var refused = await Assert.ThrowsAsync<CreateTopicsException>(() => alice.CreateTopicsAsync([new TopicSpecification { Name = "alices-own", NumPartitions = 1 }]));
        Assert.Equal(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, Assert.Single(refused.Results).Error.Code);

        using var admin = fixture.Admin("admin");
        await admin.CreateAclsAsync([new AclBinding
        {
            Pattern = new ResourcePattern { Type = KafkaResourceType.Topic, Name = "secret", ResourcePatternType = KafkaPattern.Literal },
            Entry = new AccessControlEntry { Principal = "User:alice", Host = "*", Operation = KafkaOperation.Describe, PermissionType = KafkaPermission.Deny },
        }]);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "secret", NumPartitions = 1 }]);
        var seen = alice.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
        Assert.Contains("orders", seen);
        Assert.DoesNotContain("secret", seen);
        Assert.Contains("secret", admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic));
    }

    [Fact]
    public async Task Deleting_topics_and_reading_their_configs_need_their_own_acls()
    {
        using var alice = fixture.Admin("alice");
        var delete = await Assert.ThrowsAsync<DeleteTopicsException>(() => alice.DeleteTopicsAsync(["orders"]));
        Assert.Equal(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, Assert.Single(delete.Results).Error.Code);
        var configs = await Assert.ThrowsAsync<DescribeConfigsException>(() => alice.DescribeConfigsAsync([new ConfigResource { Type = KafkaResourceType.Topic, Name = "orders" }]));
        Assert.Equal(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, Assert.Single(configs.Results).Error.Code);

        using var admin = fixture.Admin("admin");
        Assert.NotEmpty(Assert.Single(await admin.DescribeConfigsAsync([new ConfigResource { Type = KafkaResourceType.Topic, Name = "orders" }])).Entries);
    }

    [Fact]
    public async Task Users_acls_and_certificates_survive_a_restart()
    {
        await fixture.RestartAsync();
        Assert.Equal(PersistenceStatus.Persisted, (await ProduceAsync("alice", "orders")).Status);
        var denied = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => ProduceAsync("alice", "testiamfail"));
        Assert.Equal(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, denied.Error.Code);
    }

    [Fact]
    public async Task Acls_are_managed_by_super_users_through_the_admin_api()
    {
        using var admin = fixture.Admin("admin");
        var binding = new AclBinding
        {
            Pattern = new ResourcePattern { Type = KafkaResourceType.Group, Name = "reports-", ResourcePatternType = KafkaPattern.Prefixed },
            Entry = new AccessControlEntry { Principal = "User:bob", Host = "*", Operation = KafkaOperation.Read, PermissionType = KafkaPermission.Allow },
        };
        await admin.CreateAclsAsync([binding]);
        var filter = new AclBindingFilter
        {
            PatternFilter = new ResourcePatternFilter { Type = KafkaResourceType.Group, ResourcePatternType = KafkaPattern.Any },
            EntryFilter = new AccessControlEntryFilter { Operation = KafkaOperation.Any, PermissionType = KafkaPermission.Any },
        };
        var described = (await admin.DescribeAclsAsync(filter)).AclBindings;
        Assert.Contains(described, b => b.Pattern.Name == "reports-" && b.Entry.Principal == "User:bob" && b.Pattern.ResourcePatternType == KafkaPattern.Prefixed);

        using var alice = fixture.Admin("alice");
        var refused = await Assert.ThrowsAsync<CreateAclsException>(() => alice.CreateAclsAsync([binding]));
        Assert.Equal(Confluent.Kafka.ErrorCode.ClusterAuthorizationFailed, Assert.Single(refused.Results).Error.Code);

        var deleted = await admin.DeleteAclsAsync([filter]);
        Assert.Contains(Assert.Single(deleted).AclBindings, b => b.Pattern.Name == "reports-");
        Assert.DoesNotContain(fixture.Broker.Acls.All, a => a.ResourceName == "reports-");
    }
}
