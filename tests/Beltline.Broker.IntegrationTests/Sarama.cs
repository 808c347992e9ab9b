using System.ComponentModel;
using System.Diagnostics;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// Runs a scenario of tests/clients/go (sarama 1.22 from Debian's golang-github-shopify-sarama-dev, built once per
/// test run with Debian's Go in GOPATH mode: no module download): a Go client that is not ours.
/// </summary>
internal static class Sarama
{
    private const string Missing = "the sarama tests need Debian's golang-go and golang-github-shopify-sarama-dev; ./test.sh installs them.";

    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    public static async Task<ClientScenario.Result> RunAsync(string bootstrap, string scenario, object parameters)
    {
        var start = new ProcessStartInfo(await Binary.Value);
        start.ArgumentList.Add(bootstrap);
        start.ArgumentList.Add(scenario);
        return await ClientScenario.RunAsync("sarama", start, scenario, parameters, Missing);
    }

    private static async Task<string> BuildAsync()
    {
        var source = ClientScenario.FindClientDirectory("go", "main.go");
        var binary = Path.Combine(AppContext.BaseDirectory, "sarama-client");
        var start = new ProcessStartInfo("go") { WorkingDirectory = source, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "build", "-o", binary, "main.go" })
            start.ArgumentList.Add(argument);
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = "/usr/share/gocode";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("go did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"go is not there ({e.Message}): {Missing}", e);
        }
        using var _ = process;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await ClientScenario.WaitOrKillAsync(process, TimeSpan.FromMinutes(3), async () => $"go build did not finish: {await error}");
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"go build of tests/clients/go failed ({Missing}): {await output}{await error}");
        return binary;
    }
}
