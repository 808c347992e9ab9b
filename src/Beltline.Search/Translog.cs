using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Beltline.Search;

/// <summary>
/// ES's translog, simplified: every write since the last Lucene commit, one JSON line each, fsynced before the
/// request that made it is answered (ES's <c>index.translog.durability: request</c>). A commit empties it;
/// opening an index replays the lines past the committed sequence number, so an acknowledged write survives a
/// crash. A torn last line (a crash mid-append) is ignored: its request was never answered.
/// </summary>
internal sealed class Translog : IDisposable
{
    public const string FileName = "translog.jsonl";
    private readonly FileStream _file;
    private bool _unsynced;

    /// <summary>One logged write: an index (with its source) or a delete (no source).</summary>
    public sealed record Operation(string Id, long SeqNo, long Version, byte[]? Source);

    public Translog(string indexPath)
    {
        _file = new FileStream(Path.Combine(indexPath, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 64 * 1024);
        _file.Seek(0, SeekOrigin.End);
    }

    /// <summary>The operations logged, in order, up to the first line that does not parse.</summary>
    public List<Operation> ReadAll()
    {
        var operations = new List<Operation>();
        _file.Seek(0, SeekOrigin.Begin);
        using (var reader = new StreamReader(_file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true))
        {
            while (reader.ReadLine() is { } line)
            {
                try
                {
                    using var json = JsonDocument.Parse(line);
                    var root = json.RootElement;
                    operations.Add(new Operation(root.GetProperty("id").GetString()!, root.GetProperty("seq").GetInt64(), root.GetProperty("v").GetInt64(),
                        root.TryGetProperty("src", out var source) ? Encoding.UTF8.GetBytes(source.GetRawText()) : null));
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    break;   // torn tail
                }
            }
        }
        _file.Seek(0, SeekOrigin.End);
        return operations;
    }

    public void Append(string id, long seqNo, long version, ReadOnlySpan<byte> source)
    {
        WriteHeader(id, seqNo, version);
        _file.Write(",\"src\":"u8);
        // Raw CR/LF in valid JSON can only be whitespace between tokens: blank them so the entry stays one line.
        var start = 0;
        for (var i = 0; i < source.Length; i++)
            if (source[i] is (byte)'\n' or (byte)'\r')
            {
                _file.Write(source[start..i]);
                _file.WriteByte((byte)' ');
                start = i + 1;
            }
        _file.Write(source[start..]);
        _file.Write("}\n"u8);
        _unsynced = true;
    }

    public void AppendDelete(string id, long seqNo, long version)
    {
        WriteHeader(id, seqNo, version);
        _file.Write("}\n"u8);
        _unsynced = true;
    }

    private void WriteHeader(string id, long seqNo, long version)
    {
        _file.Write("{\"id\":"u8);
        _file.Write(JsonSerializer.SerializeToUtf8Bytes(id));
        _file.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $",\"seq\":{seqNo},\"v\":{version}")));
    }

    /// <summary>Makes every appended operation durable (write and fsync); nothing to do when none is pending.</summary>
    public void Sync()
    {
        if (!_unsynced)
            return;
        _file.Flush(flushToDisk: true);
        _unsynced = false;
    }

    /// <summary>After a Lucene commit: everything logged is in the commit.</summary>
    public void Clear()
    {
        _file.SetLength(0);
        _file.Flush(flushToDisk: true);
        _unsynced = false;
    }

    public void Dispose() => _file.Dispose();
}
