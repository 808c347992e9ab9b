namespace Beltline.Protocol.Messages;

/// <summary>A request or response body that can be written at a given API version.</summary>
public interface IKafkaMessage
{
    void Write(ref KafkaWriter writer, short version);
}

/// <summary>A message type with its API key and a reader for its body.</summary>
public interface IKafkaMessage<TSelf> : IKafkaMessage where TSelf : IKafkaMessage<TSelf>
{
    static abstract ApiKey ApiKey { get; }

    static abstract TSelf Read(ref KafkaReader reader, short version);
}
