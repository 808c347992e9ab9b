using System.Text;
using Beltline.Protocol.Records;

namespace Beltline.Benchmarks;

/// <summary>Record batches shaped like a producer's: JSON-ish values, no keys, timestamps a few ms apart.</summary>
internal static class BenchmarkData
{
    public const int KiB = 1024;
    public const int MiB = 1024 * 1024;

    /// <summary>A fixed producer clock, so every run builds the same bytes.</summary>
    public const long BaseTimestamp = 1_764_000_000_000;

    private static readonly string[] Words =
        ["click", "view", "cart", "checkout", "search", "product", "session", "mobile", "desktop", "eu-west", "us-east", "premium"];

    /// <summary>
    /// A batch of <paramref name="valueBytes"/>-byte records filling <paramref name="targetBytes"/> uncompressed, to
    /// within a record and never more (what a producer with batch.size 1 MiB sends), compressed with <paramref name="compression"/>.
    /// </summary>
    public static byte[] Batch(int valueBytes, CompressionType compression = CompressionType.None, int targetBytes = MiB)
    {
        var random = new Random(valueBytes);
        // ~11 bytes of record framing per record at these sizes (length, attributes, deltas, null key, value length, headers).
        var count = (targetBytes - RecordBatchHeader.HeaderSize) / (valueBytes + 11);
        var values = Enumerable.Range(0, count).Select(i => Value(random, i, valueBytes)).ToArray();
        while (true)
        {
            var uncompressed = Build(values, count, CompressionType.None);
            if (uncompressed.Length <= targetBytes)
                return compression == CompressionType.None ? uncompressed : Build(values, count, compression);
            count--;
        }
    }

    private static byte[] Build(byte[][] values, int count, CompressionType compression)
    {
        var builder = new RecordBatchBuilder { Compression = compression };
        for (var i = 0; i < count; i++)
            builder.Add(null, values[i], BaseTimestamp + (i / 200));
        return builder.Build();
    }

    /// <summary>An event-like JSON value padded with words to exactly <paramref name="size"/> bytes; compresses about as logs do.</summary>
    private static byte[] Value(Random random, int sequence, int size)
    {
        var text = new StringBuilder(size + 32);
        text.Append("{\"seq\":").Append(sequence)
            .Append(",\"user\":\"u").Append(random.Next(100_000))
            .Append("\",\"event\":\"").Append(Words[random.Next(Words.Length)])
            .Append("\",\"amount\":").Append(random.Next(1_000_000))
            .Append(",\"tags\":\"");
        while (text.Length < size)
            text.Append(Words[random.Next(Words.Length)]).Append(' ');
        var bytes = Encoding.ASCII.GetBytes(text.ToString(0, size - 2) + "\"}");
        return bytes;
    }

    /// <summary>A fresh directory under the temp folder (on the machine's disk, so O_DIRECT applies).</summary>
    public static string TempDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"beltline-bench-{name}-{Environment.ProcessId}");
        if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
        Directory.CreateDirectory(path);
        return path;
    }
}
