using System.Reflection;
using System.Text;
using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Record = Beltline.Protocol.Records.Record;

namespace Beltline.Broker.Tests.Storage;

/// <summary>A fresh directory under the system temp dir, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "beltline-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}

/// <summary>Batches, logs and byte helpers shared by the storage tests.</summary>
internal static class Logs
{
    public const string Topic = "t";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A CreateTime batch with one record per timestamp, values "v{i}".</summary>
    public static byte[] Batch(params long[] timestamps) => Batch(CompressionType.None, timestamps);

    public static byte[] Batch(CompressionType compression, params long[] timestamps)
    {
        var builder = new RecordBatchBuilder { Compression = compression };
        for (var i = 0; i < timestamps.Length; i++)
            builder.Add(Utf8($"k{i}"), Utf8($"v{i}"), timestamps[i]);
        return builder.Build();
    }

    /// <summary>A batch of <paramref name="count"/> records, all at <paramref name="timestamp"/>.</summary>
    public static byte[] Records(int count, long timestamp = 1_000) => Batch(Enumerable.Repeat(timestamp, count).ToArray());

    public static PartitionLog Create(TempDirectory dir, LogConfig? config, bool directIo, int partition = 0) =>
        PartitionLog.Create(dir.Path, Topic, partition, KafkaUuid.NewRandom(), config ?? new LogConfig(), NullLogger.Instance, directIo);

    public static PartitionLog Open(string directory, LogConfig? config, bool cleanShutdown, bool directIo, ILogger? logger = null) =>
        PartitionLog.Open(directory, Topic, 0, config ?? new LogConfig(), cleanShutdown, logger ?? NullLogger.Instance, directIo);

    /// <summary>Appends a copy (Append rewrites offsets in place) and returns the result.</summary>
    public static AppendResult AppendCopy(this PartitionLog log, byte[] batch, long nowMs = 1_000) =>
        log.Append(batch.ToArray(), nowMs);

    public static byte[] ToBytes(this SegmentSlice slice)
    {
        var bytes = new byte[slice.Length];
        slice.CopyTo(0, bytes);
        return bytes;
    }

    /// <summary>Reads from <paramref name="offset"/> with no byte limit; the batches returned, their bytes copied.</summary>
    public static List<RecordBatch> ReadBatches(this PartitionLog log, long offset, int maxBytes = int.MaxValue, bool minOneBatch = true)
    {
        var result = log.Read(offset, maxBytes, minOneBatch);
        Assert.Equal(ErrorCode.None, result.Error);
        if (result.Records is null)
            return [];
        using var slice = result.Records;
        return RecordBatch.ReadAll(slice.ToBytes()).ToList();
    }

    /// <summary>Every record from <paramref name="offset"/> to the log end, following segments.</summary>
    public static List<Record> ReadAllRecords(this PartitionLog log, long offset)
    {
        var records = new List<Record>();
        while (offset < log.LogEndOffset)
        {
            var batches = log.ReadBatches(offset);
            Assert.NotEmpty(batches);
            foreach (var batch in batches)
                foreach (var record in batch.ReadRecords())
                    if (record.Offset >= offset)
                        records.Add(record);
            offset = batches[^1].Header.LastOffset + 1;
        }
        return records;
    }

    public static string SegmentPath(string directory, long baseOffset, string extension) =>
        Path.Combine(directory, LogSegment.FileName(baseOffset) + extension);

    /// <summary>Base offsets of the segment files in the directory, from the file names.</summary>
    public static List<long> SegmentFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*.log").Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();

    /// <summary>
    /// What the disk holds at this instant, as a process crash would leave it: the log writes straight to the
    /// files (in direct mode with the zero padding of the last block), so a copy of the directory is the state an
    /// unclean restart finds. The flushes rolls started are waited for first, so the image is the same every run
    /// (with the recovery point they leave); a test of a crash before them removes <c>recovery-point</c> from the image.
    /// </summary>
    public static string CrashImage(PartitionLog log, TempDirectory dir)
    {
        log.WaitForRollFlushes();
        var image = dir.Combine("crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(image);
        foreach (var file in Directory.EnumerateFiles(log.Directory))
            File.Copy(file, Path.Combine(image, Path.GetFileName(file)));
        return image;
    }

    /// <summary>A file's bytes, read while the broker may hold it open.</summary>
    public static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary><paramref name="length"/> rounded up to a whole number of direct-I/O blocks.</summary>
    public static long AlignUp(long length) => (length + SegmentFile.BlockSize - 1) / SegmentFile.BlockSize * SegmentFile.BlockSize;

    /// <summary>The log's current segments (private state; Dirty is what fsync clears).</summary>
    public static LogSegment[] Segments(PartitionLog log)
    {
        var field = typeof(PartitionLog).GetField("_segments", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("PartitionLog._segments is gone; update the test helper.");
        return (LogSegment[])field.GetValue(log)!;
    }
}

/// <summary>
/// Base of the storage tests that run in both I/O modes. Each test class is abstract and nests two sealed
/// subclasses, <c>Direct</c> and <c>Buffered</c>, so that every test runs, and is reported, once per mode.
/// </summary>
public abstract class StorageTestBase(bool directIo) : IDisposable
{
    /// <summary>True: segment files use O_DIRECT (block-aligned writes, zero padding while open).</summary>
    private protected bool DirectIo { get; } = directIo;

    private protected TempDirectory Dir { get; } = new();

    public virtual void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected PartitionLog Create(TempDirectory dir, LogConfig? config = null, int partition = 0) =>
        Logs.Create(dir, config, DirectIo, partition);

    private protected PartitionLog Open(string directory, LogConfig? config = null, bool cleanShutdown = true, ILogger? logger = null) =>
        Logs.Open(directory, config, cleanShutdown, DirectIo, logger);

    /// <summary>
    /// The length of a <c>.log</c> file holding <paramref name="logical"/> bytes while its segment is open and has
    /// been appended to: in direct mode the last block is written whole, zeros after the log; buffered, the log.
    /// </summary>
    private protected long OpenFileLength(long logical) => DirectIo ? Logs.AlignUp(logical) : logical;

    /// <summary>
    /// Asserts the shape of a <c>.log</c> file on disk, <paramref name="logical"/> bytes of log followed, when
    /// <paramref name="padded"/> and in direct mode, by zeros up to the next block, and returns the log bytes.
    /// </summary>
    private protected byte[] ReadLogFile(string path, long logical, bool padded = true)
    {
        var bytes = Logs.ReadShared(path);
        Assert.Equal(padded ? OpenFileLength(logical) : logical, bytes.Length);
        var padding = bytes.AsSpan((int)logical);
        Assert.True(!padding.ContainsAnyExcept((byte)0), $"{path}: padding after byte {logical} is not all zeros");
        return bytes[..(int)logical];
    }
}

/// <summary>Keeps what a log writes at warning level, with its structured values.</summary>
internal sealed class RecordingLogger : ILogger
{
    public List<IReadOnlyList<KeyValuePair<string, object?>>> Warnings { get; } = [];

    /// <summary>The bytes recovery reported cut, one entry per segment it cut.</summary>
    public List<long> CutBytes => Warnings.Where(w => w.Any(p => p.Key == "Bytes")).Select(w => Convert.ToInt64(w.Single(p => p.Key == "Bytes").Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Warning)
            Warnings.Add(state as IReadOnlyList<KeyValuePair<string, object?>> ?? []);
    }
}
