using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class ConsumerGroupHeartbeatCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 1);

    private static readonly KafkaUuid TopicId = KafkaUuid.Parse("AAAAAAAAAAAAAAAAAAAAAQ");

    private static ConsumerGroupHeartbeatRequest Request(short? version) => new()
    {
        GroupId = "g",
        MemberId = "m",
        MemberEpoch = 3,
        InstanceId = "i",
        RackId = null,
        RebalanceTimeoutMs = 30000,
        SubscribedTopicNames = ["orders", "clicks"],
        SubscribedTopicRegex = Has(version, 1) ? "click.*" : null,
        ServerAssignor = "uniform",
        OwnedTopicPartitions = [new() { TopicId = TopicId, Partitions = [0, 2] }],
    };

    private static ConsumerGroupHeartbeatResponse Response() => new()
    {
        ThrottleTimeMs = 5,
        ErrorCode = ErrorCode.UnsupportedVersion,
        ErrorMessage = "classic only",
        MemberId = "m",
        MemberEpoch = 4,
        HeartbeatIntervalMs = 5000,
        Assignment = [new() { TopicId = TopicId, Partitions = [1] }],
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(), Response(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(), version);

    [Theory]
    [InlineData(0, "02" + "67" + "01" + "00000000" + "00" + "00" + "FFFFFFFF" + "00" + "00" + "00" + "00")]
    [InlineData(1, "02" + "67" + "01" + "00000000" + "00" + "00" + "FFFFFFFF" + "00" + "00" + "00" + "00" + "00")] // + subscribed_topic_regex
    public void Request_layout_at_each_version(short version, string hex) => Golden(new ConsumerGroupHeartbeatRequest
    {
        GroupId = "g",              // group_id "g"
        MemberId = "",              // member_id ""
                                    // member_epoch 0, instance_id null, rack_id null, rebalance_timeout_ms -1,
                                    // subscribed_topic_names null, (v1: regex null), server_assignor null,
                                    // topic_partitions null, TAG_BUFFER
    }, version, hex);

    [Fact]
    public void Response_with_a_null_assignment_golden_bytes() => Golden(new ConsumerGroupHeartbeatResponse
    {
        ErrorCode = ErrorCode.UnsupportedVersion,
        ErrorMessage = "x",
    }, 0,
        "00000000" +   // throttle_time_ms 0
        "0023" +       // error_code 35 UNSUPPORTED_VERSION
        "02" + "78" +  // error_message "x"
        "00" +         // member_id null
        "00000000" +   // member_epoch 0
        "00000000" +   // heartbeat_interval_ms 0
        "FF" +         // assignment null
        "00");         // TAG_BUFFER

    [Fact]
    public void Response_with_an_assignment_golden_bytes() => Golden(new ConsumerGroupHeartbeatResponse
    {
        Assignment = [new() { TopicId = TopicId, Partitions = [7] }],
    }, 0,
        "00000000" + "0000" + "00" + "00" + "00000000" + "00000000" +
        "01" +                                   // assignment present
        "02" +                                   // [topic_partitions] of 1
        "00000000000000000000000000000001" +     // topic_id
        "02" + "00000007" +                      // [partitions] [7]
        "00" +                                   // topic_partitions TAG_BUFFER
        "00" +                                   // assignment TAG_BUFFER
        "00");                                   // TAG_BUFFER
}
