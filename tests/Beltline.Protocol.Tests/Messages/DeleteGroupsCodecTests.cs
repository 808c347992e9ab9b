using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class DeleteGroupsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 2);

    private static DeleteGroupsRequest Request(short? version) => new()
    {
        GroupsNames = ["orders-group", "stale-group"],
    };

    private static DeleteGroupsResponse Response(short? version) => new()
    {
        ThrottleTimeMs = 250,
        Results =
        [
            new() { GroupId = "orders-group", ErrorCode = ErrorCode.NonEmptyGroup },
            new() { GroupId = "stale-group" },
        ],
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(null), Response(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Request_v0_v1_golden_bytes(short version) => Golden(new DeleteGroupsRequest { GroupsNames = ["a", "b"] }, version,
        "00000002" +           // groups_names: 2
        "0001" + "61" +        //   "a"
        "0001" + "62");        //   "b"

    [Fact]
    public void Request_v2_golden_bytes_are_compact_with_a_tag_buffer() => Golden(new DeleteGroupsRequest { GroupsNames = ["a", "b"] }, 2,
        "03" +                 // groups_names: 2 (count + 1)
        "02" + "61" +          //   "a" (COMPACT_STRING)
        "02" + "62" +          //   "b"
        "00");                 // TAG_BUFFER

    private static DeleteGroupsResponse GoldenResponse() => new()
    {
        ThrottleTimeMs = 100,
        Results = [new() { GroupId = "a" }, new() { GroupId = "b", ErrorCode = ErrorCode.GroupIdNotFound }],
    };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Response_v0_v1_golden_bytes(short version) => Golden(GoldenResponse(), version,
        "00000064" +           // throttle_time_ms 100 (already in v0)
        "00000002" +           // results: 2
        "0001" + "61" +        //   group_id "a"
        "0000" +               //   error_code 0
        "0001" + "62" +        //   group_id "b"
        "0045");               //   error_code 69 GROUP_ID_NOT_FOUND

    [Fact]
    public void Response_v2_golden_bytes_are_compact_with_tag_buffers() => Golden(GoldenResponse(), 2,
        "00000064" +           // throttle_time_ms 100
        "03" +                 // results: 2 (count + 1)
        "02" + "61" +          //   group_id "a"
        "0000" +               //   error_code 0
        "00" +                 //   TAG_BUFFER
        "02" + "62" +          //   group_id "b"
        "0045" +               //   error_code 69 GROUP_ID_NOT_FOUND
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
