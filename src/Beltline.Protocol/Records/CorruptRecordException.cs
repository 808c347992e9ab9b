namespace Beltline.Protocol.Records;

/// <summary>Record batch bytes that cannot be read: bad framing, an undecodable compressed block, or malformed records.</summary>
public sealed class CorruptRecordException(string message, Exception? innerException = null) : Exception(message, innerException);
