using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class OffsetDeleteCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 0);

    private static OffsetDeleteRequest Request() => new()
    {
        GroupId = "orders-group",
        Topics =
        [
            new() { Name = "orders", Partitions = [new() { PartitionIndex = 0 }, new() { PartitionIndex = 3 }] },
            new() { Name = "payments", Partitions = [] },
        ],
    };

    private static OffsetDeleteResponse Response() => new()
    {
        ErrorCode = ErrorCode.None,
        ThrottleTimeMs = 250,
        Topics =
        [
            new()
            {
                Name = "orders",
                Partitions = [new() { PartitionIndex = 0 }, new() { PartitionIndex = 3, ErrorCode = ErrorCode.GroupSubscribedToTopic }],
            },
            new() { Name = "payments", Partitions = [] },
        ],
    };

    // Only v0 exists, so the sample with every field is the expected one.
    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(), Request(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(), Response(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(), version);

    [Fact]
    public void Request_v0_golden_bytes() => Golden(new OffsetDeleteRequest
    {
        GroupId = "g",
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0 }, new() { PartitionIndex = 1 }] }],
    }, 0,
        "0001" + "67" +                // group_id "g"
        "00000001" +                   // topics: 1
        "0001" + "74" +                //   name "t"
        "00000002" +                   //   partitions: 2
        "00000000" +                   //     partition_index 0
        "00000001");                   //     partition_index 1

    [Fact]
    public void Response_v0_golden_bytes_put_the_error_before_the_throttle_time() => Golden(new OffsetDeleteResponse
    {
        ErrorCode = ErrorCode.GroupIdNotFound,
        ThrottleTimeMs = 100,
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, ErrorCode = ErrorCode.GroupSubscribedToTopic }] }],
    }, 0,
        "0045" +                       // error_code 69 GROUP_ID_NOT_FOUND
        "00000064" +                   // throttle_time_ms 100
        "00000001" +                   // topics: 1
        "0001" + "74" +                //   name "t"
        "00000001" +                   //   partitions: 1
        "00000000" +                   //     partition_index 0
        "0056");                       //     error_code 86 GROUP_SUBSCRIBED_TO_TOPIC
}
