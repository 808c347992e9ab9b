namespace Beltline.Protocol;

/// <summary>
/// The bytes on the wire do not form a valid message (truncated, negative lengths, bad varints, ...).
/// The broker answers it by closing only the offending connection.
/// </summary>
public sealed class KafkaProtocolException(string message) : Exception(message);
