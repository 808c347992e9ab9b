using System.Diagnostics;
using System.Text.Json;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// Runs a scenario of tests/clients/kafkajs/run.js with node: KafkaJS, a pure-JavaScript client that is not ours.
/// A missing node or a missing/stale <c>npm ci</c> fails the test with the fix in the message (./test.sh does both).
/// </summary>
internal static class KafkaJs
{
    private static readonly Lazy<string> Project = new(FindProject);

    /// <summary>Runs <paramref name="scenario"/> with <paramref name="parameters"/> (serialized camelCase) on stdin.</summary>
    public static Task<ClientScenario.Result> RunAsync(string bootstrap, string scenario, object? parameters = null)
    {
        var project = Project.Value;
        var start = new ProcessStartInfo("node") { WorkingDirectory = project };
        start.ArgumentList.Add(Path.Combine(project, "run.js"));
        start.ArgumentList.Add(bootstrap);
        start.ArgumentList.Add(scenario);
        return ClientScenario.RunAsync("KafkaJS", start, scenario, parameters,
            "the KafkaJS tests need Node.js; ./test.sh installs Debian's nodejs and npm.");
    }

    /// <summary>tests/clients/kafkajs, found upwards from the test binaries, with the pinned KafkaJS installed.</summary>
    private static string FindProject()
    {
        var project = ClientScenario.FindClientDirectory("kafkajs", "run.js");
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
