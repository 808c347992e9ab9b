using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;

/// <summary>
/// End-to-end latency at a fixed rate: one thread produces 100-byte messages carrying their send time (acks=all,
/// no linger), another consumes them as they arrive; the latency of a message is its arrival minus its send time on
/// the same clock. The first second is a warm-up and not counted. Nagle is off on both clients, the usual setting
/// for latency work (librdkafka leaves it on by default), and the same for every target.
/// </summary>
internal static class Latency
{
    private const int MessageBytes = 100;

    public static int Run(string bootstrap, string topic, int perSecond, int seconds)
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            try
            {
                admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]).GetAwaiter().GetResult();
            }
            catch (KafkaException)
            {
                // Exists already, or (librdkafka's mock has no controller) left to auto-creation.
            }
        }
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "latency-bench",
            EnableAutoCommit = false,
            SocketNagleDisable = true,
            FetchWaitMaxMs = 100,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.End));
        // Let the consumer reach the end and park in a fetch before the clock starts.
        for (var i = 0; i < 10; i++)
            consumer.Consume(TimeSpan.FromMilliseconds(100));

        var total = perSecond * seconds;
        var latencies = new List<double>(total);
        var producing = Task.Run(() => Produce(bootstrap, topic, perSecond, total));
        var warmUp = perSecond;
        var received = 0;
        var idle = Stopwatch.StartNew();
        while (received < total && idle.Elapsed < TimeSpan.FromSeconds(10))
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result?.Message is null)
                continue;
            var now = Stopwatch.GetTimestamp();
            var sent = BinaryPrimitives.ReadInt64LittleEndian(result.Message.Value);
            if (received++ >= warmUp)
                latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
            idle.Restart();
        }
        var failed = producing.GetAwaiter().GetResult();
        consumer.Close();
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            operation = "latency",
            bootstrap,
            messagesPerSecond = perSecond,
            messages = received,
            measured = latencies.Count,
            p50Ms = Math.Round(Percentile(0.50), 3),
            p99Ms = Math.Round(Percentile(0.99), 3),
            p999Ms = Math.Round(Percentile(0.999), 3),
            maxMs = Math.Round(latencies.Count == 0 ? double.NaN : latencies[^1], 3),
            failed = failed + (total - received),
        }));
        return received == total && failed == 0 ? 0 : 1;
    }

    /// <summary>Sends <paramref name="total"/> messages at <paramref name="perSecond"/>, each stamped just before it is handed to the client.</summary>
    private static long Produce(string bootstrap, string topic, int perSecond, int total)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            LingerMs = 0,
            SocketNagleDisable = true,
            EnableIdempotence = false,
        }).Build();
        long failed = 0;
        var partition = new TopicPartition(topic, 0);
        // Every millisecond or so, send the messages that are due: spinning between them would keep a core busy,
        // and on a small machine that core is what the broker and the consumer need.
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total;)
        {
            var now = Stopwatch.GetTimestamp();
            for (; i < total && start + (long)(i * (double)Stopwatch.Frequency / perSecond) <= now; i++)
            {
                var payload = new byte[MessageBytes];
                BinaryPrimitives.WriteInt64LittleEndian(payload, Stopwatch.GetTimestamp());
                producer.Produce(partition, new Message<Null, byte[]> { Value = payload }, report =>
                {
                    if (report.Error.IsError)
                        Interlocked.Increment(ref failed);
                });
            }
            Thread.Sleep(1);
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        return failed;
    }
}
