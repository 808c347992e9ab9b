using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

/// <summary>
/// Runs the whole comparison: every target gets the same workloads, interleaved per repetition so a noisy
/// moment on the machine hits all targets alike (in an order that rotates, so none always follows another),
/// and the median of the repetitions is reported, with each target's produce rate against the mock's round by
/// round.
/// </summary>
internal static class Suite
{
    private const string StartMarker = "<!-- throughput:start -->";
    private const string EndMarker = "<!-- throughput:end -->";
    private static readonly (int Size, int Count)[] Workloads = [(100, 1_000_000), (1024, 300_000)];

    public static int Run(string markdown, int repetitions, string[] targetArguments)
    {
        var targets = targetArguments.Select(t => t.Split('=', 2)).Select(p => (Name: p[0], Bootstrap: p[1])).ToList();
        using var mock = StartMock(out var mockBootstrap);
        targets.Add(("librdkafka mock", mockBootstrap));
        var results = new List<(int Rep, string Target, string Operation, int Size, JsonElement Result)>();
        // Unrecorded rounds first: a freshly started broker runs unoptimised (tier-0 JIT) code for its first
        // seconds of load, which would otherwise land in the first repetition.
        foreach (var (name, bootstrap) in targets)
        {
            for (var round = 0; round < 3; round++)
            {
                foreach (var (size, count) in Workloads)
                {
                    var warmUp = $"bench-warm-up-{Guid.NewGuid():N}";
                    RunChild("produce", bootstrap, warmUp, size.ToString(CultureInfo.InvariantCulture), (count / 2).ToString(CultureInfo.InvariantCulture));
                    RunChild("consume", bootstrap, warmUp);
                }
            }
            Console.Error.WriteLine($"warmed up {name}");
        }
        for (var rep = 1; rep <= repetitions; rep++)
        {
            foreach (var (size, count) in Workloads)
            {
                foreach (var (name, bootstrap) in targets.Skip(rep % targets.Count).Concat(targets.Take(rep % targets.Count)))
                {
                    var topic = $"bench-{size}-{rep}-{Guid.NewGuid():N}";
                    var produced = RunChild("produce", bootstrap, topic, size.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture));
                    var consumed = RunChild("consume", bootstrap, topic);
                    Console.Error.WriteLine($"[{rep}/{repetitions}] {name,-20} {size,5} B  produce {Rate(produced)}  consume {Rate(consumed)}");
                    results.Add((rep, name, "produce", size, produced));
                    results.Add((rep, name, "consume", size, consumed));
                }
            }
        }
        mock.StandardInput.Close();
        mock.WaitForExit(10_000);
        WriteMarkdown(markdown, targets.Select(t => t.Name).ToList(), mockName: targets[^1].Name, results, repetitions);
        return 0;
    }

    private static string Rate(JsonElement result) =>
        $"{result.GetProperty("messagesPerSecond").GetDouble(),10:N0} msg/s {result.GetProperty("megabytesPerSecond").GetDouble(),7:N1} MB/s";

    private static Process StartMock(out string bootstrap)
    {
        var mock = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, Self("mock"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("Could not start the mock cluster host.");
        bootstrap = mock.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The mock cluster host printed no address.");
        return mock;
    }

    public static JsonElement RunChild(params string[] arguments)
    {
        using var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, Self(arguments)) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("Could not start a bench child process.");
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"bench {string.Join(' ', arguments)} printed nothing (exit {child.ExitCode}).");
        var result = JsonDocument.Parse(line).RootElement.Clone();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"bench {string.Join(' ', arguments)} failed: {line}");
        return result;
    }

    /// <summary>Arguments that start this same program again, whether it runs as an apphost or through dotnet.</summary>
    private static string Self(params string[] arguments)
    {
        var dll = Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? $"\"{typeof(Suite).Assembly.Location}\" " : "";
        return dll + string.Join(' ', arguments.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
    }

    private static void WriteMarkdown(string path, List<string> targets, string mockName,
        List<(int Rep, string Target, string Operation, int Size, JsonElement Result)> results, int repetitions)
    {
        double Rate(int rep, string target, int size) => results
            .Single(r => r.Rep == rep && r.Target == target && r.Operation == "produce" && r.Size == size).Result.GetProperty("messagesPerSecond").GetDouble();

        double Median(string target, string operation, int size, string field)
        {
            var values = results.Where(r => r.Target == target && r.Operation == operation && r.Size == size)
                .Select(r => r.Result.GetProperty(field).GetDouble()).Order().ToList();
            return values[values.Count / 2];
        }

        var table = new StringBuilder();
        table.AppendLine(StartMarker);
        table.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores ({CpuModel()}), median of {repetitions} runs.");
        table.AppendLine();
        table.AppendLine("| target | message | produce msg/s | produce MB/s | consume msg/s | consume MB/s | consumed messages |");
        table.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (size, _) in Workloads)
        {
            foreach (var target in targets)
            {
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"| {target} | {size} B | {Median(target, "produce", size, "messagesPerSecond"):N0} | {Median(target, "produce", size, "megabytesPerSecond"):N1} | " +
                    $"{Median(target, "consume", size, "messagesPerSecond"):N0} | {Median(target, "consume", size, "megabytesPerSecond"):N1} | {Median(target, "consume", size, "messages"):N0} |");
            }
        }
        table.AppendLine();
        table.AppendLine("Produce against the mock round by round (each round's rate over the mock's in the same repetition):");
        table.AppendLine();
        table.AppendLine("| target | message | median ratio | lowest – highest | rounds ahead |");
        table.AppendLine("|---|---|---:|---:|---:|");
        foreach (var (size, _) in Workloads)
        {
            foreach (var target in targets.Where(t => t != mockName))
            {
                var ratios = Enumerable.Range(1, repetitions).Select(rep => Rate(rep, target, size) / Rate(rep, mockName, size)).Order().ToList();
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"| {target} | {size} B | {ratios[ratios.Count / 2]:P0} | {ratios[0]:P0} – {ratios[^1]:P0} | {ratios.Count(r => r >= 1)} of {ratios.Count} |");
            }
        }
        table.Append(EndMarker);
        var text = File.Exists(path) ? File.ReadAllText(path) : "";
        var start = text.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = text.IndexOf(EndMarker, StringComparison.Ordinal);
        text = start >= 0 && end > start
            ? text[..start] + table + text[(end + EndMarker.Length)..]
            : text + Environment.NewLine + table + Environment.NewLine;
        File.WriteAllText(path, text);
        Console.WriteLine(table);
    }

    public static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
