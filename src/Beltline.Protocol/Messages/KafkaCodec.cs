using System.Buffers;

namespace Beltline.Protocol.Messages;

/// <summary>Whole-message helpers for tests, tools and benchmarks; the broker writes into its pipes directly.</summary>
public static class KafkaCodec
{
    public static byte[] Serialize(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        writer.Commit();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a whole body; bytes left over mean the codec and the bytes disagree.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> body, short version) where T : IKafkaMessage<T>
    {
        var reader = new KafkaReader(body);
        var message = T.Read(ref reader, version);
        if (!reader.End)
            throw new KafkaProtocolException($"{typeof(T).Name} v{version}: {reader.Remaining} bytes left over.");
        return message;
    }
}
