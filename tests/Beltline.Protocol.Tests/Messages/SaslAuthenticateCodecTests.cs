using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class SaslAuthenticateCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 2);

    private static SaslAuthenticateRequest Request() => new() { AuthBytes = "n,,n=alice,r=abc"u8.ToArray() };

    private static SaslAuthenticateResponse Response(short version) => new()
    {
        ErrorCode = ErrorCode.SaslAuthenticationFailed,
        ErrorMessage = "Authentication failed",
        AuthBytes = [1, 2, 3],
        SessionLifetimeMs = version >= 1 ? 3_600_000 : 0,
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(), Request(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(version), Response(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    [Fact]
    public void Golden_bytes_classic_and_flexible()
    {
        Golden(new SaslAuthenticateRequest { AuthBytes = [0xAB] }, 0, "00000001" + "AB");            // bytes: INT32 length
        Golden(new SaslAuthenticateRequest { AuthBytes = [0xAB] }, 2, "02" + "AB" + "00");           // compact: length + 1, tags
        Golden(new SaslAuthenticateResponse { AuthBytes = [0xAB], SessionLifetimeMs = 5 }, 1,
            "0000" + "FFFF" + "00000001" + "AB" + "0000000000000005");                                // no error, null message
        Golden(new SaslAuthenticateResponse { ErrorCode = ErrorCode.SaslAuthenticationFailed, ErrorMessage = "x" }, 2,
            "003A" + "0278" + "01" + "0000000000000000" + "00");                                       // 58, "x", empty bytes
    }
}
