using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// Runs one scenario of an independent client's script under tests/clients (KafkaJS, kafka-python): parameters go
/// in as camelCase JSON on stdin, the result comes back as the last line of stdout, a JSON object ({"error": …}
/// with exit code 1 when the client threw).
/// </summary>
internal static class ClientScenario
{
    public sealed record Result(string Client, int ExitCode, JsonElement Json, string Output, string Error)
    {
        /// <summary>The scenario's result; fails with the client's error and log when it threw.</summary>
        public JsonElement Ok()
        {
            Assert.True(ExitCode == 0, $"{Client} failed (exit {ExitCode}): {Output}\n{Error}");
            return Json;
        }

        /// <summary>The error the client threw; fails when the scenario succeeded.</summary>
        public JsonElement Failed()
        {
            Assert.True(ExitCode == 1 && Json.TryGetProperty("error", out _), $"expected {Client} to throw, got exit {ExitCode}: {Output}\n{Error}");
            return Json.GetProperty("error");
        }
    }

    private static readonly JsonSerializerOptions Camel = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Runs <paramref name="start"/> (the client's interpreter and script, with the bootstrap and scenario as
    /// arguments); <paramref name="missing"/> says how to get the interpreter when it is not there.
    /// </summary>
    public static async Task<Result> RunAsync(string client, ProcessStartInfo start, string scenario, object? parameters, string missing)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{start.FileName} is not there ({e.Message}): {missing}", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(JsonSerializer.Serialize(parameters ?? new { }, Camel));
            process.StandardInput.Close();
            await WaitOrKillAsync(process, TimeSpan.FromSeconds(90), async () => $"{client} scenario {scenario} did not finish: {await error}");

            var stdout = await output;
            var stderr = await error;
            var lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (lastLine is null)
                Assert.Fail($"{client} scenario {scenario} printed nothing (exit {process.ExitCode}): {stderr}");
            JsonElement json = default;
            try { json = JsonDocument.Parse(lastLine).RootElement.Clone(); }
            catch (JsonException) { Assert.Fail($"{client} scenario {scenario} printed no JSON (exit {process.ExitCode}): {stdout}\n{stderr}"); }
            return new Result(client, process.ExitCode, json, stdout, stderr);
        }
    }

    /// <summary>A base64 JSON string (how the client scripts carry bytes) as UTF-8 text; JSON null stays null.</summary>
    public static string? Base64Text(JsonElement base64) =>
        base64.ValueKind == JsonValueKind.Null ? null : System.Text.Encoding.UTF8.GetString(base64.GetBytesFromBase64());

    /// <summary>Waits for a client process; past <paramref name="timeout"/> kills it and throws with <paramref name="describe"/>'s message.</summary>
    public static async Task WaitOrKillAsync(Process process, TimeSpan timeout, Func<Task<string>> describe)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(await describe());
        }
    }

    /// <summary>tests/clients/<paramref name="client"/>, found upwards from the test binaries by the file it must hold.</summary>
    public static string FindClientDirectory(string client, string file)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "tests", "clients", client, file)))
            directory = directory.Parent;
        return directory is null
            ? throw new InvalidOperationException($"tests/clients/{client}/{file} not found above {AppContext.BaseDirectory}.")
            : Path.Combine(directory.FullName, "tests", "clients", client);
    }
}
