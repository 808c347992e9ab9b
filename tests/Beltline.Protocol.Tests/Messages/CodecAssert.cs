using System.Collections;
using System.Reflection;
using Beltline.Protocol.Messages;

namespace Beltline.Protocol.Tests.Messages;

/// <summary>Assertions shared by the codec tests: deep field comparison, round trips, golden bytes, truncation.</summary>
internal static class CodecAssert
{
    public static TheoryData<short> Versions(short first, short last)
    {
        var versions = new TheoryData<short>();
        for (var version = first; version <= last; version++)
            versions.Add(version);
        return versions;
    }

    /// <summary>
    /// For sample builders: whether a field exists at <paramref name="version"/>; a null version means
    /// "every field", the message written at each version to show absent fields are dropped.
    /// </summary>
    public static bool Has(short? version, int first, int last = short.MaxValue) =>
        version is null || (version >= first && version <= last);

    /// <summary>
    /// Writes <paramref name="everyField"/> at <paramref name="version"/>: the bytes must be those of
    /// <paramref name="expected"/> (the same message holding only that version's fields), and reading them
    /// back must give <paramref name="expected"/> field for field, absent fields at their defaults.
    /// </summary>
    public static void RoundTrips<T>(T everyField, T expected, short version) where T : IKafkaMessage<T>
    {
        var bytes = KafkaCodec.Serialize(everyField, version);
        Assert.Equal(KafkaCodec.Serialize(expected, version), bytes);
        Equal(expected, KafkaCodec.Deserialize<T>(bytes, version));
    }

    /// <summary>The message writes exactly <paramref name="hex"/>, and <paramref name="hex"/> reads back as the message.</summary>
    public static void Golden<T>(T message, short version, string hex) where T : IKafkaMessage<T>
    {
        var expected = Convert.FromHexString(hex);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(KafkaCodec.Serialize(message, version)));
        Equal(message, KafkaCodec.Deserialize<T>(expected, version));
    }

    /// <summary>Every proper prefix of <paramref name="body"/> fails with <see cref="KafkaProtocolException"/>, never another exception.</summary>
    public static void EveryTruncationThrows<T>(T message, short version) where T : IKafkaMessage<T>
    {
        var body = KafkaCodec.Serialize(message, version);
        Assert.NotEmpty(body);
        for (var length = 0; length < body.Length; length++)
        {
            var prefix = body.AsMemory(0, length);
            var exception = Record.Exception(() => KafkaCodec.Deserialize<T>(prefix, version));
            Assert.True(exception is KafkaProtocolException,
                $"{typeof(T).Name} v{version} cut to {length} of {body.Length} bytes: {exception?.GetType().Name ?? "no exception"}");
        }
    }

    /// <summary>Compares every public property, through element classes and lists, in order; names the first difference.</summary>
    public static void Equal(object? expected, object? actual) =>
        Compare(expected, actual, expected?.GetType().Name ?? "message");

    private static void Compare(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null)
                Assert.Fail($"{path}: expected {Describe(expected)}, got {Describe(actual)}.");
            return;
        }
        // Record bytes compare by content: ReadOnlyMemory<byte>.Equals compares the backing array, and a payload
        // read back is a MemoryPayload whatever the kind written (e.g. one that copies from a segment file).
        if (expected is IRawPayload || actual is IRawPayload)
        {
            if (expected is not IRawPayload expectedPayload || actual is not IRawPayload actualPayload)
                Assert.Fail($"{path}: expected {Describe(expected)}, got {Describe(actual)}.");
            else
                CompareBytes(Contents(expectedPayload), Contents(actualPayload), path);
            return;
        }
        if (expected is ReadOnlyMemory<byte> expectedBytes && actual is ReadOnlyMemory<byte> actualBytes)
        {
            CompareBytes(expectedBytes.ToArray(), actualBytes.ToArray(), path);
            return;
        }
        var type = expected.GetType();
        if (type != actual.GetType())
            Assert.Fail($"{path}: expected a {type.Name}, got a {actual.GetType().Name}.");
        if (type.IsValueType || type == typeof(string))
        {
            if (!expected.Equals(actual))
                Assert.Fail($"{path}: expected {Describe(expected)}, got {Describe(actual)}.");
            return;
        }
        if (expected is IList expectedItems)
        {
            var actualItems = (IList)actual;
            if (expectedItems.Count != actualItems.Count)
                Assert.Fail($"{path}: expected {expectedItems.Count} items, got {actualItems.Count}.");
            for (var i = 0; i < expectedItems.Count; i++)
                Compare(expectedItems[i], actualItems[i], $"{path}[{i}]");
            return;
        }
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        if (properties.Length == 0)
            Assert.Fail($"{path}: {type.Name} has no public properties to compare.");
        foreach (var property in properties)
            Compare(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
    }

    private static byte[] Contents(IRawPayload payload)
    {
        var bytes = new byte[payload.Length];
        payload.CopyTo(0, bytes);
        return bytes;
    }

    private static void CompareBytes(byte[] expected, byte[] actual, string path)
    {
        if (!expected.AsSpan().SequenceEqual(actual))
            Assert.Fail($"{path}: expected bytes {Convert.ToHexString(expected)}, got {Convert.ToHexString(actual)}.");
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string text => $"\"{text}\"",
        IList items => $"a list of {items.Count}",
        _ => value.ToString() ?? value.GetType().Name,
    };
}
