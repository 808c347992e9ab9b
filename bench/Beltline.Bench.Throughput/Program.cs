using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;

// beltline-bench suite <markdown> <reps> <name>=<bootstrap>...  runs produce+consume per target, size and repetition in child
//                                                               processes, adds librdkafka's mock as target "librdkafka mock",
//                                                               and writes the medians into <markdown> between the markers
// beltline-bench mock                          starts librdkafka's in-memory mock cluster, prints its bootstrap, lives until stdin closes
// beltline-bench produce <bootstrap> <topic> <messageBytes> <count>   acks=all producer; prints one JSON result line
// beltline-bench consume <bootstrap> <topic>                          reads partition 0 from its low to its high watermark; prints one JSON result line
// beltline-bench group-consume <bootstrap> <topic>                    the same through a consumer group (subscribe, join, committed offsets)
// beltline-bench kcat-group-consume <bootstrap> <topic>               the same with kcat -G (librdkafka in C), timed from start to exit
// beltline-bench latency <bootstrap> <topic> <perSecond> <seconds>    produce at a fixed rate, consume, report end-to-end percentiles
// beltline-bench group-suite <markdown> <reps> <name>=<bootstrap>...  group consumption and latency per target into <markdown>
return args switch
{
    ["group-consume", var bootstrap, var topic] => GroupConsume(bootstrap, topic),
    ["kcat-group-consume", var bootstrap, var topic] => KcatGroupConsume.Run(bootstrap, topic),
    ["group-suite", var markdown, var reps, .. var targets] => GroupSuite.Run(markdown, Int(reps), targets),
    ["latency", var bootstrap, var topic, var rate, var seconds] => Latency.Run(bootstrap, topic, Int(rate), Int(seconds)),
    ["suite", var markdown, var reps, .. var targets] => Suite.Run(markdown, Int(reps), targets),
    ["mock"] => RunMock(),
    ["produce", var bootstrap, var topic, var size, var count] => Produce(bootstrap, topic, Int(size), Int(count)),
    ["consume", var bootstrap, var topic] => Consume(bootstrap, topic),
    _ => Usage(),
};

static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

static int Usage()
{
    Console.Error.WriteLine("usage: beltline-bench mock | produce <bootstrap> <topic> <messageBytes> <count> | consume <bootstrap> <topic>");
    return 2;
}

// The mock cluster lives inside a client handle; its log line "Mock cluster enabled: original bootstrap.servers
// and security.protocol ignored and replaced with 127.0.0.1:PORT" gives the address other processes can use.
static int RunMock()
{
    var address = new TaskCompletionSource<string>();
    var config = new ProducerConfig { BootstrapServers = "unused:9092" };
    config.Set("test.mock.num.brokers", "1");
    using var holder = new ProducerBuilder<Null, Null>(config)
        .SetLogHandler((_, message) =>
        {
            var marker = message.Message.IndexOf("replaced with ", StringComparison.Ordinal);
            if (message.Message.Contains("Mock cluster enabled", StringComparison.Ordinal) && marker >= 0)
                address.TrySetResult(message.Message[(marker + "replaced with ".Length)..].Trim());
        })
        .Build();
    if (!address.Task.Wait(TimeSpan.FromSeconds(10)))
    {
        Console.Error.WriteLine("The mock cluster did not report its address.");
        return 1;
    }
    Console.WriteLine(address.Task.Result);
    Console.Out.Flush();
    Console.In.ReadToEnd();
    return 0;
}

static int Produce(string bootstrap, string topic, int size, int count)
{
    var config = new ProducerConfig
    {
        BootstrapServers = bootstrap,
        Acks = Acks.All,
        EnableIdempotence = false,
        LingerMs = 5,
        BatchSize = 1_000_000,
        QueueBufferingMaxMessages = 1_000_000,
        QueueBufferingMaxKbytes = 1_048_576,
        CompressionType = CompressionType.None,
    };
    var payload = new byte[size];
    Random.Shared.NextBytes(payload);
    using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
    // Warm up: metadata, connection, topic creation.
    var partition = new TopicPartition(topic, 0);
    producer.ProduceAsync(partition, new Message<Null, byte[]> { Value = payload }).GetAwaiter().GetResult();
    long failed = 0;
    Action<DeliveryReport<Null, byte[]>> onDelivery = report =>
    {
        if (report.Error.IsError)
            Interlocked.Increment(ref failed);
    };
    var message = new Message<Null, byte[]> { Value = payload };
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < count; i++)
    {
        while (true)
        {
            try
            {
                producer.Produce(partition, message, onDelivery);
                break;
            }
            catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }
    producer.Flush(TimeSpan.FromMinutes(5));
    clock.Stop();
    Report("produce", bootstrap, size, count, clock.Elapsed, failed);
    return failed == 0 ? 0 : 1;
}

