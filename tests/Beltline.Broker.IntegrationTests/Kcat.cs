using System.Diagnostics;

namespace Beltline.Broker.IntegrationTests;

/// <summary>Runs kcat (Debian's package, linked to Debian's librdkafka): an independent client that is not ours.</summary>
internal static class Kcat
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(string bootstrap, string arguments, string? input = null)
    {
        var start = new ProcessStartInfo("kcat", $"-b {bootstrap} {arguments}")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start; test.sh installs it (apt-get install kcat).");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
            await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await ClientScenario.WaitOrKillAsync(process, TimeSpan.FromSeconds(60), async () => $"kcat {arguments} did not finish: {await error}");
        return new Result(process.ExitCode, await output, await error);
    }
}
