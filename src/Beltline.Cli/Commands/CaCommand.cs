using System.CommandLine;
using System.Net;
using Beltline.Cli.Commands.Kafka;
using Beltline.Security;

namespace Beltline.Cli.Commands;

/// <summary>
/// <c>beltline ca init|issue</c>: the local certificate authority (the workshop's ACM Private CA twin), its root and
/// the broker and client certificates it issues, as PEM files in one directory.
/// </summary>
internal static class CaCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "Directory of the CA and its certificates.", DefaultValueFactory = _ => Path.Combine(".beltline", "ca") };

        var commonName = new Option<string>("--cn") { Description = "The root's common name (the template's MyMSKPCA).", DefaultValueFactory = _ => CertificateAuthority.DefaultCommonName };
        var force = new Option<bool>("--force") { Description = "Replace an existing root (what it issued stops verifying)." };
        var init = new Command("init", "Create the root: RSA 2048, SHA-256, valid 10 years, key readable by its owner only.") { dir, commonName, force };
        // The Kafka tools' action: parse errors are usage errors (2) there too.
        KafkaTool.SetAction(init, (result, _) => Task.FromResult(Run(result, () =>
        {
            var ca = CertificateAuthority.Init(result.GetValue(dir)!, result.GetValue(commonName)!, result.GetValue(force));
            result.InvocationConfiguration.Output.WriteLine($"Root {ca.Root.Subject}, valid until {ca.Root.NotAfter:yyyy-MM-dd}:");
            result.InvocationConfiguration.Output.WriteLine($"  {Path.Combine(ca.Directory, CertificateAuthority.CertificateFile)}");
            result.InvocationConfiguration.Output.WriteLine($"  {Path.Combine(ca.Directory, CertificateAuthority.KeyFile)}");
        })));

        var kind = new Argument<string>("kind") { Description = "broker (server and client auth, with SANs) or client (its CN becomes the principal)." };
        kind.AcceptOnlyFromAmong("broker", "client");
        var name = new Argument<string>("name") { Description = "The certificate's common name and file name (NAME.crt, NAME.key)." };
        var dns = new Option<string[]>("--dns") { Description = "DNS names a broker is reached at (default: localhost).", AllowMultipleArgumentsPerToken = true };
        var ip = new Option<string[]>("--ip") { Description = "Addresses a broker is reached at (default: 127.0.0.1).", AllowMultipleArgumentsPerToken = true };
        var days = new Option<int>("--days") { Description = "Validity in days (never past the root's).", DefaultValueFactory = _ => 365 };
        var issue = new Command("issue", "Issue a broker or client certificate signed by the root.") { kind, name, dir, dns, ip, days };
        KafkaTool.SetAction(issue, (result, _) => Task.FromResult(Issue(result)));
        int Issue(ParseResult result)
        {
            if (result.GetValue(days) <= 0)
                return Usage(result, $"--days must be positive, got {result.GetValue(days)}.");
            var addresses = new List<IPAddress>();
            foreach (var text in result.GetValue(ip) is { Length: > 0 } given ? given : ["127.0.0.1"])
            {
                if (!IPAddress.TryParse(text, out var address))
                    return Usage(result, $"--ip must be an IP address, got '{text}'.");
                addresses.Add(address);
            }
            return Run(result, () =>
            {
                var ca = CertificateAuthority.Load(result.GetValue(dir)!);
                var validity = TimeSpan.FromDays(result.GetValue(days));
                var files = result.GetValue(kind) == "broker"
                    ? ca.IssueBroker(result.GetValue(name)!, result.GetValue(dns) is { Length: > 0 } names ? names : ["localhost"], addresses, validity)
                    : ca.IssueClient(result.GetValue(name)!, validity);
                result.InvocationConfiguration.Output.WriteLine($"Issued CN={result.GetValue(name)} by {ca.Root.Subject}:");
                result.InvocationConfiguration.Output.WriteLine($"  {files.CertificatePath}");
                result.InvocationConfiguration.Output.WriteLine($"  {files.KeyPath}");
            });
        }

        return new Command("ca", "The local certificate authority (the ACM Private CA twin): a root, broker and client certificates.") { init, issue };
    }

    private static int Usage(ParseResult result, string message)
    {
        result.InvocationConfiguration.Error.WriteLine(message);
        return ExitCodes.BadArguments;
    }

    /// <summary>Bad names and an existing root are usage errors (2); files that cannot be read or written fail (1).</summary>
    private static int Run(ParseResult result, Action action)
    {
        try
        {
            action();
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return Usage(result, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            result.InvocationConfiguration.Error.WriteLine(e.Message);
            return ExitCodes.Failure;
        }
    }
}
