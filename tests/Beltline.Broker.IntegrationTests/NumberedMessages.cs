using System.Globalization;
using System.Text;
using Confluent.Kafka;
using static Beltline.Broker.IntegrationTests.ClientHelpers;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// The messages the other-client tests (kafka-python, sarama) exchange with Confluent.Kafka, each a function of
/// its number i: some keyed, some with headers, timestamps from a base. Either side can check the other's.
/// </summary>
internal static class NumberedMessages
{
    /// <summary>What another client produces as message i: key on two in three, a "trace" header on even ones, timestamp base + i.</summary>
    public static (string? Key, string Value, long Timestamp, string? Trace) Produced(int i, long baseTimestamp) =>
        (i % 3 == 0 ? null : $"key-{i}", $"value-{i} {new string('x', i * 45)}", baseTimestamp + i, i % 2 == 0 ? $"t{i}" : null);

    /// <summary>Checks that Confluent.Kafka read back exactly <see cref="Produced"/>'s messages 0..count-1 at offsets 0..count-1.</summary>
    public static void AssertReadBack(List<ConsumeResult<string?, string?>> read, int count, long baseTimestamp)
    {
        Assert.Equal(count, read.Count);
        for (var i = 0; i < count; i++)
        {
            var (key, value, timestamp, trace) = Produced(i, baseTimestamp);
            var message = read[i].Message;
            Assert.Equal(i, read[i].Offset.Value);
            Assert.Equal(key, message.Key);
            Assert.Equal(value, message.Value);
            Assert.Equal(timestamp, message.Timestamp.UnixTimestampMs);
            if (trace is null)
                Assert.Empty(message.Headers);
            else
                Assert.Equal(trace, Encoding.UTF8.GetString(message.Headers.GetLastBytes("trace")));
        }
    }

    /// <summary>Confluent.Kafka produces 30 messages: key k{i} on even ones, value v{i}, header n every fifth, timestamp base + i s.</summary>
    public static void ProduceWithConfluent(BrokerFixture fixture, string topic, Confluent.Kafka.CompressionType compression, long baseTimestamp)
    {
        using var producer = new ProducerBuilder<string?, string>(fixture.ProducerConfig(compression)).Build();
        for (var i = 0; i < 30; i++)
        {
            var headers = new Headers();
            if (i % 5 == 0)
                headers.Add("n", Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)));
            producer.Produce(topic, new Message<string?, string>
            {
                Key = i % 2 == 0 ? $"k{i}" : null,
                Value = $"v{i}",
                Timestamp = new Timestamp(baseTimestamp + (i * 1_000), Confluent.Kafka.TimestampType.CreateTime),
                Headers = headers,
            });
        }
        producer.Flush(Patience);
    }

    /// <summary>Checks one record another client consumed from <see cref="ProduceWithConfluent"/>'s messages.</summary>
    public static void AssertConsumed(long offset, string? key, string? value, long timestamp, IEnumerable<(string? Key, string? Value)> headers, long baseTimestamp)
    {
        var i = (int)offset;
        Assert.Equal($"v{i}", value);
        Assert.Equal(i % 2 == 0 ? $"k{i}" : null, key);
        Assert.Equal(baseTimestamp + (i * 1_000), timestamp);
        Assert.Equal(i % 5 == 0 ? [("n", i.ToString(CultureInfo.InvariantCulture))] : [], headers.ToList());
    }
}
