using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class DescribeGroupsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 5);

    private static readonly byte[] Subscription = [0x00, 0x03, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] Assignment = [0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x6F];

    private static DescribeGroupsRequest Request(short? version) => new()
    {
        Groups = ["orders-group", "payments-group"],
        IncludeAuthorizedOperations = Has(version, 3),
    };

    private static DescribeGroupsResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
        Groups =
        [
            new()
            {
                GroupId = "orders-group",
                GroupState = "Stable",
                ProtocolType = "consumer",
                ProtocolData = "range",
                Members =
                [
                    new()
                    {
                        MemberId = "consumer-1-abc",
                        GroupInstanceId = Has(version, 4) ? "instance-1" : null,
                        ClientId = "orders-app",
                        ClientHost = "/10.0.0.7",
                        MemberMetadata = Subscription,
                        MemberAssignment = Assignment,
                    },
                    new() { MemberId = "consumer-2-def", ClientId = "orders-app", ClientHost = "/10.0.0.8" },
                ],
                AuthorizedOperations = Has(version, 3) ? 0x0BA8 : int.MinValue,
            },
            new()
            {
                ErrorCode = ErrorCode.GroupAuthorizationFailed,
                GroupId = "payments-group",
                AuthorizedOperations = int.MinValue,
            },
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

    // Golden bytes at every version.
    [Theory]
    [InlineData(0, "00000001" + "0001" + "67")] // [groups]
    [InlineData(1, "00000001" + "0001" + "67")]
    [InlineData(2, "00000001" + "0001" + "67")]
    [InlineData(3, "00000001" + "0001" + "67" + "01")] // + include_authorized_operations
    [InlineData(4, "00000001" + "0001" + "67" + "01")]
    [InlineData(5, "02" + "02" + "67" + "01" + "00")] // compact, TAG_BUFFER
    public void Request_layout_at_each_version(short version, string hex) => Golden(new DescribeGroupsRequest
    {
        Groups = ["g"],
        IncludeAuthorizedOperations = version >= 3,
    }, version, hex);

    private static DescribeGroupsResponse GoldenResponse(short version) => new()
    {
        ThrottleTimeMs = version >= 1 ? 100 : 0,
        Groups =
        [
            new()
            {
                GroupId = "g",
                GroupState = "Stable",
                ProtocolType = "c",
                ProtocolData = "r",
                Members =
                [
                    new()
                    {
                        MemberId = "a",
                        GroupInstanceId = version >= 4 ? "i" : null,
                        ClientId = "c",
                        ClientHost = "h",
                        MemberMetadata = new byte[] { 0xAB },
                        MemberAssignment = new byte[] { 0xCD },
                    },
                ],
                AuthorizedOperations = version >= 3 ? 0x0BA8 : int.MinValue,
            },
        ],
    };

    [Fact]
    public void Response_v0_golden_bytes() => Golden(GoldenResponse(0), 0,
        "00000001" +           // groups: 1
        "0000" +               //   error_code 0
        "0001" + "67" +        //   group_id "g"
        "0006" + "537461626C65" + // group_state "Stable"
        "0001" + "63" +        //   protocol_type "c"
        "0001" + "72" +        //   protocol_data "r"
        "00000001" +           //   members: 1
        "0001" + "61" +        //     member_id "a"
        "0001" + "63" +        //     client_id "c"
        "0001" + "68" +        //     client_host "h"
        "00000001" + "AB" +    //     member_metadata [AB]
        "00000001" + "CD");    //     member_assignment [CD]

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Response_v1_v2_golden_bytes_add_the_throttle_time(short version) => Golden(GoldenResponse(version), version,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // groups: 1
        "0000" +               //   error_code 0
        "0001" + "67" +        //   group_id "g"
        "0006" + "537461626C65" + // group_state "Stable"
        "0001" + "63" +        //   protocol_type "c"
        "0001" + "72" +        //   protocol_data "r"
        "00000001" +           //   members: 1
        "0001" + "61" +        //     member_id "a"
        "0001" + "63" +        //     client_id "c"
        "0001" + "68" +        //     client_host "h"
        "00000001" + "AB" +    //     member_metadata [AB]
        "00000001" + "CD");    //     member_assignment [CD]

    [Fact]
    public void Response_v3_golden_bytes_add_authorized_operations() => Golden(GoldenResponse(3), 3,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // groups: 1
        "0000" +               //   error_code 0
        "0001" + "67" +        //   group_id "g"
        "0006" + "537461626C65" + // group_state "Stable"
        "0001" + "63" +        //   protocol_type "c"
        "0001" + "72" +        //   protocol_data "r"
        "00000001" +           //   members: 1
        "0001" + "61" +        //     member_id "a"
        "0001" + "63" +        //     client_id "c"
        "0001" + "68" +        //     client_host "h"
        "00000001" + "AB" +    //     member_metadata [AB]
        "00000001" + "CD" +    //     member_assignment [CD]
        "00000BA8");           //   authorized_operations 0x0BA8

    [Fact]
    public void Response_v4_golden_bytes_add_the_members_group_instance_id() => Golden(GoldenResponse(4), 4,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // groups: 1
        "0000" +               //   error_code 0
        "0001" + "67" +        //   group_id "g"
        "0006" + "537461626C65" + // group_state "Stable"
        "0001" + "63" +        //   protocol_type "c"
        "0001" + "72" +        //   protocol_data "r"
        "00000001" +           //   members: 1
        "0001" + "61" +        //     member_id "a"
        "0001" + "69" +        //     group_instance_id "i"
        "0001" + "63" +        //     client_id "c"
        "0001" + "68" +        //     client_host "h"
        "00000001" + "AB" +    //     member_metadata [AB]
        "00000001" + "CD" +    //     member_assignment [CD]
        "00000BA8");           //   authorized_operations 0x0BA8

    [Fact]
    public void Response_v5_golden_bytes_are_compact_with_tag_buffers() => Golden(GoldenResponse(5), 5,
        "00000064" +           // throttle_time_ms 100
        "02" +                 // groups: 1 (count + 1)
        "0000" +               //   error_code 0
        "02" + "67" +          //   group_id "g" (COMPACT_STRING)
        "07" + "537461626C65" + // group_state "Stable"
        "02" + "63" +          //   protocol_type "c"
        "02" + "72" +          //   protocol_data "r"
        "02" +                 //   members: 1
        "02" + "61" +          //     member_id "a"
        "02" + "69" +          //     group_instance_id "i"
        "02" + "63" +          //     client_id "c"
        "02" + "68" +          //     client_host "h"
        "02" + "AB" +          //     member_metadata [AB] (COMPACT_BYTES)
        "02" + "CD" +          //     member_assignment [CD]
        "00" +                 //     TAG_BUFFER
        "00000BA8" +           //   authorized_operations 0x0BA8
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v5_golden_bytes_of_an_unauthorized_group() => Golden(new DescribeGroupsResponse
    {
        Groups = [new() { ErrorCode = ErrorCode.GroupAuthorizationFailed, GroupId = "g" }],
    }, 5,
        "00000000" +           // throttle_time_ms 0
        "02" +                 // groups: 1
        "001E" +               //   error_code 30 GROUP_AUTHORIZATION_FAILED
        "02" + "67" +          //   group_id "g"
        "01" +                 //   group_state ""
        "01" +                 //   protocol_type ""
        "01" +                 //   protocol_data ""
        "01" +                 //   members: 0
        "80000000" +           //   authorized_operations int.MinValue (the spec default)
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