// librdkafka's mock keeps only the newest ~5 MB of each partition, so the read covers whatever the partition
// still holds: low to high watermark.
static int Consume(string bootstrap, string topic)
{
    var config = new ConsumerConfig
    {
        BootstrapServers = bootstrap,
        GroupId = "beltline-bench",
        EnableAutoCommit = false,
        FetchMaxBytes = 52_428_800,
        MaxPartitionFetchBytes = 4_194_304,
        QueuedMaxMessagesKbytes = 262_144,
        // Keep fetching until the 256 MB local queue is full. With the defaults (100,000 messages, then a 1 s
        // fetch back-off) a fast consumer of 100-byte messages spends most of its time waiting out the back-off.
        QueuedMinMessages = 10_000_000,
        FetchQueueBackoffMs = 10,
    };
    using var consumer = new ConsumerBuilder<Ignore, int>(config).SetValueDeserializer(ValueLength.Instance).Build();
    var partition = new TopicPartition(topic, 0);
    var marks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
    var expected = (int)(marks.High.Value - marks.Low.Value);
    consumer.Assign(new TopicPartitionOffset(partition, marks.Low));
    var received = 0;
    long bytes = 0;
    var clock = Stopwatch.StartNew();
    var idleSince = Stopwatch.StartNew();
    while (received < expected && idleSince.Elapsed < TimeSpan.FromSeconds(30))
    {
        var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
        if (result?.Message is null)
            continue;
        received++;
        bytes += result.Message.Value;
        idleSince.Restart();
    }
    clock.Stop();
    var size = received == 0 ? 0 : (int)(bytes / received);
    Report("consume", bootstrap, size, received, clock.Elapsed, expected - received);
    return received == expected ? 0 : 1;
}

// A group member reading everything: join, assignment, committed-offset lookup (none: earliest), then fetch. The
// rate counts from the first message, so it measures consumption; the join time is reported on its own.
static int GroupConsume(string bootstrap, string topic)
{
    var config = new ConsumerConfig
    {
        BootstrapServers = bootstrap,
        GroupId = $"bench-group-{Guid.NewGuid():N}",
        EnableAutoCommit = true,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchMaxBytes = 52_428_800,
        MaxPartitionFetchBytes = 4_194_304,
        QueuedMaxMessagesKbytes = 262_144,
        QueuedMinMessages = 10_000_000,
        FetchQueueBackoffMs = 10,
    };
    long expected;
    using (var probe = new ConsumerBuilder<Ignore, byte[]>(config).Build())
    {
        var marks = probe.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
        expected = marks.High.Value - marks.Low.Value;
    }
    using var consumer = new ConsumerBuilder<Ignore, int>(config).SetValueDeserializer(ValueLength.Instance).Build();
    var joining = Stopwatch.StartNew();
    consumer.Subscribe(topic);
    Stopwatch? clock = null;
    var joinMs = 0.0;
    var received = 0;
    long bytes = 0;
    var idleSince = Stopwatch.StartNew();
    while (received < expected && idleSince.Elapsed < TimeSpan.FromSeconds(30))
    {
        var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
        if (result?.Message is null)
            continue;
        if (clock is null)
        {
            joinMs = joining.Elapsed.TotalMilliseconds;
            clock = Stopwatch.StartNew();
        }
        received++;
        bytes += result.Message.Value;
        idleSince.Restart();
    }
    var elapsed = clock?.Elapsed ?? TimeSpan.Zero;
    consumer.Close();
    var size = received == 0 ? 0 : (int)(bytes / received);
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        operation = "group-consume",
        bootstrap,
        messageBytes = size,
        messages = received,
        seconds = Math.Round(elapsed.TotalSeconds, 3),
        messagesPerSecond = elapsed > TimeSpan.Zero ? Math.Round(received / elapsed.TotalSeconds) : 0,
        megabytesPerSecond = elapsed > TimeSpan.Zero ? Math.Round(bytes / elapsed.TotalSeconds / 1_000_000, 1) : 0,
        joinMs = Math.Round(joinMs, 1),
        failed = expected - received,
    }));
    return received == expected ? 0 : 1;
}

static void Report(string operation, string bootstrap, int size, int count, TimeSpan elapsed, long failed) =>
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        operation,
        bootstrap,
        messageBytes = size,
        messages = count,
        seconds = Math.Round(elapsed.TotalSeconds, 3),
        messagesPerSecond = Math.Round(count / elapsed.TotalSeconds),
        megabytesPerSecond = Math.Round(count * (double)size / elapsed.TotalSeconds / 1_000_000, 1),
        failed,
    }));

/// <summary>
/// Takes only the length of each value: the consumers measure how fast messages arrive, and copying every value into a
/// new .NET array would measure the garbage collector instead (it doubled the consumer's CPU per message).
/// </summary>
internal sealed class ValueLength : IDeserializer<int>
{
    public static readonly ValueLength Instance = new();

    public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? 0 : data.Length;
}
