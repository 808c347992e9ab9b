using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class DeleteRecordsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 2);

    // Every field exists in every version.
    private static DeleteRecordsRequest Request() => new()
    {
        Topics =
        [
            new() { Name = "orders", Partitions = [new() { PartitionIndex = 0, Offset = 1_000_000_000_000 }, new() { PartitionIndex = 3, Offset = -1 }] },
            new() { Name = "payments", Partitions = [new() { PartitionIndex = 1, Offset = 42 }] },
        ],
        TimeoutMs = 30000,
    };

    private static DeleteRecordsResponse Response() => new()
    {
        ThrottleTimeMs = 250,
        Topics =
        [
            new()
            {
                Name = "orders",
                Partitions =
                [
                    new() { PartitionIndex = 0, LowWatermark = 1_000_000_000_000 },
                    new() { PartitionIndex = 3, LowWatermark = -1, ErrorCode = ErrorCode.NotLeaderOrFollower },
                ],
            },
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

    private static DeleteRecordsRequest GoldenRequest() => new()
    {
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 1, Offset = 256 }] }],
        TimeoutMs = 5000,
    };

    private static DeleteRecordsResponse GoldenResponse() => new()
    {
        ThrottleTimeMs = 100,
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 1, LowWatermark = 256, ErrorCode = ErrorCode.OffsetOutOfRange }] }],
    };

    [Fact]
    public void Request_v1_golden_bytes() => Golden(GoldenRequest(), 1,
        "00000001" +           // topics: 1
        "0001" + "74" +        //   name "t"
        "00000001" +           //   partitions: 1
        "00000001" +           //     partition_index 1
        "0000000000000100" +   //     offset 256
        "00001388");           // timeout_ms 5000

    [Fact]
    public void Request_v2_golden_bytes() => Golden(GoldenRequest(), 2,
        "02" +                 // topics: 1
        "02" + "74" +          //   name "t"
        "02" +                 //   partitions: 1
        "00000001" +           //     partition_index 1
        "0000000000000100" +   //     offset 256
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00001388" +           // timeout_ms 5000
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v1_golden_bytes() => Golden(GoldenResponse(), 1,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // topics: 1
        "0001" + "74" +        //   name "t"
        "00000001" +           //   partitions: 1
        "00000001" +           //     partition_index 1
        "0000000000000100" +   //     low_watermark 256
        "0001");               //     error_code 1 OFFSET_OUT_OF_RANGE

    [Fact]
    public void Response_v2_golden_bytes() => Golden(GoldenResponse(), 2,
        "00000064" +           // throttle_time_ms 100
        "02" +                 // topics: 1
        "02" + "74" +          //   name "t"
        "02" +                 //   partitions: 1
        "00000001" +           //     partition_index 1
        "0000000000000100" +   //     low_watermark 256
        "0001" +               //     error_code 1
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
