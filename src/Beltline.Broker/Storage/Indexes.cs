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
    private readonly PublishedList<(int RelativeOffset, int Position)> _entries = new();

    public OffsetIndex(string path)
    {
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
    }

    public int Count => _entries.Count;

    public (int RelativeOffset, int Position) Last => _entries.Last;

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
            {
                _entries.Clear();
                return false;
            }
            _entries.Add(entry);
            previous = entry;
        }
        return true;
    }

    /// <summary>Adds an entry (single writer: the partition lock); concurrent lookups see it whole or not at all.</summary>
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
        var (entries, count) = _entries.Snapshot();
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (entries[mid].RelativeOffset <= relativeOffset) { found = mid; low = mid + 1; }
            else high = mid - 1;
        }
        return found < 0 ? 0 : entries[found].Position;
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
    private readonly PublishedList<(long Timestamp, int RelativeOffset)> _entries = new();

    public TimeIndex(string path)
    {
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
    }

    public int Count => _entries.Count;

    public (long Timestamp, int RelativeOffset) Last => _entries.Last;

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
            {
                _entries.Clear();
                return false;
            }
            _entries.Add(entry);
            previous = entry;
        }
        return true;
    }

    /// <summary>Appends when <paramref name="timestamp"/> exceeds the last entry, as Kafka's maybeAppend.</summary>
    public bool MaybeAppend(long timestamp, int relativeOffset)
    {
        if (_entries.Count > 0 && timestamp <= _entries.Last.Timestamp)
            return false;
        Span<byte> entry = stackalloc byte[EntrySize];
        BinaryPrimitives.WriteInt64BigEndian(entry, timestamp);
        BinaryPrimitives.WriteInt32BigEndian(entry[8..], relativeOffset);
        RandomAccess.Write(_file, entry, (long)_entries.Count * EntrySize);
        _entries.Add((timestamp, relativeOffset));
        return true;
    }

    /// <summary>
    /// Relative offset of the batch to start scanning from for the first record with timestamp >= <paramref name="timestamp"/>:
    /// the last entry whose timestamp is below it (every record before that batch is older), else -1 (scan from the start).
    /// </summary>
    public int StartForTimestamp(long timestamp)
    {
        var (entries, count) = _entries.Snapshot();
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (entries[mid].Timestamp < timestamp) { found = mid; low = mid + 1; }
            else high = mid - 1;
        }
        return found < 0 ? -1 : entries[found].RelativeOffset;
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
/// An append-only list with one writer (the partition lock) and lock-free readers. An entry is written into the
/// array, the array is published, and only then the count: a reader takes the count first and the array after
/// it (both volatile), so on any memory model it sees an array that holds at least that many written entries.
/// (A <see cref="List{T}"/> read outside the writer's lock may show, on ARM64, a new count with the old array.)
/// </summary>
internal sealed class PublishedList<T>
    where T : struct
{
    private T[] _items = new T[16];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public T Last
    {
        get
        {
            var (items, count) = Snapshot();
            return count > 0 ? items[count - 1] : throw new InvalidOperationException("The list is empty.");
        }
    }

    /// <summary>The entries a reader may use: <c>items[..count]</c>.</summary>
    public (T[] Items, int Count) Snapshot()
    {
        var count = Volatile.Read(ref _count);
        return (Volatile.Read(ref _items), count);
    }

    /// <summary>Writer only.</summary>
    public void Add(T item)
    {
        var items = _items;
        var count = _count;
        if (count == items.Length)
        {
            var grown = new T[items.Length * 2];
            items.AsSpan(0, count).CopyTo(grown);
            grown[count] = item;
            Volatile.Write(ref _items, grown);
        }
        else
        {
            items[count] = item;
        }
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>Writer only, while no reader can see the index (opening or recovering a segment).</summary>
    public void Clear() => Volatile.Write(ref _count, 0);
}
