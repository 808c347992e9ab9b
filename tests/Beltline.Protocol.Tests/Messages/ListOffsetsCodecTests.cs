using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class ListOffsetsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 8);

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static ListOffsetsRequest Request(short? version) => new()
    {
        ReplicaId = 2,
        IsolationLevel = Has(version, 2) ? (sbyte)1 : (sbyte)0,
        Topics =
        [
            new()
            {
                Name = "orders",
                Partitions =
                [
                    new()
                    {
                        PartitionIndex = 0,
                        CurrentLeaderEpoch = Has(version, 4) ? 7 : -1,
                        Timestamp = ListOffsetsRequest.EarliestTimestamp,
                        MaxNumOffsets = Has(version, 0, 0) ? 5 : 1,
                    },
                    new() { PartitionIndex = 4, Timestamp = 1_700_000_000_000, MaxNumOffsets = Has(version, 0, 0) ? 3 : 1 },
                ],
            },
            new() { Name = "payments", Partitions = [new() { PartitionIndex = 1, Timestamp = ListOffsetsRequest.MaxTimestamp }] },
        ],
    };

    private static ListOffsetsResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 2) ? 250 : 0,
        Topics =
        [
            new()
            {
                Name = "orders",
                Partitions =
                [
                    new()
                    {
                        PartitionIndex = 0,
                        OldStyleOffsets = Has(version, 0, 0) ? [100, 50, 0] : [],
                        Timestamp = Has(version, 1) ? 1_700_000_000_000 : -1,
                        Offset = Has(version, 1) ? 100 : -1,
                        LeaderEpoch = Has(version, 4) ? 7 : -1,
                    },
                    new() { PartitionIndex = 4, ErrorCode = ErrorCode.FencedLeaderEpoch },
                ],
            },
            new() { Name = "payments", Partitions = [] },
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

    // --- Golden bytes of a small default message at every version, to pin where each field starts to appear.

    private const string Topic = "00000001" + "0001" + "74" + "00000001"; // topics: 1, name "t", partitions: 1

    [Theory]
    [InlineData(0, "FFFFFFFF" + Topic + "00000000" + "FFFFFFFFFFFFFFFF" + "00000001")] // replica_id [topics => name [partition_index timestamp max_num_offsets]]
    [InlineData(1, "FFFFFFFF" + Topic + "00000000" + "FFFFFFFFFFFFFFFF")]              // - max_num_offsets
    [InlineData(2, "FFFFFFFF" + "00" + Topic + "00000000" + "FFFFFFFFFFFFFFFF")]       // + isolation_level
    [InlineData(3, "FFFFFFFF" + "00" + Topic + "00000000" + "FFFFFFFFFFFFFFFF")]
    [InlineData(4, "FFFFFFFF" + "00" + Topic + "00000000" + "FFFFFFFF" + "FFFFFFFFFFFFFFFF")] // + current_leader_epoch
    [InlineData(5, "FFFFFFFF" + "00" + Topic + "00000000" + "FFFFFFFF" + "FFFFFFFFFFFFFFFF")]
    [InlineData(6, "FFFFFFFF" + "00" + "02" + "0274" + "02" + "00000000" + "FFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    [InlineData(8, "FFFFFFFF" + "00" + "02" + "0274" + "02" + "00000000" + "FFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00" + "00" + "00")]
    public void Request_layout_at_each_version(short version, string hex) =>
        Golden(new ListOffsetsRequest { Topics = [new() { Name = "t", Partitions = [new() { Timestamp = ListOffsetsRequest.LatestTimestamp }] }] }, version, hex);

    [Theory]
    [InlineData(0, Topic + "00000000" + "0000" + "00000000")]                                          // [topics => name [partition_index error_code [old_style_offsets]]]
    [InlineData(1, Topic + "00000000" + "0000" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF")]              // timestamp offset instead
    [InlineData(2, "00000000" + Topic + "00000000" + "0000" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF")] // + throttle_time_ms
    [InlineData(4, "00000000" + Topic + "00000000" + "0000" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFF")] // + leader_epoch
    [InlineData(5, "00000000" + Topic + "00000000" + "0000" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFF")]
    [InlineData(6, "00000000" + "02" + "0274" + "02" + "00000000" + "0000" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFF" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    [InlineData(8, "00000000" + "02" + "0274" + "02" + "00000000" + "0000" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFF" + "00" + "00" + "00")]
    public void Response_layout_at_each_version(short version, string hex) =>
        Golden(new ListOffsetsResponse { Topics = [new() { Name = "t", Partitions = [new()] }] }, version, hex);

    // --- Golden bytes with every field set, written out field by field.

    [Fact]
    public void Request_v0_golden_bytes_ask_for_several_offsets() => Golden(new ListOffsetsRequest
    {
        ReplicaId = -1,
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 1, Timestamp = ListOffsetsRequest.LatestTimestamp, MaxNumOffsets = 5 }] }],
    }, 0,
        "FFFFFFFF" +           // replica_id -1 (a consumer)
        "00000001" +           // topics: 1
        "0001" + "74" +        //   name "t"
        "00000001" +           //   partitions: 1
        "00000001" +           //     partition_index 1
        "FFFFFFFFFFFFFFFF" +   //     timestamp -1 (latest)
        "00000005");           //     max_num_offsets 5

    [Fact]
    public void Response_v0_golden_bytes_carry_old_style_offsets() => Golden(new ListOffsetsResponse
    {
        Topics =
        [
            new()
            {
                Name = "t",
                Partitions =
                [
                    new() { PartitionIndex = 1, OldStyleOffsets = [10, 0] },
                    new() { PartitionIndex = 2, ErrorCode = ErrorCode.UnknownTopicOrPartition, OldStyleOffsets = [] },
                ],
            },
        ],
    }, 0,
        "00000001" +           // topics: 1
        "0001" + "74" +        //   name "t"
        "00000002" +           //   partitions: 2
        "00000001" +           //     partition_index 1
        "0000" +               //     error_code 0
        "00000002" +           //     old_style_offsets: 2 (INT32 count)
        "000000000000000A" +   //       10
        "0000000000000000" +   //       0
        "00000002" +           //     partition_index 2
        "0003" +               //     error_code 3 UNKNOWN_TOPIC_OR_PARTITION
        "00000000");           //     old_style_offsets: 0

    [Fact]
    public void Response_v0_rejects_more_offsets_than_bytes() =>
        Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Deserialize<ListOffsetsResponse>(Convert.FromHexString(
            "00000001" + "0001" + "74" + "00000001" + "00000001" + "0000" + "7FFFFFFF" + "000000000000000A"), 0)); // count 2^31-1, one offset

    private static ListOffsetsRequest GoldenRequest(long timestamp) => new()
    {
        ReplicaId = -1,
        IsolationLevel = 1,
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, CurrentLeaderEpoch = 3, Timestamp = timestamp }] }],
    };

    private static readonly ListOffsetsResponse GoldenResponse = new()
    {
        ThrottleTimeMs = 100,
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, Timestamp = 1000, Offset = 10, LeaderEpoch = 3 }] }],
    };

    [Fact]
    public void Request_v5_golden_bytes_last_non_flexible() => Golden(GoldenRequest(ListOffsetsRequest.EarliestTimestamp), 5,
        "FFFFFFFF" +           // replica_id -1
        "01" +                 // isolation_level READ_COMMITTED
        "00000001" +           // topics: 1
        "0001" + "74" +        //   name "t"
        "00000001" +           //   partitions: 1
        "00000000" +           //     partition_index 0
        "00000003" +           //     current_leader_epoch 3
        "FFFFFFFFFFFFFFFE");   //     timestamp -2 (earliest)

    [Fact]
    public void Request_v6_golden_bytes_first_flexible() => Golden(GoldenRequest(ListOffsetsRequest.EarliestTimestamp), 6,
        "FFFFFFFF" +           // replica_id -1
        "01" +                 // isolation_level
        "02" +                 // topics: 1 (count + 1)
        "02" + "74" +          //   name "t" (length + 1)
        "02" +                 //   partitions: 1
        "00000000" +           //     partition_index 0
        "00000003" +           //     current_leader_epoch 3
        "FFFFFFFFFFFFFFFE" +   //     timestamp -2
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v7_golden_bytes_ask_for_the_max_timestamp() => Golden(GoldenRequest(ListOffsetsRequest.MaxTimestamp), 7,
        "FFFFFFFF" + "01" +    // replica_id -1, isolation_level
        "02" + "0274" + "02" + // topics: ["t", partitions: 1
        "00000000" +           //     partition_index 0
        "00000003" +           //     current_leader_epoch 3
        "FFFFFFFFFFFFFFFD" +   //     timestamp -3 (max timestamp, KIP-734)
        "00" + "00" + "00");   // TAG_BUFFERs

    [Fact]
    public void Request_v8_golden_bytes_ask_for_the_earliest_local_offset() => Golden(GoldenRequest(ListOffsetsRequest.EarliestLocalTimestamp), 8,
        "FFFFFFFF" + "01" + "02" + "0274" + "02" + "00000000" + "00000003" +
        "FFFFFFFFFFFFFFFC" +   //     timestamp -4 (earliest local, KIP-405)
        "00" + "00" + "00");

    [Fact]
    public void Response_v5_golden_bytes_last_non_flexible() => Golden(GoldenResponse, 5,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // topics: 1
        "0001" + "74" +        //   name "t"
        "00000001" +           //   partitions: 1
        "00000000" +           //     partition_index 0
        "0000" +               //     error_code 0
        "00000000000003E8" +   //     timestamp 1000
        "000000000000000A" +   //     offset 10
        "00000003");           //     leader_epoch 3

    [Fact]
    public void Response_v6_golden_bytes_first_flexible() => Golden(GoldenResponse, 6,
        "00000064" +           // throttle_time_ms 100
        "02" +                 // topics: 1
        "02" + "74" +          //   name "t"
        "02" +                 //   partitions: 1
        "00000000" +           //     partition_index 0
        "0000" +               //     error_code 0
        "00000000000003E8" +   //     timestamp 1000
        "000000000000000A" +   //     offset 10
        "00000003" +           //     leader_epoch 3
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v7_golden_bytes() => Golden(GoldenResponse, 7,
        "00000064" + "02" + "0274" + "02" + "00000000" + "0000" + "00000000000003E8" + "000000000000000A" + "00000003" + "00" + "00" + "00");

    [Fact]
    public void Flexible_request_skips_unknown_tags()
    {
        var request = KafkaCodec.Deserialize<ListOffsetsRequest>(Convert.FromHexString(
            "FFFFFFFF" + "00" + "02" + "0274" + "02" + "00000000" + "FFFFFFFF" + "FFFFFFFFFFFFFFFF" +
            "01" + "00" + "02" + "ABCD" + // partition TAG_BUFFER: tag 0, 2 bytes
            "00" + "01" + "02" + "00"), 6); // topic TAG_BUFFER; TAG_BUFFER: tag 2, 0 bytes
        var partition = Assert.Single(Assert.Single(request.Topics).Partitions);
        Assert.Equal(ListOffsetsRequest.LatestTimestamp, partition.Timestamp);
    }
}
