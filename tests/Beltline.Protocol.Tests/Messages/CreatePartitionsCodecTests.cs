using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class CreatePartitionsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 3);

    // Every field exists in every version.
    private static CreatePartitionsRequest Request() => new()
    {
        Topics =
        [
            new() { Name = "orders", Count = 12, Assignments = [new() { BrokerIds = [1, 2] }, new() { BrokerIds = [2, 3] }] },
            new() { Name = "payments", Count = 4, Assignments = null },
        ],
        TimeoutMs = 30000,
        ValidateOnly = true,
    };

    private static CreatePartitionsResponse Response() => new()
    {
        ThrottleTimeMs = 250,
        Results =
        [
            new() { Name = "orders" },
            new() { Name = "payments", ErrorCode = ErrorCode.InvalidPartitions, ErrorMessage = "cannot shrink" },
        ],
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(), Request(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(), Response(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(), version);

    private static CreatePartitionsRequest GoldenRequest() => new()
    {
        Topics = [new() { Name = "t", Count = 4, Assignments = [new() { BrokerIds = [2] }] }, new() { Name = "u", Count = 2 }],
        TimeoutMs = 5000,
        ValidateOnly = true,
    };

    private static CreatePartitionsResponse GoldenResponse() => new()
    {
        ThrottleTimeMs = 100,
        Results = [new() { Name = "t" }, new() { Name = "u", ErrorCode = ErrorCode.InvalidPartitions, ErrorMessage = "bad" }],
    };

    [Fact]
    public void Request_v1_golden_bytes() => Golden(GoldenRequest(), 1,
        "00000002" +           // topics: 2
        "0001" + "74" +        //   name "t"
        "00000004" +           //   count 4
        "00000001" +           //   assignments: 1
        "00000001" + "00000002" + //   broker_ids [2]
        "0001" + "75" +        //   name "u"
        "00000002" +           //   count 2
        "FFFFFFFF" +           //   assignments null
        "00001388" +           // timeout_ms 5000
        "01");                 // validate_only

    [Fact]
    public void Request_v2_golden_bytes() => Golden(GoldenRequest(), 2,
        "03" +                 // topics: 2
        "02" + "74" +          //   name "t"
        "00000004" +           //   count 4
        "02" +                 //   assignments: 1
        "02" + "00000002" +    //     broker_ids [2]
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "02" + "75" +          //   name "u"
        "00000002" +           //   count 2
        "00" +                 //   assignments null
        "00" +                 //   TAG_BUFFER
        "00001388" +           // timeout_ms 5000
        "01" +                 // validate_only
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v1_golden_bytes() => Golden(GoldenResponse(), 1,
        "00000064" +           // throttle_time_ms 100
        "00000002" +           // results: 2
        "0001" + "74" + "0000" + "FFFF" + //  "t", error_code 0, error_message null
        "0001" + "75" + "0025" + "0003" + "626164"); // "u", 37 INVALID_PARTITIONS, "bad"

    [Fact]
    public void Response_v2_golden_bytes() => Golden(GoldenResponse(), 2,
        "00000064" +           // throttle_time_ms 100
        "03" +                 // results: 2
        "02" + "74" + "0000" + "00" + "00" +         // "t", error_code 0, error_message null, TAG_BUFFER
        "02" + "75" + "0025" + "04" + "626164" + "00" + // "u", 37, "bad", TAG_BUFFER
        "00");                 // TAG_BUFFER
}
