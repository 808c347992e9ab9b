namespace Beltline.Broker.Network;

/// <summary>
/// Thrown by a handler whose only way to report an error is to close the connection: Kafka does that for a
/// failed produce with acks=0, which has no response to carry the error.
/// </summary>
internal sealed class CloseConnectionException(string reason) : Exception(reason);
