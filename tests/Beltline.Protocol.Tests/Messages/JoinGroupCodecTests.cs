using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class JoinGroupCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 9);

    private static readonly byte[] RangeSubscription = [0x00, 0x03, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] StickySubscription = [0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0xFF];

    private static JoinGroupRequest Request(short? version) => new()
    {
        GroupId = "orders-group",
        SessionTimeoutMs = 45000,
        RebalanceTimeoutMs = Has(version, 1) ? 300000 : -1,
        MemberId = "consumer-1-abc",
        GroupInstanceId = Has(version, 5) ? "instance-1" : null,
        ProtocolType = "consumer",
        Protocols =
        [
            new() { Name = "range", Metadata = RangeSubscription },
            new() { Name = "cooperative-sticky", Metadata = StickySubscription },
        ],
        Reason = Has(version, 8) ? "rebalance needed" : null,
    };

    private static JoinGroupResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 2) ? 250 : 0,
        ErrorCode = ErrorCode.MemberIdRequired,
        GenerationId = 7,
        ProtocolType = Has(version, 7) ? "consumer" : null,
        ProtocolName = "range",
        Leader = "consumer-1-abc",
        SkipAssignment = Has(version, 9),
        MemberId = "consumer-2-def",
        Members =
        [
            new() { MemberId = "consumer-1-abc", GroupInstanceId = Has(version, 5) ? "instance-1" : null, Metadata = RangeSubscription },
            new() { MemberId = "consumer-2-def", Metadata = StickySubscription },
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

    [Fact]
    public void Response_v7_round_trips_a_null_protocol_name()
    {
        var response = new JoinGroupResponse { ErrorCode = ErrorCode.UnknownMemberId, ProtocolName = null };
        RoundTrips(response, response, 7);
    }

    [Fact]
    public void Response_before_v7_refuses_to_write_a_null_protocol_name()
    {
        var response = new JoinGroupResponse { ErrorCode = ErrorCode.UnknownMemberId, ProtocolName = null };
        Assert.Throws<InvalidOperationException>(() => KafkaCodec.Serialize(response, 6));
    }

    [Fact]
    public void Request_v6_skips_unknown_tagged_fields()
    {
        var request = KafkaCodec.Deserialize<JoinGroupRequest>(Convert.FromHexString(
            "02" + "67" +          // group_id "g"
            "00002710" +           // session_timeout_ms 10000
            "00007530" +           // rebalance_timeout_ms 30000
            "01" +                 // member_id ""
            "00" +                 // group_instance_id null
            "02" + "63" +          // protocol_type "c"
            "02" +                 // protocols: 1
            "02" + "72" +          //   name "r"
            "02" + "AB" +          //   metadata [AB]
            "01" + "07" + "01" + "EE" + // TAG_BUFFER: tag 7, 1 byte, unknown
            "01" + "05" + "02" + "EEEE"), 6); // TAG_BUFFER: tag 5, 2 bytes, unknown
        Assert.Equal("g", request.GroupId);
        Assert.Equal("r", Assert.Single(request.Protocols).Name);
    }

    // Golden bytes at every version where the layout changes.

    [Fact]
    public void Request_v0_golden_bytes() => Golden(new JoinGroupRequest
    {
        GroupId = "g",
        SessionTimeoutMs = 10000,
        ProtocolType = "c",
        Protocols = [new() { Name = "r", Metadata = new byte[] { 0xAB } }],
    }, 0,
        "0001" + "67" +        // group_id "g"
        "00002710" +           // session_timeout_ms 10000
        "0000" +               // member_id ""
        "0001" + "63" +        // protocol_type "c"
        "00000001" +           // protocols: 1
        "0001" + "72" +        //   name "r"
        "00000001" + "AB");    //   metadata [AB]

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Request_v1_to_v4_golden_bytes_add_the_rebalance_timeout(short version) => Golden(new JoinGroupRequest
    {
        GroupId = "g",
        SessionTimeoutMs = 10000,
        RebalanceTimeoutMs = 30000,
        ProtocolType = "c",
        Protocols = [new() { Name = "r", Metadata = new byte[] { 0xAB } }],
    }, version,
        "0001" + "67" +        // group_id "g"
        "00002710" +           // session_timeout_ms 10000
        "00007530" +           // rebalance_timeout_ms 30000
        "0000" +               // member_id ""
        "0001" + "63" +        // protocol_type "c"
        "00000001" +           // protocols: 1
        "0001" + "72" +        //   name "r"
        "00000001" + "AB");    //   metadata [AB]

    [Fact]
    public void Request_v5_golden_bytes_add_the_group_instance_id() => Golden(new JoinGroupRequest
    {
        GroupId = "g",
        SessionTimeoutMs = 10000,
        RebalanceTimeoutMs = 30000,
        MemberId = "m",
        GroupInstanceId = "i",
        ProtocolType = "c",
        Protocols = [new() { Name = "r", Metadata = new byte[] { 0xAB } }],
    }, 5,
        "0001" + "67" +        // group_id "g"
        "00002710" +           // session_timeout_ms 10000
        "00007530" +           // rebalance_timeout_ms 30000
        "0001" + "6D" +        // member_id "m"
        "0001" + "69" +        // group_instance_id "i"
        "0001" + "63" +        // protocol_type "c"
        "00000001" +           // protocols: 1
        "0001" + "72" +        //   name "r"
        "00000001" + "AB");    //   metadata [AB]

    [Fact]
    public void Request_v6_golden_bytes_are_compact_with_tag_buffers() => Golden(new JoinGroupRequest
    {
        GroupId = "g",
        SessionTimeoutMs = 10000,
        RebalanceTimeoutMs = 30000,
        ProtocolType = "c",
        Protocols = [new() { Name = "r", Metadata = new byte[] { 0xAB } }],
    }, 6,
        "02" + "67" +          // group_id "g" (COMPACT_STRING)
        "00002710" +           // session_timeout_ms 10000
        "00007530" +           // rebalance_timeout_ms 30000
        "01" +                 // member_id ""
        "00" +                 // group_instance_id null (COMPACT_NULLABLE_STRING)
        "02" + "63" +          // protocol_type "c"
        "02" +                 // protocols: 1 (count + 1)
        "02" + "72" +          //   name "r"
        "02" + "AB" +          //   metadata [AB] (COMPACT_BYTES)
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public void Request_v8_v9_golden_bytes_add_the_reason(short version) => Golden(new JoinGroupRequest
    {
        GroupId = "g",
        SessionTimeoutMs = 10000,
        RebalanceTimeoutMs = 30000,
        MemberId = "m",
        GroupInstanceId = "i",
        ProtocolType = "c",
        Protocols = [new() { Name = "r", Metadata = new byte[] { 0xAB } }],
        Reason = "x",
    }, version,
        "02" + "67" +          // group_id "g"
        "00002710" +           // session_timeout_ms 10000
        "00007530" +           // rebalance_timeout_ms 30000
        "02" + "6D" +          // member_id "m"
        "02" + "69" +          // group_instance_id "i"
        "02" + "63" +          // protocol_type "c"
        "02" +                 // protocols: 1
        "02" + "72" +          //   name "r"
        "02" + "AB" +          //   metadata [AB]
        "00" +                 //   TAG_BUFFER
        "02" + "78" +          // reason "x"
        "00");                 // TAG_BUFFER

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Response_v0_v1_golden_bytes(short version) => Golden(new JoinGroupResponse
    {
        GenerationId = 1,
        ProtocolName = "r",
        Leader = "a",
        MemberId = "a",
        Members = [new() { MemberId = "a", Metadata = new byte[] { 0xAB } }],
    }, version,
        "0000" +               // error_code 0
        "00000001" +           // generation_id 1
        "0001" + "72" +        // protocol_name "r"
        "0001" + "61" +        // leader "a"
        "0001" + "61" +        // member_id "a"
        "00000001" +           // members: 1
        "0001" + "61" +        //   member_id "a"
        "00000001" + "AB");    //   metadata [AB]

    [Fact]
    public void Response_v2_golden_bytes_add_the_throttle_time() => Golden(new JoinGroupResponse
    {
        ThrottleTimeMs = 100,
        ErrorCode = ErrorCode.RebalanceInProgress,
        ProtocolName = "",
    }, 2,
        "00000064" +           // throttle_time_ms 100
        "001B" +               // error_code 27 REBALANCE_IN_PROGRESS
        "FFFFFFFF" +           // generation_id -1
        "0000" +               // protocol_name ""
        "0000" +               // leader ""
        "0000" +               // member_id ""
        "00000000");           // members: 0

    [Fact]
    public void Response_v5_golden_bytes_add_the_members_group_instance_id() => Golden(new JoinGroupResponse
    {
        ThrottleTimeMs = 100,
        GenerationId = 1,
        ProtocolName = "r",
        Leader = "a",
        MemberId = "a",
        Members = [new() { MemberId = "a", GroupInstanceId = "i", Metadata = new byte[] { 0xAB } }],
    }, 5,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00000001" +           // generation_id 1
        "0001" + "72" +        // protocol_name "r"
        "0001" + "61" +        // leader "a"
        "0001" + "61" +        // member_id "a"
        "00000001" +           // members: 1
        "0001" + "61" +        //   member_id "a"
        "0001" + "69" +        //   group_instance_id "i"
        "00000001" + "AB");    //   metadata [AB]

    [Fact]
    public void Response_v6_golden_bytes_are_compact_with_tag_buffers() => Golden(new JoinGroupResponse
    {
        ThrottleTimeMs = 100,
        GenerationId = 1,
        ProtocolName = "r",
        Leader = "a",
        MemberId = "a",
        Members = [new() { MemberId = "a", Metadata = new byte[] { 0xAB } }],
    }, 6,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00000001" +           // generation_id 1
        "02" + "72" +          // protocol_name "r" (COMPACT_STRING)
        "02" + "61" +          // leader "a"
        "02" + "61" +          // member_id "a"
        "02" +                 // members: 1 (count + 1)
        "02" + "61" +          //   member_id "a"
        "00" +                 //   group_instance_id null
        "02" + "AB" +          //   metadata [AB] (COMPACT_BYTES)
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public void Response_v7_v8_golden_bytes_add_the_protocol_type(short version) => Golden(new JoinGroupResponse
    {
        ThrottleTimeMs = 100,
        GenerationId = 1,
        ProtocolType = "c",
        ProtocolName = "r",
        Leader = "a",
        MemberId = "b",
    }, version,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00000001" +           // generation_id 1
        "02" + "63" +          // protocol_type "c"
        "02" + "72" +          // protocol_name "r"
        "02" + "61" +          // leader "a"
        "02" + "62" +          // member_id "b"
        "01" +                 // members: 0 (a follower gets none)
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v7_golden_bytes_with_a_null_protocol() => Golden(new JoinGroupResponse
    {
        ErrorCode = ErrorCode.UnknownMemberId,
        ProtocolName = null,
    }, 7,
        "00000000" +           // throttle_time_ms 0
        "0019" +               // error_code 25 UNKNOWN_MEMBER_ID
        "FFFFFFFF" +           // generation_id -1
        "00" +                 // protocol_type null
        "00" +                 // protocol_name null
        "01" +                 // leader ""
        "01" +                 // member_id ""
        "01" +                 // members: 0
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v9_golden_bytes_add_skip_assignment() => Golden(new JoinGroupResponse
    {
        ThrottleTimeMs = 100,
        GenerationId = 1,
        ProtocolType = "c",
        ProtocolName = "r",
        Leader = "a",
        SkipAssignment = true,
        MemberId = "a",
        Members = [new() { MemberId = "a", GroupInstanceId = "i", Metadata = new byte[] { 0xAB } }],
    }, 9,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00000001" +           // generation_id 1
        "02" + "63" +          // protocol_type "c"
        "02" + "72" +          // protocol_name "r"
        "02" + "61" +          // leader "a"
        "01" +                 // skip_assignment true
        "02" + "61" +          // member_id "a"
        "02" +                 // members: 1
        "02" + "61" +          //   member_id "a"
        "02" + "69" +          //   group_instance_id "i"
        "02" + "AB" +          //   metadata [AB]
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
