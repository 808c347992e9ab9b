using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Beltline.Broker.Storage;

/// <summary>
/// Sparse offset index of one segment (<c>.index</c>): (offset relative to the segment base, file position) of a
/// batch start, one entry per <c>index.interval.bytes</c> of log. Kept in memory for lookups and appended to its
/// file as it grows, so a clean restart does not rescan the log. Entries are 8 bytes, big-endian, like Kafka's.
/// </summary>
internal sealed class OffsetIndex : IDisposable
{
    public const int EntrySize = 8;

    private readonly SafeFileHandle _file;
    private readonly List<(int RelativeOffset, int Position)> _entries = [];

    public OffsetIndex(string path)
    {
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
    }

    public int Count => _entries.Count;

    public (int RelativeOffset, int Position) Last => _entries[^1];

    /// <summary>Loads entries from disk; false when the file does not fit a log of <paramref name="logSize"/> bytes.</summary>
    public bool TryLoad(long logSize)
    {
        _entries.Clear();
        var length = RandomAccess.GetLength(_file);
        if (length % EntrySize != 0)
            return false;
        var bytes = new byte[length];
        RandomAccess.Read(_file, bytes, 0);
        var previous = (RelativeOffset: -1, Position: -1);
        for (var i = 0; i < bytes.Length; i += EntrySize)
        {
            var entry = (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i + 4)));
            if (entry.Item1 <= previous.RelativeOffset || entry.Item2 <= previous.Position || entry.Item2 >= logSize)
                return false;
            _entries.Add(entry);
            previous = entry;
        }
        return true;
    }

    public void Append(int relativeOffset, int position)
    {
        Span<byte> entry = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt32BigEndian(entry, relativeOffset);
        BinaryPrimitives.WriteInt32BigEndian(entry[4..], position);
        RandomAccess.Write(_file, entry, (long)_entries.Count * EntrySize);
        _entries.Add((relativeOffset, position));
    }

    /// <summary>Position of the last indexed batch starting at or before <paramref name="relativeOffset"/>, else 0.</summary>
    public int FloorPosition(long relativeOffset)
    {
        int low = 0, high = _entries.Count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (_entries[mid].RelativeOffset <= relativeOffset) { found = mid; low = mid + 1; }
            else high = mid - 1;
        }
        return found < 0 ? 0 : _entries[found].Position;
    }

    public void Clear()
    {
        _entries.Clear();
        RandomAccess.SetLength(_file, 0);
    }

    public void Flush() => RandomAccess.FlushToDisk(_file);

    public void Dispose() => _file.Dispose();
}

/// <summary>
/// Sparse time index of one segment (<c>.timeindex</c>): (largest timestamp so far, relative offset of the batch
/// that reached it). Entries are 12 bytes, big-endian; timestamps strictly increase, so a binary search finds
/// the batch from which a scan for "first record at or after T" must start.
/// </summary>
internal sealed class TimeIndex : IDisposable
{
    public const int EntrySize = 12;

    private readonly SafeFileHandle _file;
    private readonly List<(long Timestamp, int RelativeOffset)> _entries = [];

    public TimeIndex(string path)
    {
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
    }

    public int Count => _entries.Count;

    public (long Timestamp, int RelativeOffset) Last => _entries[^1];

    public bool TryLoad(long nextRelativeOffset)
    {
        _entries.Clear();
        var length = RandomAccess.GetLength(_file);
        if (length % EntrySize != 0)
            return false;
        var bytes = new byte[length];
        RandomAccess.Read(_file, bytes, 0);
        var previous = (Timestamp: long.MinValue, RelativeOffset: -1);
        for (var i = 0; i < bytes.Length; i += EntrySize)
        {
            var entry = (BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i + 8)));
            if (entry.Item1 <= previous.Timestamp || entry.Item2 < previous.RelativeOffset || entry.Item2 >= nextRelativeOffset)
                return false;
            _entries.Add(entry);
            previous = entry;
        }
        return true;
    }

    /// <summary>Appends when <paramref name="timestamp"/> exceeds the last entry, as Kafka's maybeAppend.</summary>
    public void MaybeAppend(long timestamp, int relativeOffset)
    {
        if (_entries.Count > 0 && timestamp <= _entries[^1].Timestamp)
            return;
        Span<byte> entry = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt64BigEndian(entry, timestamp);
        BinaryPrimitives.WriteInt32BigEndian(entry[8..], relativeOffset);
        RandomAccess.Write(_file, entry, (long)_entries.Count * EntrySize);
        _entries.Add((timestamp, relativeOffset));
    }

    /// <summary>
    /// Relative offset of the batch to start scanning from for the first record with timestamp >= <paramref name="timestamp"/>:
    /// the last entry whose timestamp is below it (every record before that batch is older), else -1 (scan from the start).
    /// </summary>
    public int StartForTimestamp(long timestamp)
    {
        int low = 0, high = _entries.Count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (_entries[mid].Timestamp < timestamp) { found = mid; low = mid + 1; }
            else high = mid - 1;
        }
        return found < 0 ? -1 : _entries[found].RelativeOffset;
    }

    public void Clear()
    {
        _entries.Clear();
        RandomAccess.SetLength(_file, 0);
    }

    public void Flush() => RandomAccess.FlushToDisk(_file);

    public void Dispose() => _file.Dispose();
}
