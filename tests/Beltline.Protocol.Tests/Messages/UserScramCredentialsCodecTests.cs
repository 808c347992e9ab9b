using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class UserScramCredentialsCodecTests
{
    private static DescribeUserScramCredentialsRequest Describe() => new() { Users = ["alice", "nancy"] };

    private static DescribeUserScramCredentialsResponse Described() => new()
    {
        ThrottleTimeMs = 1,
        Results =
        [
            new() { User = "alice", CredentialInfos = [new(2, 4096), new(1, 8192)] },
            new() { User = "bob", ErrorCode = ErrorCode.ResourceNotFound, ErrorMessage = "Attempt to describe a user credential that does not exist" },
        ],
    };

    private static AlterUserScramCredentialsRequest Alter() => new()
    {
        Deletions = [new("nancy", 1)],
        Upsertions = [new("alice", 2, 4096, [1, 2, 3], [4, 5, 6, 7])],
    };

    private static AlterUserScramCredentialsResponse Altered() => new()
    {
        Results = [new("alice", ErrorCode.None, null), new("nancy", ErrorCode.ResourceNotFound, "no credential")],
    };

    [Fact]
    public void Every_message_round_trips()
    {
        RoundTrips(Describe(), Describe(), 0);
        RoundTrips(new DescribeUserScramCredentialsRequest { Users = null }, new DescribeUserScramCredentialsRequest { Users = null }, 0);
        RoundTrips(Described(), Described(), 0);
        RoundTrips(Alter(), Alter(), 0);
        RoundTrips(Altered(), Altered(), 0);
    }

    [Fact]
    public void Every_truncation_throws_a_protocol_exception()
    {
        EveryTruncationThrows(Describe(), 0);
        EveryTruncationThrows(Described(), 0);
        EveryTruncationThrows(Alter(), 0);
        EveryTruncationThrows(Altered(), 0);
    }

    [Fact]
    public void Golden_bytes()
    {
        Golden(new DescribeUserScramCredentialsRequest { Users = null }, 0, "00" + "00");                      // null array, tags
        Golden(new AlterUserScramCredentialsRequest { Deletions = [new("a", 2)] }, 0,
            "02" + "0261" + "02" + "00" +   // deletions: 1 × (name "a", SCRAM-SHA-512, tags)
            "01" + "00");                    // no upsertions, tags
    }
}
