namespace Beltline.Protocol.Records;

/// <summary>The codec in bits 0-2 of a batch's attributes; 5-7 are undefined and rejected.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}

/// <summary>Bit 3 of a batch's attributes: whose clock the record timestamps come from.</summary>
public enum TimestampType : byte
{
    /// <summary>The producer's timestamps, stored per record.</summary>
    CreateTime = 0,

    /// <summary>The broker's append time, stored once as the batch's MaxTimestamp and applying to every record.</summary>
    LogAppendTime = 1,
}
