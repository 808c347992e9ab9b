using System.CommandLine;
using Beltline.Broker;
using Beltline.Cli.Commands.Kafka;
using Beltline.Security.Sasl;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ScramMechanism = Beltline.Security.Sasl.ScramMechanism;

namespace Beltline.Cli.Commands;

/// <summary>
/// <c>beltline users create|list|delete</c>: SCRAM users, online through the admin API (KIP-554) when --bootstrap or
/// --command-config is given, else in a stopped broker's data dir (before its first start). Only salts and keys are
/// ever stored, never passwords; online, the client salts the password before sending it.
/// </summary>
internal static class UsersCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The broker's data dir.", DefaultValueFactory = _ => Path.Combine(".beltline", "data") };

        var name = new Argument<string>("name") { Description = "User name (the principal is User:NAME)." };
        var password = new Option<string>("--password") { Description = "The user's password.", Required = true };
        var mechanism = new Option<string[]>("--mechanism")
        {
            Description = "SCRAM-SHA-512 and/or SCRAM-SHA-256 (default both, as MSK accepts either).",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["SCRAM-SHA-512", "SCRAM-SHA-256"],
        };
        var iterations = new Option<int>("--iterations") { Description = $"PBKDF2 iterations (at least {ScramMechanisms.MinIterations}).", DefaultValueFactory = _ => ScramMechanisms.MinIterations };
        var kafka = new KafkaToolOptions();
        var create = new Command("create", "Create a user, or set a new password for one.") { name, password, mechanism, iterations, dataDir };
        kafka.AddTo(create);
        KafkaTool.SetAction(create, async (result, _) =>
        {
            var mechanisms = new List<ScramMechanism>();
            foreach (var text in result.GetValue(mechanism)!)
                mechanisms.Add(ScramMechanisms.TryParse(text, out var parsed) ? parsed
                    : throw new UsageException($"--mechanism {text} is not SCRAM-SHA-512 or SCRAM-SHA-256."));
            mechanisms = [.. mechanisms.Distinct()];
            if (result.GetValue(iterations) < ScramMechanisms.MinIterations)
                throw new UsageException($"--iterations must be at least {ScramMechanisms.MinIterations}, got {result.GetValue(iterations)}.");
            if (string.IsNullOrEmpty(result.GetValue(password)))
                throw new UsageException("--password must not be empty.");
            var (user, secret, rounds) = (result.GetValue(name)!, result.GetValue(password)!, result.GetValue(iterations));
            if (Online(result, kafka))
                await AlterOnlineAsync(result, kafka, [.. mechanisms.Select(m => (UserScramCredentialAlteration)new UserScramCredentialUpsertion
                {
                    User = user,
                    ScramCredentialInfo = new ScramCredentialInfo { Mechanism = ToKafka(m), Iterations = rounds },
                    Password = System.Text.Encoding.UTF8.GetBytes(secret),
                })]);
            else
                Edit(result, result.GetValue(dataDir)!, store =>
                {
                    foreach (var scram in mechanisms)
                        store.Set(user, scram, ScramCredential.FromPassword(scram, secret, rounds));
                });
            result.InvocationConfiguration.Output.WriteLine($"User {user}: {string.Join(", ", mechanisms.Select(m => m.Name()))}");
            return ExitCodes.Ok;
        });

        var list = new Command("list", "List the users and their SCRAM mechanisms.") { dataDir };
        kafka.AddTo(list);
        KafkaTool.SetAction(list, async (result, _) =>
        {
            IEnumerable<(string User, IEnumerable<(string Mechanism, int Iterations)> Credentials)> users;
            if (Online(result, kafka))
            {
                var (admin, _) = kafka.Connect(result);
                using (admin)
                    users = (await admin.DescribeUserScramCredentialsAsync([], new DescribeUserScramCredentialsOptions { RequestTimeout = kafka.Timeout(result) }))
                        .UserScramCredentialsDescriptions.Select(d => (d.User, d.ScramCredentialInfos.Select(i => (FromKafka(i.Mechanism), i.Iterations)))).ToList();
            }
            else
            {
                var stored = new List<(string, IEnumerable<(string, int)>)>();
                Edit(result, result.GetValue(dataDir)!, store => stored.AddRange(store.List().Select(u => (u.User, u.Credentials.Select(c => (c.Mechanism.Name(), c.Iterations))))));
                users = stored;
            }
            foreach (var (user, credentials) in users.OrderBy(u => u.User, StringComparer.Ordinal))
                result.InvocationConfiguration.Output.WriteLine($"{user}\t{string.Join(", ", credentials.OrderBy(c => c.Mechanism, StringComparer.Ordinal).Select(c => $"{c.Mechanism} ({c.Iterations} iterations)"))}");
            return ExitCodes.Ok;
        });

        var deleteName = new Argument<string>("name") { Description = "User to delete." };
        var delete = new Command("delete", "Delete a user.") { deleteName, dataDir };
        kafka.AddTo(delete);
        KafkaTool.SetAction(delete, async (result, _) =>
        {
            var user = result.GetValue(deleteName)!;
            if (Online(result, kafka))
            {
                var (admin, _) = kafka.Connect(result);
                List<UserScramCredentialsDescription> described;
                using (admin)
                {
                    try
                    {
                        described = (await admin.DescribeUserScramCredentialsAsync([user])).UserScramCredentialsDescriptions;
                    }
                    catch (DescribeUserScramCredentialsException)
                    {
                        throw new ToolFailureException($"No user {user}.");
                    }
                }
                await AlterOnlineAsync(result, kafka, [.. described.SelectMany(d => d.ScramCredentialInfos)
                    .Select(i => (UserScramCredentialAlteration)new UserScramCredentialDeletion { User = user, Mechanism = i.Mechanism })]);
            }
            else
                Edit(result, result.GetValue(dataDir)!, store =>
                {
                    if (!store.Delete(user))
                        throw new ToolFailureException($"No user {user}.");
                });
            result.InvocationConfiguration.Output.WriteLine($"Deleted user {user}");
            return ExitCodes.Ok;
        });

        return new Command("users", "SCRAM users for SASL_SSL: online with --bootstrap/--command-config (admin API), else in a stopped broker's --data-dir.") { create, list, delete };
    }

    /// <summary>Online when the command names a cluster (--bootstrap or --command-config); else the data dir.</summary>
    private static bool Online(ParseResult result, KafkaToolOptions kafka) =>
        result.GetResult(kafka.Client.Bootstrap) is { Implicit: false } || result.GetResult(kafka.Client.CommandConfig) is { Implicit: false };

    private static async Task AlterOnlineAsync(ParseResult result, KafkaToolOptions kafka, List<UserScramCredentialAlteration> alterations)
    {
        var (admin, _) = kafka.Connect(result);
        using (admin)
        {
            try
            {
                await admin.AlterUserScramCredentialsAsync(alterations, new AlterUserScramCredentialsOptions { RequestTimeout = kafka.Timeout(result) });
            }
            catch (AlterUserScramCredentialsException e)
            {
                throw new ToolFailureException(string.Join("; ", e.Results.Where(r => r.Error.IsError).Select(r => $"{r.User}: {r.Error.Reason}")));
            }
        }
    }

    private static Confluent.Kafka.Admin.ScramMechanism ToKafka(ScramMechanism mechanism) =>
        mechanism == ScramMechanism.Sha256 ? Confluent.Kafka.Admin.ScramMechanism.ScramSha256 : Confluent.Kafka.Admin.ScramMechanism.ScramSha512;

    private static string FromKafka(Confluent.Kafka.Admin.ScramMechanism mechanism) =>
        mechanism == Confluent.Kafka.Admin.ScramMechanism.ScramSha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";

    /// <summary>Runs <paramref name="edit"/> on the data dir's store, refused while a broker holds the data dir.</summary>
    private static int Edit(ParseResult result, string dataDir, Action<CredentialStore> edit)
    {
        if (!Directory.Exists(dataDir))
            Directory.CreateDirectory(dataDir);
        FileStream? brokerLock;
        try
        {
            brokerLock = new FileStream(Path.Combine(dataDir, BeltlineBroker.LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new ToolFailureException($"A broker is running on {Path.GetFullPath(dataDir)}: stop it first (it reads its users at start).");
        }
        using (brokerLock)
        {
            try
            {
                edit(CredentialStore.Open(new BrokerOptions { DataDir = dataDir }.EffectiveCredentialsFile));
            }
            catch (InvalidDataException e)
            {
                throw new ToolFailureException(e.Message);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
        }
        return ExitCodes.Ok;
    }
}
