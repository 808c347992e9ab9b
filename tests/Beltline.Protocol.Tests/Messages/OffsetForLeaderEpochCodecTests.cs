using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class OffsetForLeaderEpochCodecTests
{
    // v1 requests are byte-for-byte v0, v3 responses v2; they are covered because ApiSpec serves them.
    public static TheoryData<short> AllVersions => Versions(0, 4);

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static OffsetForLeaderEpochRequest Request(short? version) => new()
    {
        ReplicaId = Has(version, 3) ? -1 : -2,
        Topics =
        [
            new()
            {
                Topic = "orders",
                Partitions =
                [
                    new() { Partition = 0, CurrentLeaderEpoch = Has(version, 2) ? 9 : -1, LeaderEpoch = 7 },
                    new() { Partition = 3, LeaderEpoch = 0 },
                ],
            },
            new() { Topic = "payments", Partitions = [] },
        ],
    };

    private static OffsetForLeaderEpochResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 2) ? 250 : 0,
        Topics =
        [
            new()
            {
                Topic = "orders",
                Partitions =
                [
                    new() { Partition = 0, LeaderEpoch = Has(version, 1) ? 6 : -1, EndOffset = 1_000 },
                    new() { ErrorCode = ErrorCode.FencedLeaderEpoch, Partition = 3 },
                ],
            },
            new() { Topic = "payments", Partitions = [] },
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

    // --- Golden bytes of a small message at every version, to pin where each field starts to appear.

    private const string Topic = "00000001" + "0001" + "74" + "00000001"; // topics: 1, topic "t", partitions: 1

    [Theory]
    [InlineData(0, Topic + "00000000" + "00000003")]                               // [topics => topic [partition leader_epoch]]
    [InlineData(1, Topic + "00000000" + "00000003")]
    [InlineData(2, Topic + "00000000" + "00000004" + "00000003")]                  // partitions + current_leader_epoch
    [InlineData(3, "00000001" + Topic + "00000000" + "00000004" + "00000003")]     // + replica_id
    [InlineData(4, "00000001" + "02" + "02" + "74" + "02" + "00000000" + "00000004" + "00000003" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    public void Request_layout_at_each_version(short version, string hex) => Golden(new OffsetForLeaderEpochRequest
    {
        ReplicaId = version >= 3 ? 1 : -2,
        Topics = [new() { Topic = "t", Partitions = [new() { Partition = 0, CurrentLeaderEpoch = version >= 2 ? 4 : -1, LeaderEpoch = 3 }] }],
    }, version, hex);

    [Theory]
    [InlineData(0, Topic + "0000" + "00000000" + "000000000000002A")]                  // [topics => topic [error_code partition end_offset]]
    [InlineData(1, Topic + "0000" + "00000000" + "00000003" + "000000000000002A")]     // partitions + leader_epoch
    [InlineData(2, "00000064" + Topic + "0000" + "00000000" + "00000003" + "000000000000002A")] // + throttle_time_ms
    [InlineData(3, "00000064" + Topic + "0000" + "00000000" + "00000003" + "000000000000002A")]
    [InlineData(4, "00000064" + "02" + "02" + "74" + "02" + "0000" + "00000000" + "00000003" + "000000000000002A" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    public void Response_layout_at_each_version(short version, string hex) => Golden(new OffsetForLeaderEpochResponse
    {
        ThrottleTimeMs = version >= 2 ? 100 : 0,
        Topics = [new() { Topic = "t", Partitions = [new() { Partition = 0, LeaderEpoch = version >= 1 ? 3 : -1, EndOffset = 42 }] }],
    }, version, hex);

    [Fact]
    public void Request_v4_golden_bytes() => Golden(new OffsetForLeaderEpochRequest
    {
        ReplicaId = -1,
        Topics = [new() { Topic = "t", Partitions = [new() { Partition = 2, CurrentLeaderEpoch = 5, LeaderEpoch = 4 }] }],
    }, 4,
        "FFFFFFFF" +                   // replica_id -1 (a consumer)
        "02" +                         // topics: 1 (COMPACT_ARRAY, n + 1)
        "02" + "74" +                  //   topic "t" (COMPACT_STRING)
        "02" +                         //   partitions: 1
        "00000002" +                   //     partition 2
        "00000005" +                   //     current_leader_epoch 5
        "00000004" +                   //     leader_epoch 4
        "00" +                         //     TAG_BUFFER
        "00" +                         //   TAG_BUFFER
        "00");                         // TAG_BUFFER

    [Fact]
    public void Response_v4_golden_bytes() => Golden(new OffsetForLeaderEpochResponse
    {
        ThrottleTimeMs = 100,
        Topics = [new() { Topic = "t", Partitions = [new() { ErrorCode = ErrorCode.FencedLeaderEpoch, Partition = 2, LeaderEpoch = -1, EndOffset = -1 }] }],
    }, 4,
        "00000064" +                   // throttle_time_ms 100
        "02" +                         // topics: 1
        "02" + "74" +                  //   topic "t"
        "02" +                         //   partitions: 1
        "004A" +                       //     error_code 74 FENCED_LEADER_EPOCH (first, before partition)
        "00000002" +                   //     partition 2
        "FFFFFFFF" +                   //     leader_epoch -1
        "FFFFFFFFFFFFFFFF" +           //     end_offset -1
        "00" +                         //     TAG_BUFFER
        "00" +                         //   TAG_BUFFER
        "00");                         // TAG_BUFFER

    [Fact]
    public void Defaults_match_the_spec()
    {
        Assert.Equal(-2, new OffsetForLeaderEpochRequest().ReplicaId);
        Assert.Equal(-1, new OffsetForLeaderEpochRequest.OffsetForLeaderPartition().CurrentLeaderEpoch);
        var partition = new OffsetForLeaderEpochResponse.EpochEndOffset();
        Assert.Equal(-1, partition.LeaderEpoch);
        Assert.Equal(-1, partition.EndOffset);
    }
}
