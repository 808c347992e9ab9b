using Beltline.Line.Kafka;
using Confluent.Kafka;

namespace Beltline.Line.Tests;

public sealed class ClientPropertiesTests
{
    [Fact]
    public void Comments_blank_lines_separators_and_continuations_are_read_like_Java_properties()
    {
        var properties = ClientProperties.Parse("""
            # security settings
            ! also a comment
            security.protocol = SASL_SSL
            sasl.mechanism: SCRAM-SHA-512
            sasl.username=alice\
                -admin

            bootstrap.servers=b-1:9096,b-2:9096
            """, "test.properties");

        Assert.Equal(
            [
                KeyValuePair.Create("security.protocol", "SASL_SSL"),
                KeyValuePair.Create("sasl.mechanism", "SCRAM-SHA-512"),
                KeyValuePair.Create("sasl.username", "alice-admin"),
                KeyValuePair.Create("bootstrap.servers", "b-1:9096,b-2:9096"),
            ],
            properties.Properties);
    }

    [Fact]
    public void A_line_without_a_value_names_file_and_line()
    {
        var error = Assert.Throws<ClientConfigException>(() => ClientProperties.Parse("acks=all\nlinger.ms\n", "p.properties"));

        Assert.Equal("p.properties:2: expected name=value, got 'linger.ms'.", error.Message);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), "beltline-no-such-" + Guid.NewGuid().ToString("N") + ".properties");

        var error = Assert.Throws<ClientConfigException>(() => ClientProperties.Load(path));

        Assert.Contains("does not exist", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData("10.0.0.1:9092", "bootstrap.servers=file:9092", "10.0.0.1:9092")]
    [InlineData(null, "bootstrap.servers=file:9092", "file:9092")]
    [InlineData(null, "acks=all", ClientProperties.DefaultBootstrap)]
    public void The_bootstrap_flag_wins_over_the_file_and_the_file_over_the_default(string? flag, string file, string expected)
    {
        var config = ClientProperties.Parse(file, "f").ApplyTo(new ProducerConfig(), flag);

        Assert.Equal(expected, config.BootstrapServers);
    }

    [Fact]
    public void Every_property_reaches_the_client_config()
    {
        var config = ClientProperties.Parse("security.protocol=SSL\nssl.ca.location=/tmp/ca.pem", "f").ApplyTo(new ConsumerConfig(), null);

        Assert.Equal(SecurityProtocol.Ssl, config.SecurityProtocol);
        Assert.Equal("/tmp/ca.pem", config.SslCaLocation);
    }
}
