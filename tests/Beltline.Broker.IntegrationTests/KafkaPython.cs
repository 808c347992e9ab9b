using System.Diagnostics;

namespace Beltline.Broker.IntegrationTests;

/// <summary>
/// Runs a scenario of tests/clients/python/run.py with Debian's Python: kafka-python 2.0.2 (package python3-kafka,
/// with python3-lz4, python3-snappy and python3-zstandard for its codecs), a pure-Python client that is not ours.
/// </summary>
internal static class KafkaPython
{
    /// <summary>Debian's interpreter, where apt installs python3-kafka (a python3 earlier on PATH may be another one).</summary>
    private const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<string> Directory = new(() => ClientScenario.FindClientDirectory("python", "run.py"));

    public static Task<ClientScenario.Result> RunAsync(string bootstrap, string scenario, object? parameters = null)
    {
        var start = new ProcessStartInfo(Interpreter) { WorkingDirectory = Directory.Value };
        start.ArgumentList.Add(Path.Combine(Directory.Value, "run.py"));
        start.ArgumentList.Add(bootstrap);
        start.ArgumentList.Add(scenario);
        return ClientScenario.RunAsync("kafka-python", start, scenario, parameters,
            "the kafka-python tests need Debian's python3 with python3-kafka; ./test.sh installs them.");
    }
}
