using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class OffsetCommitCodecTests
{
    // v3 and v4 are byte-for-byte v2, v9 is v8; they are covered because ApiSpec serves them.
    public static TheoryData<short> AllVersions => Versions(0, 9);

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static OffsetCommitRequest Request(short? version) => new()
    {
        GroupId = "orders-group",
        GenerationIdOrMemberEpoch = Has(version, 1) ? 5 : -1,
        MemberId = Has(version, 1) ? "member-1" : "",
        GroupInstanceId = Has(version, 7) ? "instance-1" : null,
        RetentionTimeMs = Has(version, 2, 4) ? 86_400_000 : -1,
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
                        CommittedOffset = 100,
                        CommittedLeaderEpoch = Has(version, 6) ? 7 : -1,
                        CommitTimestamp = Has(version, 1, 1) ? 1_700_000_000_000 : -1,
                        CommittedMetadata = "checkpoint",
                    },
                    new() { PartitionIndex = 3, CommittedOffset = 0, CommittedMetadata = null },
                ],
            },
            new() { Name = "payments", Partitions = [] },
        ],
    };

    private static OffsetCommitResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 3) ? 250 : 0,
        Topics =
        [
            new()
            {
                Name = "orders",
                Partitions = [new() { PartitionIndex = 0 }, new() { PartitionIndex = 3, ErrorCode = ErrorCode.OffsetMetadataTooLarge }],
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

    // --- Golden bytes of a small message at every version, to pin where each field starts (and stops) to appear.

    private static OffsetCommitRequest GoldenRequest(short version) => new()
    {
        GroupId = "g",
        GenerationIdOrMemberEpoch = version >= 1 ? 1 : -1,
        MemberId = version >= 1 ? "m" : "",
        GroupInstanceId = version >= 7 ? "i" : null,
        RetentionTimeMs = version is >= 2 and <= 4 ? 1000 : -1,
        Topics =
        [
            new()
            {
                Name = "t",
                Partitions =
                [
                    new()
                    {
                        PartitionIndex = 0,
                        CommittedOffset = 5,
                        CommittedLeaderEpoch = version >= 6 ? 2 : -1,
                        CommitTimestamp = version == 1 ? 1000 : -1,
                        CommittedMetadata = null,
                    },
                ],
            },
        ],
    };

    private const string Group = "0001" + "67";                      // group_id "g"
    private const string Member = "00000001" + "0001" + "6D";        // generation_id_or_member_epoch 1, member_id "m"
    private const string Topic = "00000001" + "0001" + "74" + "00000001"; // topics: 1, name "t", partitions: 1
    private const string Offset = "00000000" + "0000000000000005";   // partition_index 0, committed_offset 5

    [Theory]
    [InlineData(0, Group + Topic + Offset + "FFFF")]                                   // group_id [topics => name [partition_index committed_offset committed_metadata]]
    [InlineData(1, Group + Member + Topic + Offset + "00000000000003E8" + "FFFF")]     // + generation, member_id; partitions + commit_timestamp
    [InlineData(2, Group + Member + "00000000000003E8" + Topic + Offset + "FFFF")]     // + retention_time_ms; - commit_timestamp
    [InlineData(3, Group + Member + "00000000000003E8" + Topic + Offset + "FFFF")]
    [InlineData(4, Group + Member + "00000000000003E8" + Topic + Offset + "FFFF")]
    [InlineData(5, Group + Member + Topic + Offset + "FFFF")]                          // - retention_time_ms
    [InlineData(6, Group + Member + Topic + Offset + "00000002" + "FFFF")]             // partitions + committed_leader_epoch
    [InlineData(7, Group + Member + "0001" + "69" + Topic + Offset + "00000002" + "FFFF")] // + group_instance_id
    [InlineData(8, "02" + "67" + "00000001" + "02" + "6D" + "02" + "69" + "02" + "02" + "74" + "02" + Offset + "00000002" + "00" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    [InlineData(9, "02" + "67" + "00000001" + "02" + "6D" + "02" + "69" + "02" + "02" + "74" + "02" + Offset + "00000002" + "00" + "00" + "00" + "00")]
    public void Request_layout_at_each_version(short version, string hex) => Golden(GoldenRequest(version), version, hex);

    [Theory]
    [InlineData(0, "00000001" + "0001" + "74" + "00000001" + "00000000" + "0016")] // [topics => name [partition_index error_code]]
    [InlineData(2, "00000001" + "0001" + "74" + "00000001" + "00000000" + "0016")]
    [InlineData(3, "00000064" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "0016")] // + throttle_time_ms
    [InlineData(7, "00000064" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "0016")]
    [InlineData(8, "00000064" + "02" + "02" + "74" + "02" + "00000000" + "0016" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    [InlineData(9, "00000064" + "02" + "02" + "74" + "02" + "00000000" + "0016" + "00" + "00" + "00")]
    public void Response_layout_at_each_version(short version, string hex) => Golden(new OffsetCommitResponse
    {
        ThrottleTimeMs = version >= 3 ? 100 : 0,
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, ErrorCode = ErrorCode.IllegalGeneration }] }],
    }, version, hex);

    [Fact]
    public void Request_v1_golden_bytes_carry_the_commit_timestamp() => Golden(new OffsetCommitRequest
    {
        GroupId = "g",
        GenerationIdOrMemberEpoch = 3,
        MemberId = "m",
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 1, CommittedOffset = 42, CommitTimestamp = 1000, CommittedMetadata = "x" }] }],
    }, 1,
        "0001" + "67" +                // group_id "g"
        "00000003" +                   // generation_id_or_member_epoch 3
        "0001" + "6D" +                // member_id "m"
        "00000001" +                   // topics: 1
        "0001" + "74" +                //   name "t"
        "00000001" +                   //   partitions: 1
        "00000001" +                   //     partition_index 1
        "000000000000002A" +           //     committed_offset 42
        "00000000000003E8" +           //     commit_timestamp 1000
        "0001" + "78");                //     committed_metadata "x"

    [Fact]
    public void Request_v8_golden_bytes_are_compact() => Golden(new OffsetCommitRequest
    {
        GroupId = "g",
        GenerationIdOrMemberEpoch = 3,
        MemberId = "m",
        GroupInstanceId = null,
        Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 1, CommittedOffset = 42, CommittedLeaderEpoch = 2, CommittedMetadata = "" }] }],
    }, 8,
        "02" + "67" +                  // group_id "g" (COMPACT_STRING)
        "00000003" +                   // generation_id_or_member_epoch 3
        "02" + "6D" +                  // member_id "m"
        "00" +                         // group_instance_id null (COMPACT_NULLABLE_STRING)
        "02" +                         // topics: 1 (COMPACT_ARRAY, n + 1)
        "02" + "74" +                  //   name "t"
        "02" +                         //   partitions: 1
        "00000001" +                   //     partition_index 1
        "000000000000002A" +           //     committed_offset 42
        "00000002" +                   //     committed_leader_epoch 2
        "01" +                         //     committed_metadata "" (not null)
        "00" +                         //     TAG_BUFFER
        "00" +                         //   TAG_BUFFER
        "00");                         // TAG_BUFFER

    [Fact]
    public void Request_v8_skips_unknown_tagged_fields()
    {
        var request = KafkaCodec.Deserialize<OffsetCommitRequest>(Convert.FromHexString(
            "02" + "67" + "00000003" + "02" + "6D" + "00" + "01" + // group_id, generation, member_id, group_instance_id, topics: 0
            "02" + "00" + "01" + "FF" + "07" + "02" + "AABB"), 8); // TAG_BUFFER: 2 fields, tag 0 (1 byte), tag 7 (2 bytes): both unknown
        Assert.Equal("g", request.GroupId);
        Assert.Equal(3, request.GenerationIdOrMemberEpoch);
        Assert.Empty(request.Topics);
    }

    [Fact]
    public void Defaults_match_the_spec()
    {
        var request = new OffsetCommitRequest();
        Assert.Equal(-1, request.GenerationIdOrMemberEpoch);
        Assert.Equal(-1, request.RetentionTimeMs);
        Assert.Null(request.GroupInstanceId);
        var partition = new OffsetCommitRequest.Partition();
        Assert.Equal(-1, partition.CommittedLeaderEpoch);
        Assert.Equal(-1, partition.CommitTimestamp);
    }
}
