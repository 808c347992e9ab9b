namespace Beltline.Protocol.Messages;

// DescribeUserScramCredentials (key 50) and AlterUserScramCredentials (key 51), v0, flexible. KIP-554.
// Mechanisms are int8: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512 (0 unknown).

/// <summary>
/// <code>
/// DescribeUserScramCredentials Request (Version: 0) => [users] TAG_BUFFER
///   users => name TAG_BUFFER          nullable: users (null: every user)
/// </code>
/// </summary>
public sealed class DescribeUserScramCredentialsRequest : IKafkaMessage<DescribeUserScramCredentialsRequest>
{
    public static ApiKey ApiKey => ApiKey.DescribeUserScramCredentials;

    /// <summary>The users to describe; null for all.</summary>
    public List<string>? Users { get; set; }

    public static DescribeUserScramCredentialsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new DescribeUserScramCredentialsRequest { Users = reader.ReadNullableArray(ReadName, version, compact: true) };
        reader.SkipTaggedFields();
        return request;
    }

    private static string ReadName(ref KafkaReader reader, short version)
    {
        var name = reader.ReadString(compact: true);
        reader.SkipTaggedFields();
        return name;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteArray(Users, static (ref KafkaWriter w, string name, short _) =>
        {
            w.WriteString(name, compact: true);
            w.WriteEmptyTaggedFields();
        }, version, compact: true);
        writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// DescribeUserScramCredentials Response (Version: 0) => throttle_time_ms error_code error_message [results] TAG_BUFFER
///   results => user error_code error_message [credential_infos] TAG_BUFFER
///     credential_infos => mechanism iterations TAG_BUFFER
///   nullable: error_message
/// </code>
/// </summary>
public sealed class DescribeUserScramCredentialsResponse : IKafkaMessage<DescribeUserScramCredentialsResponse>
{
    public static ApiKey ApiKey => ApiKey.DescribeUserScramCredentials;

    public int ThrottleTimeMs { get; set; }
    public ErrorCode ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public List<UserResult> Results { get; set; } = [];

    public sealed class UserResult
    {
        public string User { get; set; } = "";
        public ErrorCode ErrorCode { get; set; }
        public string? ErrorMessage { get; set; }
        public List<CredentialInfo> CredentialInfos { get; set; } = [];
    }

    public sealed record CredentialInfo(sbyte Mechanism, int Iterations);

    public static DescribeUserScramCredentialsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new DescribeUserScramCredentialsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(compact: true),
            Results = reader.ReadArray(ReadResult, version, compact: true),
        };
        reader.SkipTaggedFields();
        return response;
    }

    private static UserResult ReadResult(ref KafkaReader reader, short version)
    {
        var result = new UserResult
        {
            User = reader.ReadString(compact: true),
            ErrorCode = (ErrorCode)reader.ReadInt16(),
            ErrorMessage = reader.ReadNullableString(compact: true),
            CredentialInfos = reader.ReadArray(ReadInfo, version, compact: true),
        };
        reader.SkipTaggedFields();
        return result;
    }

    private static CredentialInfo ReadInfo(ref KafkaReader reader, short version)
    {
        var info = new CredentialInfo(reader.ReadInt8(), reader.ReadInt32());
        reader.SkipTaggedFields();
        return info;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteInt16((short)ErrorCode);
        writer.WriteNullableString(ErrorMessage, compact: true);
        writer.WriteArray(Results, static (ref KafkaWriter w, UserResult result, short v) =>
        {
            w.WriteString(result.User, compact: true);
            w.WriteInt16((short)result.ErrorCode);
            w.WriteNullableString(result.ErrorMessage, compact: true);
            w.WriteArray(result.CredentialInfos, static (ref KafkaWriter w2, CredentialInfo info, short _) =>
            {
                w2.WriteInt8(info.Mechanism);
                w2.WriteInt32(info.Iterations);
                w2.WriteEmptyTaggedFields();
            }, v, compact: true);
            w.WriteEmptyTaggedFields();
        }, version, compact: true);
        writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// AlterUserScramCredentials Request (Version: 0) => [deletions] [upsertions] TAG_BUFFER
///   deletions => name mechanism TAG_BUFFER
///   upsertions => name mechanism iterations salt salted_password TAG_BUFFER
/// </code>
/// </summary>
public sealed class AlterUserScramCredentialsRequest : IKafkaMessage<AlterUserScramCredentialsRequest>
{
    public static ApiKey ApiKey => ApiKey.AlterUserScramCredentials;

    public List<Deletion> Deletions { get; set; } = [];
    public List<Upsertion> Upsertions { get; set; } = [];

    public sealed record Deletion(string Name, sbyte Mechanism);

    /// <summary>The client salts the password itself: the broker never sees it.</summary>
    public sealed record Upsertion(string Name, sbyte Mechanism, int Iterations, byte[] Salt, byte[] SaltedPassword);

    public static AlterUserScramCredentialsRequest Read(ref KafkaReader reader, short version)
    {
        var request = new AlterUserScramCredentialsRequest
        {
            Deletions = reader.ReadArray(static (ref KafkaReader r, short _) =>
            {
                var deletion = new Deletion(r.ReadString(compact: true), r.ReadInt8());
                r.SkipTaggedFields();
                return deletion;
            }, version, compact: true),
            Upsertions = reader.ReadArray(static (ref KafkaReader r, short _) =>
            {
                var upsertion = new Upsertion(r.ReadString(compact: true), r.ReadInt8(), r.ReadInt32(), r.ReadBytes(compact: true).ToArray(), r.ReadBytes(compact: true).ToArray());
                r.SkipTaggedFields();
                return upsertion;
            }, version, compact: true),
        };
        reader.SkipTaggedFields();
        return request;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteArray(Deletions, static (ref KafkaWriter w, Deletion d, short _) =>
        {
            w.WriteString(d.Name, compact: true);
            w.WriteInt8(d.Mechanism);
            w.WriteEmptyTaggedFields();
        }, version, compact: true);
        writer.WriteArray(Upsertions, static (ref KafkaWriter w, Upsertion u, short _) =>
        {
            w.WriteString(u.Name, compact: true);
            w.WriteInt8(u.Mechanism);
            w.WriteInt32(u.Iterations);
            w.WriteBytes(u.Salt, compact: true);
            w.WriteBytes(u.SaltedPassword, compact: true);
            w.WriteEmptyTaggedFields();
        }, version, compact: true);
        writer.WriteEmptyTaggedFields();
    }
}

/// <summary>
/// <code>
/// AlterUserScramCredentials Response (Version: 0) => throttle_time_ms [results] TAG_BUFFER
///   results => user error_code error_message TAG_BUFFER          nullable: error_message
/// </code>
/// </summary>
public sealed class AlterUserScramCredentialsResponse : IKafkaMessage<AlterUserScramCredentialsResponse>
{
    public static ApiKey ApiKey => ApiKey.AlterUserScramCredentials;

    public int ThrottleTimeMs { get; set; }
    public List<Result> Results { get; set; } = [];

    public sealed record Result(string User, ErrorCode ErrorCode, string? ErrorMessage);

    public static AlterUserScramCredentialsResponse Read(ref KafkaReader reader, short version)
    {
        var response = new AlterUserScramCredentialsResponse
        {
            ThrottleTimeMs = reader.ReadInt32(),
            Results = reader.ReadArray(static (ref KafkaReader r, short _) =>
            {
                var result = new Result(r.ReadString(compact: true), (ErrorCode)r.ReadInt16(), r.ReadNullableString(compact: true));
                r.SkipTaggedFields();
                return result;
            }, version, compact: true),
        };
        reader.SkipTaggedFields();
        return response;
    }

    public void Write(ref KafkaWriter writer, short version)
    {
        writer.WriteInt32(ThrottleTimeMs);
        writer.WriteArray(Results, static (ref KafkaWriter w, Result r, short _) =>
        {
            w.WriteString(r.User, compact: true);
            w.WriteInt16((short)r.ErrorCode);
            w.WriteNullableString(r.ErrorMessage, compact: true);
            w.WriteEmptyTaggedFields();
        }, version, compact: true);
        writer.WriteEmptyTaggedFields();
    }
}
