using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class LeaveGroupCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 5);

    private static LeaveGroupRequest Request(short? version) => new()
    {
        GroupId = "orders-group",
        MemberId = Has(version, 0, 2) ? "consumer-1-abc" : "",
        Members = Has(version, 3)
            ?
            [
                new() { MemberId = "consumer-1-abc", Reason = Has(version, 5) ? "shutting down" : null },
                new() { MemberId = "", GroupInstanceId = "instance-2", Reason = Has(version, 5) ? "the consumer is being closed" : null },
            ]
            : [],
    };

    private static LeaveGroupResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
        ErrorCode = ErrorCode.UnknownMemberId,
        Members = Has(version, 3)
            ?
            [
                new() { MemberId = "consumer-1-abc", GroupInstanceId = null },
                new() { MemberId = "consumer-2-def", GroupInstanceId = "instance-2", ErrorCode = ErrorCode.FencedInstanceId },
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

    [Fact]
    public void Member_response_group_instance_id_defaults_to_empty_as_the_spec_gives_no_default() =>
        Assert.Equal("", new LeaveGroupResponse.MemberResponse().GroupInstanceId);

    // Golden bytes at every version where the layout changes.

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Request_v0_to_v2_golden_bytes_name_one_member(short version) =>
        Golden(new LeaveGroupRequest { GroupId = "g", MemberId = "a" }, version,
            "0001" + "67" +    // group_id "g"
            "0001" + "61");    // member_id "a"

    [Fact]
    public void Request_v3_golden_bytes_batch_the_members() => Golden(new LeaveGroupRequest
    {
        GroupId = "g",
        Members = [new() { MemberId = "a" }, new() { MemberId = "", GroupInstanceId = "i" }],
    }, 3,
        "0001" + "67" +        // group_id "g"
        "00000002" +           // members: 2
        "0001" + "61" +        //   member_id "a"
        "FFFF" +               //   group_instance_id null
        "0000" +               //   member_id ""
        "0001" + "69");        //   group_instance_id "i"

    [Fact]
    public void Request_v4_golden_bytes_are_compact_with_tag_buffers() => Golden(new LeaveGroupRequest
    {
        GroupId = "g",
        Members = [new() { MemberId = "a", GroupInstanceId = "i" }],
    }, 4,
        "02" + "67" +          // group_id "g" (COMPACT_STRING)
        "02" +                 // members: 1 (count + 1)
        "02" + "61" +          //   member_id "a"
        "02" + "69" +          //   group_instance_id "i"
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v5_golden_bytes_add_the_reason() => Golden(new LeaveGroupRequest
    {
        GroupId = "g",
        Members = [new() { MemberId = "a", Reason = "x" }, new() { MemberId = "b" }],
    }, 5,
        "02" + "67" +          // group_id "g"
        "03" +                 // members: 2
        "02" + "61" +          //   member_id "a"
        "00" +                 //   group_instance_id null
        "02" + "78" +          //   reason "x"
        "00" +                 //   TAG_BUFFER
        "02" + "62" +          //   member_id "b"
        "00" +                 //   group_instance_id null
        "00" +                 //   reason null
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v0_golden_bytes() => Golden(new LeaveGroupResponse { ErrorCode = ErrorCode.UnknownMemberId }, 0,
        "0019");               // error_code 25 UNKNOWN_MEMBER_ID

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Response_v1_v2_golden_bytes_add_the_throttle_time(short version) =>
        Golden(new LeaveGroupResponse { ThrottleTimeMs = 100 }, version,
            "00000064" +       // throttle_time_ms 100
            "0000");           // error_code 0

    [Fact]
    public void Response_v3_golden_bytes_add_the_members() => Golden(new LeaveGroupResponse
    {
        ThrottleTimeMs = 100,
        Members =
        [
            new() { MemberId = "a", GroupInstanceId = null },
            new() { MemberId = "", GroupInstanceId = "i", ErrorCode = ErrorCode.UnknownMemberId },
        ],
    }, 3,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00000002" +           // members: 2
        "0001" + "61" +        //   member_id "a"
        "FFFF" +               //   group_instance_id null
        "0000" +               //   error_code 0
        "0000" +               //   member_id ""
        "0001" + "69" +        //   group_instance_id "i"
        "0019");               //   error_code 25 UNKNOWN_MEMBER_ID

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void Response_v4_v5_golden_bytes_are_compact_with_tag_buffers(short version) => Golden(new LeaveGroupResponse
    {
        ThrottleTimeMs = 100,
        Members = [new() { MemberId = "a", GroupInstanceId = "i", ErrorCode = ErrorCode.FencedInstanceId }],
    }, version,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "02" +                 // members: 1 (count + 1)
        "02" + "61" +          //   member_id "a"
        "02" + "69" +          //   group_instance_id "i"
        "0052" +               //   error_code 82 FENCED_INSTANCE_ID
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
