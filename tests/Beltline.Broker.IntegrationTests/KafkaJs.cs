using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// Runs a scenario of tests/clients/kafkajs/run.js with node: KafkaJS, a pure-JavaScript client that is not ours.
/// A missing node or a missing/stale <c>npm ci</c> fails the test with the fix in the message (./test.sh does both).
/// </summary>
internal static class KafkaJs
{
    public sealed record Result(int ExitCode, JsonElement Json, string Output, string Error)
    {
        /// <summary>The scenario's result; fails with KafkaJS's error and log when it threw.</summary>
        public JsonElement Ok()
        {
            Assert.True(ExitCode == 0, $"KafkaJS failed (exit {ExitCode}): {Output}\n{Error}");
            return Json;
        }

        /// <summary>The error KafkaJS threw; fails when the scenario succeeded.</summary>
        public JsonElement Failed()
        {
            Assert.True(ExitCode == 1 && Json.TryGetProperty("error", out _), $"expected KafkaJS to throw, got exit {ExitCode}: {Output}\n{Error}");
            return Json.GetProperty("error");
        }
    }

    private static readonly JsonSerializerOptions Camel = new(JsonSerializerDefaults.Web);

    private static readonly Lazy<string> Project = new(FindProject);

    /// <summary>Runs <paramref name="scenario"/> with <paramref name="parameters"/> (serialized camelCase) on stdin.</summary>
    public static async Task<Result> RunAsync(string bootstrap, string scenario, object? parameters = null)
    {
        var project = Project.Value;
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = project,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(project, "run.js"));
        start.ArgumentList.Add(bootstrap);
        start.ArgumentList.Add(scenario);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"node (Node.js) is not on PATH ({e.Message}): the KafkaJS tests need it; ./test.sh installs Debian's nodejs and npm.", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(JsonSerializer.Serialize(parameters ?? new { }, Camel));
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"KafkaJS scenario {scenario} did not finish: {await error}");
            }

            var stdout = await output;
            var stderr = await error;
            var lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            JsonElement json = default;
            if (lastLine is not null)
            {
                try { json = JsonDocument.Parse(lastLine).RootElement.Clone(); }
                catch (JsonException) { Assert.Fail($"KafkaJS scenario {scenario} printed no JSON (exit {process.ExitCode}): {stdout}\n{stderr}"); }
            }
            else
            {
                Assert.Fail($"KafkaJS scenario {scenario} printed nothing (exit {process.ExitCode}): {stderr}");
            }
            return new Result(process.ExitCode, json, stdout, stderr);
        }
    }

    /// <summary>tests/clients/kafkajs, found upwards from the test binaries, with the pinned KafkaJS installed.</summary>
    private static string FindProject()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "tests", "clients", "kafkajs", "run.js")))
            directory = directory.Parent;
        if (directory is null)
            throw new InvalidOperationException($"tests/clients/kafkajs/run.js not found above {AppContext.BaseDirectory}.");
        var project = Path.Combine(directory.FullName, "tests", "clients", "kafkajs");

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "package.json")));
        var pinned = manifest.RootElement.GetProperty("dependencies").GetProperty("kafkajs").GetString();
        var installedManifest = Path.Combine(project, "node_modules", "kafkajs", "package.json");
        if (!File.Exists(installedManifest))
            throw new InvalidOperationException($"KafkaJS is not installed in {project}: run `npm ci` there (./test.sh does it).");
        using var installed = JsonDocument.Parse(File.ReadAllText(installedManifest));
        var version = installed.RootElement.GetProperty("version").GetString();
        if (version != pinned)
            throw new InvalidOperationException($"KafkaJS {version} is installed in {project} but package.json pins {pinned}: run `npm ci` there (./test.sh does it).");
        return project;
    }
}
