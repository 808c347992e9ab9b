using System.Globalization;
using System.Text.Json;

namespace Beltline.Streams;

/// <summary>
/// A job's state and the input offsets it covers, saved together in one file replaced atomically (written aside,
/// fsynced, renamed): after a crash the job restarts from a consistent pair, never state from one moment with
/// offsets from another.
/// </summary>
public sealed class CheckpointStore(string directory)
{
    private const int FormatVersion = 1;

    public string Path { get; } = System.IO.Path.Combine(directory, "checkpoint.json");

    public sealed record Checkpoint(IReadOnlyDictionary<int, long> NextOffsets, JsonElement JobState, DateTimeOffset TakenAt);

    public void Save(IReadOnlyDictionary<int, long> nextOffsets, IStreamJob job, DateTimeOffset takenAt)
    {
        Directory.CreateDirectory(directory);
        var temporary = Path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            using (var json = new Utf8JsonWriter(file))
            {
                json.WriteStartObject();
                json.WriteNumber("version", FormatVersion);
                json.WriteString("takenAt", takenAt);
                json.WriteStartObject("nextOffsets");
                foreach (var (partition, offset) in nextOffsets.OrderBy(p => p.Key))
                    json.WriteNumber(partition.ToString(CultureInfo.InvariantCulture), offset);
                json.WriteEndObject();
                json.WritePropertyName("job");
                job.WriteCheckpoint(json);
                json.WriteEndObject();
            }
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>The last checkpoint, or null when there is none; a damaged file is an error naming it.</summary>
    public Checkpoint? Load()
    {
        if (!File.Exists(Path))
            return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path));
            var root = document.RootElement;
            if (root.GetProperty("version").GetInt32() != FormatVersion)
                throw new InvalidDataException($"Checkpoint '{Path}' has format version {root.GetProperty("version")}, expected {FormatVersion}.");
            var offsets = root.GetProperty("nextOffsets").EnumerateObject()
                .ToDictionary(p => int.Parse(p.Name, CultureInfo.InvariantCulture), p => p.Value.GetInt64());
            return new Checkpoint(offsets, root.GetProperty("job").Clone(), root.GetProperty("takenAt").GetDateTimeOffset());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"Checkpoint '{Path}' is damaged ({e.Message}); move it away to start from the beginning of the input.", e);
        }
    }
}
