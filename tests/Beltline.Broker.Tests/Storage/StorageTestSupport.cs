using System.Reflection;
using System.Text;
using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
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

    public static PartitionLog Create(TempDirectory dir, LogConfig? config = null) =>
        PartitionLog.Create(dir.Path, Topic, 0, KafkaUuid.NewRandom(), config ?? new LogConfig(), NullLogger.Instance);

    public static PartitionLog Open(string directory, LogConfig? config = null, bool cleanShutdown = true) =>
        PartitionLog.Open(directory, Topic, 0, config ?? new LogConfig(), cleanShutdown, NullLogger.Instance);

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
    /// files, so a copy of the directory is the state an unclean restart finds.
    /// </summary>
    public static string CrashImage(PartitionLog log, TempDirectory dir)
    {
        var image = dir.Combine("crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(image);
        foreach (var file in Directory.EnumerateFiles(log.Directory))
            File.Copy(file, Path.Combine(image, Path.GetFileName(file)));
        return image;
    }

    /// <summary>The log's current segments (private state; Dirty is what fsync clears).</summary>
    public static LogSegment[] Segments(PartitionLog log)
    {
        var field = typeof(PartitionLog).GetField("_segments", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("PartitionLog._segments is gone; update the test helper.");
        return (LogSegment[])field.GetValue(log)!;
    }
}
