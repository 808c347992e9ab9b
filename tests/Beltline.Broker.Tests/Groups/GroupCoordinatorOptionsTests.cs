using Beltline.Broker.Groups;

namespace Beltline.Broker.Tests.Groups;

public sealed class GroupCoordinatorOptionsTests
{
    [Fact]
    public void Broker_configs_set_their_option_and_bad_values_are_named()
    {
        var options = new GroupCoordinatorOptions()
            .With("group.initial.rebalance.delay.ms", "3000").Options!
            .With("offsets.retention.minutes", "60").Options!
            .With("offsets.topic.num.partitions", "3").Options!;

        Assert.Equal(3000, options.InitialRebalanceDelayMs);
        Assert.Equal(TimeSpan.FromHours(1), options.OffsetsRetention);
        Assert.Equal(3, options.OffsetsTopicPartitions);
        Assert.Equal(6000, options.MinSessionTimeoutMs);
        Assert.Equal("group.max.size=0 is out of range.", new GroupCoordinatorOptions().With("group.max.size", "0").Error);
        Assert.Equal("log.retention.ms is not a group coordinator config.", new GroupCoordinatorOptions().With("log.retention.ms", "1").Error);
    }
}
