using System.Globalization;

namespace Beltline.Broker.Metadata;

/// <summary>
/// Hands out producer ids that are never reused, across restarts too: ids come in blocks, and a block's end is
/// written (fsynced) to <c>producer-id-block</c> before any id of it is given out, as Kafka's ProducerIdManager
/// reserves blocks. A restart skips what is left of the last block.
/// </summary>
internal sealed class ProducerIdManager
{
    public const string FileName = "producer-id-block";
    private const long BlockSize = 1000;

    private readonly string _path;
    private readonly Lock _lock = new();
    private long _next;
    private long _blockEnd;

    public ProducerIdManager(string dataDir)
    {
        _path = Path.Combine(dataDir, FileName);
        _next = _blockEnd = File.Exists(_path) && long.TryParse(File.ReadAllText(_path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var end) ? end : 0;
    }

    public long NextId()
    {
        lock (_lock)
        {
            if (_next == _blockEnd)
            {
                var end = _blockEnd + BlockSize;
                var temporary = _path + ".tmp";
                using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    file.Write(System.Text.Encoding.ASCII.GetBytes(end.ToString(CultureInfo.InvariantCulture)));
                    file.Flush(flushToDisk: true);
                }
                File.Move(temporary, _path, overwrite: true);
                _blockEnd = end;
            }
            return _next++;
        }
    }
}
