using System.CommandLine;
using System.Net;
using System.Net.Sockets;

namespace Beltline.Cli.Tests;

/// <summary>The `beltline` command's arguments, environment fallbacks and errors; env variables are process-wide, hence one collection.</summary>
[Collection("environment")]
public sealed class CommandLineTests
{
    private static (int ExitCode, string Error) Invoke(params string[] args)
    {
        var error = new StringWriter();
        var output = new StringWriter();
        var exit = Program.CreateRoot().Parse(args).Invoke(new InvocationConfiguration { Error = error, Output = output });
        return (exit, error.ToString());
    }

    [Fact]
    public void Tls_options_are_checked_before_the_broker_starts()
    {
        var (exit, error) = Invoke("broker", "--tls-port", "9094", "--tls-cert", "/nonexistent/broker.crt");
        Assert.Equal(2, exit);
        Assert.Contains("--tls-port needs --tls-cert and --tls-key", error);
        Assert.Contains("--tls-cert /nonexistent/broker.crt: no such file.", error);

        (exit, error) = Invoke("broker", "--plaintext", "false");
        Assert.Equal(2, exit);
        Assert.Contains("--plaintext false leaves no listener: add --tls-port or --sasl-port.", error);

        (exit, error) = Invoke("broker", "--tls-client-ca", "ca.crt");
        Assert.Equal(2, exit);
        Assert.Contains("--tls-cert and --tls-client-ca need --tls-port or --sasl-port.", error);
    }

    [Fact]
    public void Out_of_range_values_are_rejected_with_a_message_per_option()
    {
        var (exit, error) = Invoke("broker", "--port", "70000", "--default-partitions", "0", "--node-id", "-1", "--host", "localhost");

        Assert.Equal(2, exit);
        Assert.Contains("--port must be in 0-65535, got 70000.", error);
        Assert.Contains("--default-partitions must be at least 1, got 0.", error);
        Assert.Contains("--node-id must be >= 0, got -1.", error);
        Assert.Contains("--host must be an IP address", error);
    }

    [Fact]
    public void Unknown_commands_and_unparsable_values_fail_before_anything_starts()
    {
        var (typo, typoError) = Invoke("brokr");
        var (notNumber, notNumberError) = Invoke("broker", "--port", "ninety");

        Assert.NotEqual(0, typo);
        Assert.Contains("brokr", typoError);
        Assert.NotEqual(0, notNumber);
        Assert.Contains("ninety", notNumberError);
    }

    [Fact]
    public void Topic_config_defaults_are_validated_like_Kafka_configs()
    {
        var (unknown, unknownError) = Invoke("broker", "--config", "retention.minutes=5");
        var (invalid, invalidError) = Invoke("broker", "--config", "retention.ms=soon");
        var (shape, shapeError) = Invoke("broker", "--config", "retention.ms");

        Assert.Equal(2, unknown);
        Assert.Contains("Unknown topic config name: retention.minutes", unknownError);
        Assert.Equal(2, invalid);
        Assert.Contains("Invalid value soon for configuration retention.ms", invalidError);
        Assert.Equal(2, shape);
        Assert.Contains("must look like name=value", shapeError);
    }

    [Fact]
    public void Group_coordinator_configs_are_checked_too()
    {
        var (negative, negativeError) = Invoke("broker", "--config", "group.min.session.timeout.ms=-5");
        var (zero, zeroError) = Invoke("broker", "--config", "offsets.topic.num.partitions=0");

        Assert.Equal(2, negative);
        Assert.Contains("group.min.session.timeout.ms must be a non-negative integer, got '-5'.", negativeError);
        Assert.Equal(2, zero);
        Assert.Contains("offsets.topic.num.partitions=0 is out of range.", zeroError);
    }

    [Fact]
    public void A_config_given_twice_and_a_wildcard_host_without_an_advertised_one_are_errors()
    {
        var (twice, twiceError) = Invoke("broker", "--config", "retention.ms=1000", "--config", "retention.ms=2000");
        var (wildcard, wildcardError) = Invoke("broker", "--host", "0.0.0.0");

        Assert.Equal(2, twice);
        Assert.Contains("--config retention.ms is given more than once", twiceError);
        Assert.Equal(2, wildcard);
        Assert.Contains("--advertised-host", wildcardError);
    }

    [Fact]
    public void Settings_come_from_BELTLINE_variables_and_bad_ones_are_named()
    {
        try
        {
            Environment.SetEnvironmentVariable("BELTLINE_PORT", "abc");
            var (exit, error) = Invoke("broker");
            Environment.SetEnvironmentVariable("BELTLINE_PORT", "70001");
            var (range, rangeError) = Invoke("broker");

            Assert.NotEqual(0, exit);
            Assert.Contains("BELTLINE_PORT='abc' is not a valid integer", error);
            Assert.Equal(2, range);
            Assert.Contains("got 70001", rangeError);
        }
        finally
        {
            Environment.SetEnvironmentVariable("BELTLINE_PORT", null);
        }
    }

    [Fact]
    public async Task Broker_runs_until_cancelled_and_stops_cleanly()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "beltline-cli-" + Guid.NewGuid().ToString("N"));
        var port = FreePort();
        using var stop = new CancellationTokenSource();
        try
        {
            var run = Program.CreateRoot()
                .Parse(["broker", "--port", port.ToString(), "--data-dir", dataDir, "--metrics-port", "0", "--log-level", "Warning"])
                .InvokeAsync(new InvocationConfiguration(), stop.Token);
            await WaitUntilListeningAsync(port);
            Assert.False(File.Exists(Path.Combine(dataDir, ".clean-shutdown")));

            await stop.CancelAsync();
            var exit = await run;

            Assert.Equal(0, exit);
            Assert.True(File.Exists(Path.Combine(dataDir, ".clean-shutdown")));
            Assert.True(File.Exists(Path.Combine(dataDir, "meta.properties")));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_port_already_taken_is_a_startup_error_not_a_crash()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var dataDir = Path.Combine(Path.GetTempPath(), "beltline-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var exit = await Program.CreateRoot()
                .Parse(["broker", "--port", port.ToString(), "--data-dir", dataDir, "--metrics-port", "0", "--log-level", "None"])
                .InvokeAsync(new InvocationConfiguration());

            Assert.Equal(1, exit);
        }
        finally
        {
            if (Directory.Exists(dataDir))
                Directory.Delete(dataDir, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilListeningAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
