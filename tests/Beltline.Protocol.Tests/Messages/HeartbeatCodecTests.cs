using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class HeartbeatCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 4);

    private static HeartbeatRequest Request(short? version) => new()
    {
        GroupId = "orders-group",
        GenerationId = 7,
        MemberId = "consumer-1-abc",
        GroupInstanceId = Has(version, 3) ? "instance-1" : null,
    };

    private static HeartbeatResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
        ErrorCode = ErrorCode.RebalanceInProgress,
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(null), Response(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    // Golden bytes at every version.
    [Theory]
    [InlineData(0, "0001" + "67" + "00000001" + "0001" + "61")] // group_id generation_id member_id
    [InlineData(1, "0001" + "67" + "00000001" + "0001" + "61")]
    [InlineData(2, "0001" + "67" + "00000001" + "0001" + "61")]
    [InlineData(3, "0001" + "67" + "00000001" + "0001" + "61" + "0001" + "69")] // + group_instance_id
    [InlineData(4, "02" + "67" + "00000001" + "02" + "61" + "02" + "69" + "00")] // compact, TAG_BUFFER
    public void Request_layout_at_each_version(short version, string hex) => Golden(new HeartbeatRequest
    {
        GroupId = "g",
        GenerationId = 1,
        MemberId = "a",
        GroupInstanceId = version >= 3 ? "i" : null,
    }, version, hex);

    [Theory]
    [InlineData(0, "001B")] // error_code
    [InlineData(1, "00000064" + "001B")] // + throttle_time_ms
    [InlineData(2, "00000064" + "001B")]
    [InlineData(3, "00000064" + "001B")]
    [InlineData(4, "00000064" + "001B" + "00")] // TAG_BUFFER
    public void Response_layout_at_each_version(short version, string hex) => Golden(new HeartbeatResponse
    {
        ThrottleTimeMs = version >= 1 ? 100 : 0,
        ErrorCode = ErrorCode.RebalanceInProgress,
    }, version, hex);

    [Fact]
    public void Request_v3_golden_bytes_with_a_null_group_instance_id() => Golden(new HeartbeatRequest
    {
        GroupId = "g",
        GenerationId = 1,
        MemberId = "a",
    }, 3,
        "0001" + "67" +        // group_id "g"
        "00000001" +           // generation_id 1
        "0001" + "61" +        // member_id "a"
        "FFFF");               // group_instance_id null

    [Fact]
    public void Request_v4_golden_bytes() => Golden(new HeartbeatRequest
    {
        GroupId = "g",
        GenerationId = 1,
        MemberId = "a",
    }, 4,
        "02" + "67" +          // group_id "g" (COMPACT_STRING)
        "00000001" +           // generation_id 1
        "02" + "61" +          // member_id "a"
        "00" +                 // group_instance_id null (COMPACT_NULLABLE_STRING)
        "00");                 // TAG_BUFFER
}
