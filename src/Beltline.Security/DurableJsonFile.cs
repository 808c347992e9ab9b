using System.Text.Json;
using System.Text.Json.Serialization;

namespace Beltline.Security;

/// <summary>
/// The security state's files (SCRAM users, ACLs): JSON with enums by name, read with a clear error naming the file,
/// written aside, fsynced and renamed so a crash leaves the old file or the new one, never half of one.
/// </summary>
internal static class DurableJsonFile
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>The file's value; null when there is no file. <paramref name="what"/> names the content in errors.</summary>
    public static T? Read<T>(string path, string what) where T : class
    {
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Options) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The {what} in {Path.GetFullPath(path)} cannot be read: {e.Message}", e);
        }
    }

    /// <param name="ownerOnly">Create the file readable and writable by its owner alone (secrets, even salted ones).</param>
    public static void Write<T>(string path, T value, bool ownerOnly)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (ownerOnly && !OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, value, Options);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
