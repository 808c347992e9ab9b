using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;

/// <summary>
/// Consumer-group consumption and end-to-end latency (issue A2), per Beltline target: a topic of 100-byte messages read
/// through a group by Confluent.Kafka (.NET) and by kcat (librdkafka in C, so the client's own cost is small), and
/// latency at 10,000 msg/s. The medians of the repetitions go into the markdown between the groups markers. The
/// librdkafka mock is left out: it keeps only ~5 MB per partition and answers fetches on its own timer.
/// </summary>
internal static class GroupSuite
{
    private const string StartMarker = "<!-- groups:start -->";
    private const string EndMarker = "<!-- groups:end -->";
    private const int Messages = 3_000_000;
    private const int LatencyRate = 10_000;
    private const int LatencySeconds = 10;

    public static int Run(string markdown, int repetitions, string[] targetArguments)
    {
        var targets = targetArguments.Select(t => t.Split('=', 2)).Select(p => (Name: p[0], Bootstrap: p[1])).ToList();
        var rows = new List<(string Target, string Operation, JsonElement Result)>();
        foreach (var (name, bootstrap) in targets)
        {
            var topic = $"bench-group-{Guid.NewGuid():N}";
            Suite.RunChild("produce", bootstrap, topic, "100", Messages.ToString(CultureInfo.InvariantCulture));
            for (var rep = 1; rep <= repetitions; rep++)
            {
                foreach (var operation in new[] { "group-consume", "kcat-group-consume" })
                {
                    var result = Suite.RunChild(operation, bootstrap, topic);
                    Console.Error.WriteLine($"[{rep}/{repetitions}] {name,-20} {operation,-20} {result.GetProperty("messagesPerSecond").GetDouble(),12:N0} msg/s");
                    rows.Add((name, operation, result));
                }
                var latency = Suite.RunChild("latency", bootstrap, $"bench-latency-{Guid.NewGuid():N}",
                    LatencyRate.ToString(CultureInfo.InvariantCulture), LatencySeconds.ToString(CultureInfo.InvariantCulture));
                Console.Error.WriteLine($"[{rep}/{repetitions}] {name,-20} latency p50 {latency.GetProperty("p50Ms").GetDouble()} ms p99 {latency.GetProperty("p99Ms").GetDouble()} ms");
                rows.Add((name, "latency", latency));
            }
        }
        Write(markdown, targets.Select(t => t.Name).ToList(), rows, repetitions);
        return 0;
    }

    private static void Write(string path, List<string> targets, List<(string Target, string Operation, JsonElement Result)> rows, int repetitions)
    {
        double Median(string target, string operation, string field)
        {
            var values = rows.Where(r => r.Target == target && r.Operation == operation).Select(r => r.Result.GetProperty(field).GetDouble()).Order().ToList();
            return values[values.Count / 2];
        }

        var text = new StringBuilder();
        text.AppendLine(StartMarker);
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores ({Suite.CpuModel()}), median of {repetitions} runs.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"| target | group consume, Confluent.Kafka (.NET) | group consume, kcat -G (C) | join (.NET) | latency p50 | latency p99 | latency p99.9 |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var target in targets)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {target} | {Median(target, "group-consume", "messagesPerSecond"):N0} msg/s | {Median(target, "kcat-group-consume", "messagesPerSecond"):N0} msg/s | " +
                $"{Median(target, "group-consume", "joinMs"):N0} ms | {Median(target, "latency", "p50Ms"):N2} ms | {Median(target, "latency", "p99Ms"):N2} ms | {Median(target, "latency", "p999Ms"):N2} ms |");
        }
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Group consume: {Messages:N0} messages of 100 B in one partition, read by a new group from the earliest offset; the .NET rate counts from the first message, the kcat rate from process start to exit (join included). Latency: {LatencyRate:N0} msg/s of 100 B for {LatencySeconds} s, acks=all, linger 0, the first second not counted.");
        text.Append(EndMarker);
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        var start = existing.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = existing.IndexOf(EndMarker, StringComparison.Ordinal);
        existing = start >= 0 && end > start
            ? existing[..start] + text + existing[(end + EndMarker.Length)..]
            : existing + Environment.NewLine + text + Environment.NewLine;
        File.WriteAllText(path, existing);
        Console.WriteLine(text);
    }
}

/// <summary>
/// Reads a whole topic through a consumer group with kcat (librdkafka in C, Debian's package), printing nothing per
/// message; the rate is messages over the process's whole run, so it includes start-up and the group join.
/// </summary>
internal static class KcatGroupConsume
{
    public static int Run(string bootstrap, string topic)
    {
        long expected;
        using (var probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "probe" }).Build())
        {
            var marks = probe.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10));
            expected = marks.High.Value - marks.Low.Value;
        }
        var start = new ProcessStartInfo("kcat") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "-b", bootstrap, "-G", $"bench-kcat-{Guid.NewGuid():N}", topic, "-e", "-q", "-f", "x",
            "-X", "auto.offset.reset=earliest", "-X", "queued.min.messages=10000000",
            "-X", "fetch.message.max.bytes=4194304", "-X", "fetch.max.bytes=52428800",
        })
            start.ArgumentList.Add(argument);
        var clock = Stopwatch.StartNew();
        using var kcat = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start (./test.sh installs it).");
        var stderr = kcat.StandardError.ReadToEndAsync();
        long received = 0;
        var buffer = new char[65536];
        int read;
        while ((read = kcat.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
            received += read; // one "x" per message
        kcat.WaitForExit();
        clock.Stop();
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            operation = "kcat-group-consume",
            bootstrap,
            messages = received,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
            messagesPerSecond = Math.Round(received / clock.Elapsed.TotalSeconds),
            failed = expected - received,
            error = kcat.ExitCode == 0 ? null : stderr.Result,
        }));
        return received == expected && kcat.ExitCode == 0 ? 0 : 1;
    }
}
