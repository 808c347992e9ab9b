using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class FindCoordinatorCodecTests
{
    // v5 and v6 are byte-for-byte v4; they are covered because ApiSpec serves them.
    public static TheoryData<short> AllVersions => Versions(0, 6);

    private static FindCoordinatorRequest Request(short? version) => new()
    {
        Key = Has(version, 0, 3) ? "orders-group" : "",
        KeyType = Has(version, 1) ? CoordinatorType.Transaction : CoordinatorType.Group,
        CoordinatorKeys = Has(version, 4) ? ["txn-1", "txn-2"] : [],
    };

    private static FindCoordinatorResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
        ErrorCode = Has(version, 0, 3) ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None,
        ErrorMessage = Has(version, 1, 3) ? "loading" : null,
        NodeId = Has(version, 0, 3) ? 2 : 0,
        Host = Has(version, 0, 3) ? "b2.example" : "",
        Port = Has(version, 0, 3) ? 9092 : 0,
        Coordinators = Has(version, 4)
            ?
            [
                new() { Key = "txn-1", NodeId = 2, Host = "b2.example", Port = 9092 },
                new() { Key = "txn-2", NodeId = -1, Host = "", Port = -1, ErrorCode = ErrorCode.CoordinatorNotAvailable, ErrorMessage = "no leader" },
            ]
            : [],
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(null), Response(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    // Golden bytes at every version, to pin where each field starts (and stops) to appear.
    [Theory]
    [InlineData(0, "0001" + "67")] // key
    [InlineData(1, "0001" + "67" + "00")] // + key_type
    [InlineData(2, "0001" + "67" + "00")]
    [InlineData(3, "02" + "67" + "00" + "00")] // compact, TAG_BUFFER
    [InlineData(4, "00" + "02" + "0267" + "00")] // key_type [coordinator_keys]
    [InlineData(5, "00" + "02" + "0267" + "00")]
    [InlineData(6, "00" + "02" + "0267" + "00")]
    public void Request_layout_at_each_version(short version, string hex) => Golden(new FindCoordinatorRequest
    {
        Key = version <= 3 ? "g" : "",
        CoordinatorKeys = version >= 4 ? ["g"] : [],
    }, version, hex);

    [Theory]
    [InlineData(0, "0000" + "00000001" + "0001" + "68" + "00002384")] // error_code node_id host port
    [InlineData(1, "00000000" + "0000" + "FFFF" + "00000001" + "0001" + "68" + "00002384")] // + throttle_time_ms, error_message
    [InlineData(2, "00000000" + "0000" + "FFFF" + "00000001" + "0001" + "68" + "00002384")]
    [InlineData(3, "00000000" + "0000" + "00" + "00000001" + "0268" + "00002384" + "00")] // compact, TAG_BUFFER
    [InlineData(4, "00000000" + "02" + "0267" + "00000001" + "0268" + "00002384" + "0000" + "00" + "00" + "00")] // throttle_time_ms [coordinators]
    [InlineData(5, "00000000" + "02" + "0267" + "00000001" + "0268" + "00002384" + "0000" + "00" + "00" + "00")]
    [InlineData(6, "00000000" + "02" + "0267" + "00000001" + "0268" + "00002384" + "0000" + "00" + "00" + "00")]
    public void Response_layout_at_each_version(short version, string hex) => Golden(version <= 3
        ? new FindCoordinatorResponse { NodeId = 1, Host = "h", Port = 9092 }
        : new FindCoordinatorResponse { Coordinators = [new() { Key = "g", NodeId = 1, Host = "h", Port = 9092 }] },
        version, hex);

    [Fact]
    public void Request_v0_golden_bytes_have_no_key_type() => Golden(new FindCoordinatorRequest { Key = "g" }, 0,
        "0001" + "67");        // key "g"

    [Fact]
    public void Request_v2_golden_bytes() => Golden(new FindCoordinatorRequest { Key = "g", KeyType = CoordinatorType.Transaction }, 2,
        "0001" + "67" +        // key "g"
        "01");                 // key_type 1 TRANSACTION

    [Fact]
    public void Request_v3_golden_bytes() => Golden(new FindCoordinatorRequest { Key = "g", KeyType = CoordinatorType.Transaction }, 3,
        "02" + "67" +          // key "g" (COMPACT_STRING)
        "01" +                 // key_type 1
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v4_golden_bytes_batch_the_keys() => Golden(new FindCoordinatorRequest { CoordinatorKeys = ["a", "b"] }, 4,
        "00" +                 // key_type 0 GROUP
        "03" + "02" + "61" + "02" + "62" + // coordinator_keys ["a", "b"]
        "00");                 // TAG_BUFFER

    private static FindCoordinatorResponse GoldenResponse() => new() { ThrottleTimeMs = 100, NodeId = 1, Host = "h", Port = 9092 };

    [Fact]
    public void Response_v2_golden_bytes() => Golden(GoldenResponse(), 2,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "FFFF" +               // error_message null
        "00000001" +           // node_id 1
        "0001" + "68" +        // host "h"
        "00002384");           // port 9092

    [Fact]
    public void Response_v3_golden_bytes() => Golden(GoldenResponse(), 3,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00" +                 // error_message null
        "00000001" +           // node_id 1
        "02" + "68" +          // host "h"
        "00002384" +           // port 9092
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v4_golden_bytes() => Golden(new FindCoordinatorResponse
    {
        ThrottleTimeMs = 100,
        Coordinators = [new() { Key = "a", NodeId = 1, Host = "h", Port = 9092 }],
    }, 4,
        "00000064" +           // throttle_time_ms 100
        "02" +                 // coordinators: 1
        "02" + "61" +          //   key "a"
        "00000001" +           //   node_id 1
        "02" + "68" +          //   host "h"
        "00002384" +           //   port 9092
        "0000" +               //   error_code 0
        "00" +                 //   error_message null
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
