using System.Text;
using Beltline.Line.Clickstream;
using Microsoft.Extensions.Logging.Abstractions;

namespace Beltline.Line.IntegrationTests;

public sealed class ClickstreamToKafkaTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Every_click_lands_in_the_topic_as_JSON_keyed_by_userid()
    {
        var topic = "clickstream-" + Guid.NewGuid().ToString("N")[..8];
        var config = KafkaClickEventSink.OriginalDefaults();
        config.BootstrapServers = broker.BootstrapServers;

        ClickstreamStatus status;
        using (var sink = new KafkaClickEventSink(config, topic))
            status = await new ClickstreamProducer(new ClickstreamOptions { Threads = 2, UsersPerThread = 25, NoDelay = true }, sink, NullLogger.Instance)
                .RunAsync(CancellationToken.None);

        Assert.Equal(0, status.Errors);
        Assert.Equal(50, status.Sessions);
        var records = OrderProducerFunctionTests.ReadAll(broker.BootstrapServers, topic, (int)status.Delivered);
        Assert.Equal(status.Delivered, records.Count);
        var clicks = records.Select(r => (r.Message.Key, Click: ClickEventJsonSerializer.FromJson(Encoding.UTF8.GetBytes(r.Message.Value)))).ToList();
        Assert.All(clicks, c => Assert.Equal(c.Click.UserId.ToString(), c.Key));
        Assert.Equal(Enumerable.Range(1, clicks.Count).Select(i => (long)i), clicks.Select(c => c.Click.GlobalSeq).Order());
        Assert.Equal(50, clicks.Count(c => c.Click.IsTerminating));
        // One user's clicks share a key, hence a partition, hence their order.
        foreach (var user in records.GroupBy(r => r.Message.Key))
            Assert.Single(user.Select(r => r.Partition.Value).Distinct());
    }
}
