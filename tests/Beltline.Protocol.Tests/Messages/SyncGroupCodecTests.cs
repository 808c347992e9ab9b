using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class SyncGroupCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 5);

    private static readonly byte[] FirstAssignment = [0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06];
    private static readonly byte[] SecondAssignment = [0x00, 0x03, 0x00, 0x00, 0x00, 0x00];

    private static SyncGroupRequest Request(short? version) => new()
    {
        GroupId = "orders-group",
        GenerationId = 7,
        MemberId = "consumer-1-abc",
        GroupInstanceId = Has(version, 3) ? "instance-1" : null,
        ProtocolType = Has(version, 5) ? "consumer" : null,
        ProtocolName = Has(version, 5) ? "range" : null,
        Assignments =
        [
            new() { MemberId = "consumer-1-abc", Assignment = FirstAssignment },
            new() { MemberId = "consumer-2-def", Assignment = SecondAssignment },
        ],
    };

    private static SyncGroupResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
        ErrorCode = ErrorCode.RebalanceInProgress,
        ProtocolType = Has(version, 5) ? "consumer" : null,
        ProtocolName = Has(version, 5) ? "range" : null,
        Assignment = FirstAssignment,
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(null), Response(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    // Golden bytes at every version where the layout changes.

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Request_v0_to_v2_golden_bytes(short version) => Golden(new SyncGroupRequest
    {
        GroupId = "g",
        GenerationId = 1,
        MemberId = "a",
        Assignments = [new() { MemberId = "a", Assignment = new byte[] { 0xAB } }],
    }, version,
        "0001" + "67" +        // group_id "g"
        "00000001" +           // generation_id 1
        "0001" + "61" +        // member_id "a"
        "00000001" +           // assignments: 1
        "0001" + "61" +        //   member_id "a"
        "00000001" + "AB");    //   assignment [AB]

    [Fact]
    public void Request_v3_golden_bytes_add_the_group_instance_id() => Golden(new SyncGroupRequest
    {
        GroupId = "g",
        GenerationId = 1,
        MemberId = "b",
        GroupInstanceId = "i",
    }, 3,
        "0001" + "67" +        // group_id "g"
        "00000001" +           // generation_id 1
        "0001" + "62" +        // member_id "b"
        "0001" + "69" +        // group_instance_id "i"
        "00000000");           // assignments: 0 (not the leader)

    [Fact]
    public void Request_v4_golden_bytes_are_compact_with_tag_buffers() => Golden(new SyncGroupRequest
    {
        GroupId = "g",
        GenerationId = 1,
        MemberId = "a",
        Assignments = [new() { MemberId = "a", Assignment = new byte[] { 0xAB } }],
    }, 4,
        "02" + "67" +          // group_id "g" (COMPACT_STRING)
        "00000001" +           // generation_id 1
        "02" + "61" +          // member_id "a"
        "00" +                 // group_instance_id null (COMPACT_NULLABLE_STRING)
        "02" +                 // assignments: 1 (count + 1)
        "02" + "61" +          //   member_id "a"
        "02" + "AB" +          //   assignment [AB] (COMPACT_BYTES)
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v5_golden_bytes_add_the_protocol_type_and_name() => Golden(new SyncGroupRequest
    {
        GroupId = "g",
        GenerationId = 1,
        MemberId = "a",
        GroupInstanceId = "i",
        ProtocolType = "c",
        ProtocolName = "r",
        Assignments = [new() { MemberId = "a", Assignment = new byte[] { 0xAB } }],
    }, 5,
        "02" + "67" +          // group_id "g"
        "00000001" +           // generation_id 1
        "02" + "61" +          // member_id "a"
        "02" + "69" +          // group_instance_id "i"
        "02" + "63" +          // protocol_type "c"
        "02" + "72" +          // protocol_name "r"
        "02" +                 // assignments: 1
        "02" + "61" +          //   member_id "a"
        "02" + "AB" +          //   assignment [AB]
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v0_golden_bytes() => Golden(new SyncGroupResponse { Assignment = new byte[] { 0xAB } }, 0,
        "0000" +               // error_code 0
        "00000001" + "AB");    // assignment [AB]

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Response_v1_to_v3_golden_bytes_add_the_throttle_time(short version) => Golden(new SyncGroupResponse
    {
        ThrottleTimeMs = 100,
        ErrorCode = ErrorCode.RebalanceInProgress,
    }, version,
        "00000064" +           // throttle_time_ms 100
        "001B" +               // error_code 27 REBALANCE_IN_PROGRESS
        "00000000");           // assignment []

    [Fact]
    public void Response_v4_golden_bytes_are_compact_with_a_tag_buffer() => Golden(new SyncGroupResponse
    {
        ThrottleTimeMs = 100,
        Assignment = new byte[] { 0xAB },
    }, 4,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "02" + "AB" +          // assignment [AB] (COMPACT_BYTES)
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v5_golden_bytes_add_the_protocol_type_and_name() => Golden(new SyncGroupResponse
    {
        ThrottleTimeMs = 100,
        ProtocolType = "c",
        ProtocolName = "r",
        Assignment = new byte[] { 0xAB },
    }, 5,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "02" + "63" +          // protocol_type "c"
        "02" + "72" +          // protocol_name "r"
        "02" + "AB" +          // assignment [AB]
        "00");                 // TAG_BUFFER
}
