using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class ListGroupsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 5);

    // v0–2 requests have an empty body, so there is nothing to truncate.
    public static TheoryData<short> NonEmptyRequestVersions => Versions(3, 5);

    private static ListGroupsRequest Request(short? version) => new()
    {
        StatesFilter = Has(version, 4) ? ["Stable", "Empty"] : [],
        TypesFilter = Has(version, 5) ? ["classic"] : [],
    };

    private static ListGroupsResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
        ErrorCode = ErrorCode.CoordinatorLoadInProgress,
        Groups =
        [
            new()
            {
                GroupId = "orders-group",
                ProtocolType = "consumer",
                GroupState = Has(version, 4) ? "Stable" : "",
                GroupType = Has(version, 5) ? "classic" : "",
            },
            new()
            {
                GroupId = "connect-cluster",
                ProtocolType = "connect",
                GroupState = Has(version, 4) ? "PreparingRebalance" : "",
                GroupType = Has(version, 5) ? "classic" : "",
            },
        ],
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(null), Response(version), version);

    [Theory, MemberData(nameof(NonEmptyRequestVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    // Golden bytes at every version.
    [Theory]
    [InlineData(0, "")] // empty body
    [InlineData(1, "")]
    [InlineData(2, "")]
    [InlineData(3, "00")] // TAG_BUFFER only
    [InlineData(4, "02" + "06" + "456D707479" + "00")] // [states_filter] ["Empty"]
    [InlineData(5, "02" + "06" + "456D707479" + "02" + "08" + "636C6173736963" + "00")] // + [types_filter] ["classic"]
    public void Request_layout_at_each_version(short version, string hex) => Golden(new ListGroupsRequest
    {
        StatesFilter = version >= 4 ? ["Empty"] : [],
        TypesFilter = version >= 5 ? ["classic"] : [],
    }, version, hex);

    [Fact]
    public void Request_v4_golden_bytes_with_an_empty_filter_asks_for_every_state() => Golden(new ListGroupsRequest(), 4,
        "01" +                 // states_filter: 0 (count + 1)
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v0_golden_bytes() => Golden(new ListGroupsResponse
    {
        Groups = [new() { GroupId = "g", ProtocolType = "consumer" }],
    }, 0,
        "0000" +               // error_code 0
        "00000001" +           // groups: 1
        "0001" + "67" +        //   group_id "g"
        "0008" + "636F6E73756D6572"); // protocol_type "consumer"

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Response_v1_v2_golden_bytes_add_the_throttle_time(short version) => Golden(new ListGroupsResponse
    {
        ThrottleTimeMs = 100,
        Groups = [new() { GroupId = "g", ProtocolType = "" }],
    }, version,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00000001" +           // groups: 1
        "0001" + "67" +        //   group_id "g"
        "0000");               //   protocol_type ""

    [Fact]
    public void Response_v3_golden_bytes_are_compact_with_tag_buffers() => Golden(new ListGroupsResponse
    {
        ThrottleTimeMs = 100,
        Groups = [new() { GroupId = "g", ProtocolType = "consumer" }],
    }, 3,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "02" +                 // groups: 1 (count + 1)
        "02" + "67" +          //   group_id "g" (COMPACT_STRING)
        "09" + "636F6E73756D6572" + // protocol_type "consumer"
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v4_golden_bytes_add_the_group_state() => Golden(new ListGroupsResponse
    {
        ThrottleTimeMs = 100,
        Groups = [new() { GroupId = "g", ProtocolType = "consumer", GroupState = "Stable" }],
    }, 4,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "02" +                 // groups: 1
        "02" + "67" +          //   group_id "g"
        "09" + "636F6E73756D6572" + // protocol_type "consumer"
        "07" + "537461626C65" + //  group_state "Stable"
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v5_golden_bytes_add_the_group_type() => Golden(new ListGroupsResponse
    {
        ThrottleTimeMs = 100,
        Groups = [new() { GroupId = "g", ProtocolType = "consumer", GroupState = "Stable", GroupType = "classic" }],
    }, 5,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "02" +                 // groups: 1
        "02" + "67" +          //   group_id "g"
        "09" + "636F6E73756D6572" + // protocol_type "consumer"
        "07" + "537461626C65" + //  group_state "Stable"
        "08" + "636C6173736963" + // group_type "classic"
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
