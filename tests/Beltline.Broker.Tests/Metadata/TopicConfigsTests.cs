using Beltline.Broker.Metadata;

namespace Beltline.Broker.Tests.Metadata;

public sealed class TopicConfigsTests
{
    [Theory]
    [InlineData("compression.type", "lz4")]
    [InlineData("compression.type", "uncompressed")]
    [InlineData("message.format.version", "0.10.0.0")]
    [InlineData("message.format.version", "3.0-IV1")]
    [InlineData("unclean.leader.election.enable", "true")]
    [InlineData("message.downconversion.enable", "false")]
    [InlineData("leader.replication.throttled.replicas", "*")]
    [InlineData("local.retention.ms", "-2")]
    public void Kafka_3_6_topic_configs_clients_set_are_accepted(string name, string value) =>
        Assert.Null(TopicConfigs.ValidateAll([KeyValuePair.Create(name, (string?)value)]));

    [Theory]
    [InlineData("compression.type", "brotli", "String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer")]
    [InlineData("message.format.version", "ten", "Version `ten` is not a valid version")]
    [InlineData("local.retention.bytes", "-3", "Value must be at least -2")]
    public void Bad_values_are_named(string name, string value, string reason) =>
        Assert.Equal($"Invalid value {value} for configuration {name}: {reason}", TopicConfigs.ValidateAll([KeyValuePair.Create(name, (string?)value)]));
}
