using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class SaslHandshakeCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 1);

    private static SaslHandshakeRequest Request() => new() { Mechanism = "SCRAM-SHA-512" };

    private static SaslHandshakeResponse Response() => new()
    {
        ErrorCode = ErrorCode.UnsupportedSaslMechanism,
        Mechanisms = ["PLAIN", "SCRAM-SHA-256"],
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(), Request(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(), Response(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(), version);

    // Never flexible: v1 has the same classic encoding as v0, without tag buffers.
    [Theory, MemberData(nameof(AllVersions))]
    public void Request_golden_bytes(short version) => Golden(new SaslHandshakeRequest { Mechanism = "PLAIN" }, version,
        "0005" + "504C41494E"); // mechanism "PLAIN" (INT16 length)

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_golden_bytes(short version) => Golden(new SaslHandshakeResponse
    {
        ErrorCode = ErrorCode.UnsupportedSaslMechanism,
        Mechanisms = ["PLAIN"],
    }, version,
        "0021" +               // error_code 33 UNSUPPORTED_SASL_MECHANISM
        "00000001" +           // mechanisms: 1 (INT32 count)
        "0005" + "504C41494E"); //  "PLAIN"
}
