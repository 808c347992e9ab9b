namespace Beltline.Security.Sasl;

/// <summary>
/// SCRAM users and their credentials in one JSON file (salts and keys, never passwords), written aside, fsynced and
/// renamed, readable by its owner only. Kafka keeps the same in its metadata log; MSK in Secrets Manager.
/// </summary>
public sealed class CredentialStore
{
    private readonly Lock _lock = new();
    private readonly string _path;
    private Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> _users;

    private CredentialStore(string path, Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> users)
    {
        _path = path;
        _users = users;
    }

    /// <summary>Opens the store at <paramref name="path"/>; a missing file is an empty store (created on the first change).</summary>
    public static CredentialStore Open(string path) =>
        new(path, new(DurableJsonFile.Read<Dictionary<string, Dictionary<ScramMechanism, ScramCredential>>>(path, "SCRAM credentials") ?? [], StringComparer.Ordinal));

    public ScramCredential? Find(string user, ScramMechanism mechanism)
    {
        lock (_lock)
            return _users.GetValueOrDefault(user)?.GetValueOrDefault(mechanism);
    }

    /// <summary>Every user with the mechanisms and iterations it has credentials for.</summary>
    public IReadOnlyList<(string User, IReadOnlyList<(ScramMechanism Mechanism, int Iterations)> Credentials)> List()
    {
        lock (_lock)
            return _users.OrderBy(u => u.Key, StringComparer.Ordinal)
                .Select(u => (u.Key, (IReadOnlyList<(ScramMechanism, int)>)u.Value.OrderBy(c => c.Key).Select(c => (c.Key, c.Value.Iterations)).ToList()))
                .ToList();
    }

    public void Set(string user, ScramMechanism mechanism, ScramCredential credential)
    {
        if (string.IsNullOrEmpty(user))
            throw new ArgumentException("A SCRAM user name must not be empty.");
        lock (_lock)
        {
            var users = Copy();
            if (!users.TryGetValue(user, out var credentials))
                users[user] = credentials = [];
            credentials[mechanism] = credential;
            Save(users);
        }
    }

    /// <summary>Removes one mechanism's credential (or all of the user's, when null); false when there was none.</summary>
    public bool Delete(string user, ScramMechanism? mechanism = null)
    {
        lock (_lock)
        {
            var users = Copy();
            if (!users.TryGetValue(user, out var credentials))
                return false;
            var removed = mechanism is { } one ? credentials.Remove(one) : credentials.Count > 0;
            if (mechanism is null || credentials.Count == 0)
                users.Remove(user);
            if (removed)
                Save(users);
            return removed;
        }
    }

    private Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> Copy() =>
        _users.ToDictionary(u => u.Key, u => new Dictionary<ScramMechanism, ScramCredential>(u.Value), StringComparer.Ordinal);

    private void Save(Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> users)
    {
        DurableJsonFile.Write(_path, users, ownerOnly: true);
        _users = users;
    }
}
