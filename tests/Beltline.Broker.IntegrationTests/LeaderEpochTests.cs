using Beltline.Protocol;
using Beltline.Protocol.Messages;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;
using ErrorCode = Beltline.Protocol.ErrorCode;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Leader epochs (KIP-101/320): one epoch per partition for its life, the same in every API and after a restart.</summary>
public sealed class LeaderEpochTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static OffsetForLeaderEpochRequest EpochRequest(string topic, int leaderEpoch, int currentLeaderEpoch = -1) => new()
    {
        ReplicaId = -1,
        Topics = [new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
        {
            Topic = topic,
            Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = 0, LeaderEpoch = leaderEpoch, CurrentLeaderEpoch = currentLeaderEpoch }],
        }],
    };

    private async Task<OffsetForLeaderEpochResponse.EpochEndOffset> EndOffsetAsync(string topic, int leaderEpoch, int currentLeaderEpoch = -1, short version = 4)
    {
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var response = await connection.SendAsync<OffsetForLeaderEpochResponse>(EpochRequest(topic, leaderEpoch, currentLeaderEpoch), ApiKey.OffsetForLeaderEpoch, version);
        return response.Topics[0].Partitions[0];
    }

    [Fact]
    public async Task The_epoch_ends_at_the_log_end_and_stays_the_same_across_a_restart()
    {
        const string topic = "epochs";
        await CreateTopicAsync(fixture, topic);
        using (var producer = new ProducerBuilder<Null, string>(fixture.ProducerConfig()).Build())
        {
            for (var i = 0; i < 5; i++)
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = $"v{i}" });
        }

        var current = await EndOffsetAsync(topic, 0);
        var later = await EndOffsetAsync(topic, 3);
        var aheadOfUs = await EndOffsetAsync(topic, 0, currentLeaderEpoch: 2);
        var unknown = await EndOffsetAsync("no-such-topic", 0);
        var v0 = await EndOffsetAsync(topic, 0, version: 0);

        Assert.Equal((ErrorCode.None, 0, 5L), (current.ErrorCode, current.LeaderEpoch, current.EndOffset));
        Assert.Equal((ErrorCode.None, -1, -1L), (later.ErrorCode, later.LeaderEpoch, later.EndOffset));
        Assert.Equal(ErrorCode.UnknownLeaderEpoch, aheadOfUs.ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown.ErrorCode);
        Assert.Equal((ErrorCode.None, 5L), (v0.ErrorCode, v0.EndOffset));

        await fixture.RestartAsync();

        var afterRestart = await EndOffsetAsync(topic, 0, currentLeaderEpoch: 0);
        await using var connection = await RawKafkaConnection.ConnectAsync(fixture.Broker);
        var metadata = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new() { Name = topic }] }, ApiKey.Metadata, 12);
        var batches = ReadPartition(fixture, topic, 0, 0, 5);
        Assert.Equal((ErrorCode.None, 0, 5L), (afterRestart.ErrorCode, afterRestart.LeaderEpoch, afterRestart.EndOffset));
        Assert.Equal(0, metadata.Topics[0].Partitions[0].LeaderEpoch);
        Assert.All(batches, r => Assert.Equal(0, r.LeaderEpoch));
    }
}
