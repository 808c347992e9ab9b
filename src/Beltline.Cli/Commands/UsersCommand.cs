using System.CommandLine;
using Beltline.Broker;
using Beltline.Cli.Commands.Kafka;
using Beltline.Security.Sasl;

namespace Beltline.Cli.Commands;

/// <summary>
/// <c>beltline users create|list|delete</c>: SCRAM users of a broker's data dir, edited while the broker is stopped
/// (MSK keeps them in Secrets Manager; Kafka in its metadata). Only salts and keys are written, never passwords.
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
        var create = new Command("create", "Create a user, or set a new password for one.") { name, password, mechanism, iterations, dataDir };
        KafkaTool.SetAction(create, (result, _) => Task.FromResult(Edit(result, result.GetValue(dataDir)!, store =>
        {
            var mechanisms = new List<ScramMechanism>();
            foreach (var text in result.GetValue(mechanism)!)
                mechanisms.Add(ScramMechanisms.TryParse(text, out var parsed) ? parsed
                    : throw new UsageException($"--mechanism {text} is not SCRAM-SHA-512 or SCRAM-SHA-256."));
            if (result.GetValue(iterations) < ScramMechanisms.MinIterations)
                throw new UsageException($"--iterations must be at least {ScramMechanisms.MinIterations}, got {result.GetValue(iterations)}.");
            if (string.IsNullOrEmpty(result.GetValue(password)))
                throw new UsageException("--password must not be empty.");
            foreach (var scram in mechanisms.Distinct())
                store.Set(result.GetValue(name)!, scram, ScramCredential.FromPassword(scram, result.GetValue(password)!, result.GetValue(iterations)));
            result.InvocationConfiguration.Output.WriteLine($"User {result.GetValue(name)}: {string.Join(", ", mechanisms.Distinct().Select(m => m.Name()))}");
        })));

        var list = new Command("list", "List the users and their SCRAM mechanisms.") { dataDir };
        KafkaTool.SetAction(list, (result, _) => Task.FromResult(Edit(result, result.GetValue(dataDir)!, store =>
        {
            foreach (var (user, credentials) in store.List())
                result.InvocationConfiguration.Output.WriteLine($"{user}\t{string.Join(", ", credentials.Select(c => $"{c.Mechanism.Name()} ({c.Iterations} iterations)"))}");
        })));

        var deleteName = new Argument<string>("name") { Description = "User to delete." };
        var delete = new Command("delete", "Delete a user.") { deleteName, dataDir };
        KafkaTool.SetAction(delete, (result, _) => Task.FromResult(Edit(result, result.GetValue(dataDir)!, store =>
        {
            if (!store.Delete(result.GetValue(deleteName)!))
                throw new ToolFailureException($"No user {result.GetValue(deleteName)}.");
            result.InvocationConfiguration.Output.WriteLine($"Deleted user {result.GetValue(deleteName)}");
        })));

        return new Command("users", "SCRAM users of a broker's data dir (SASL_SSL), edited while the broker is stopped.") { create, list, delete };
    }

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
