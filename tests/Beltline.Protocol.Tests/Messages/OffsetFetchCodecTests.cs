using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class OffsetFetchCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 9);

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static OffsetFetchRequest Request(short? version) => new()
    {
        GroupId = Has(version, 0, 7) ? "orders-group" : "",
        Topics = Has(version, 0, 7)
            ? [new() { Name = "orders", PartitionIndexes = [0, 3] }, new() { Name = "payments", PartitionIndexes = [] }]
            : [],
        Groups = Has(version, 8)
            ?
            [
                new()
                {
                    GroupId = "orders-group",
                    MemberId = Has(version, 9) ? "member-1" : null,
                    MemberEpoch = Has(version, 9) ? 12 : -1,
                    Topics = [new() { Name = "orders", PartitionIndexes = [0, 3] }],
                },
                new() { GroupId = "audit-group", Topics = null },
            ]
            : [],
        RequireStable = Has(version, 7),
    };

    private static OffsetFetchResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 3) ? 250 : 0,
        Topics = Has(version, 0, 7)
            ?
            [
                new()
                {
                    Name = "orders",
                    Partitions =
                    [
                        new() { PartitionIndex = 0, CommittedOffset = 100, CommittedLeaderEpoch = Has(version, 5, 7) ? 7 : -1, Metadata = "checkpoint" },
                        new() { PartitionIndex = 3, CommittedOffset = -1, Metadata = null, ErrorCode = ErrorCode.UnstableOffsetCommit },
                    ],
                },
                new() { Name = "payments", Partitions = [] },
            ]
            : [],
        ErrorCode = Has(version, 2, 7) ? ErrorCode.CoordinatorLoadInProgress : ErrorCode.None,
        Groups = Has(version, 8)
            ?
            [
                new()
                {
                    GroupId = "orders-group",
                    Topics =
                    [
                        new()
                        {
                            Name = "orders",
                            Partitions =
                            [
                                new() { PartitionIndex = 0, CommittedOffset = 100, CommittedLeaderEpoch = 7, Metadata = "checkpoint" },
                                new() { PartitionIndex = 3, CommittedOffset = -1, Metadata = null, ErrorCode = ErrorCode.UnstableOffsetCommit },
                            ],
                        },
                    ],
                },
                new() { GroupId = "audit-group", Topics = [], ErrorCode = ErrorCode.GroupAuthorizationFailed },
            ]
            : [],
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

    private static OffsetFetchRequest GoldenRequest(short version) => version <= 7
        ? new() { GroupId = "g", Topics = [new() { Name = "t", PartitionIndexes = [0] }], RequireStable = version >= 7 }
        : new()
        {
            Groups =
            [
                new()
                {
                    GroupId = "g",
                    MemberId = version >= 9 ? "m" : null,
                    MemberEpoch = version >= 9 ? 3 : -1,
                    Topics = [new() { Name = "t", PartitionIndexes = [0] }],
                },
            ],
            RequireStable = true,
        };

    [Theory]
    [InlineData(0, "0001" + "67" + "00000001" + "0001" + "74" + "00000001" + "00000000")] // group_id [topics => name [partition_indexes]]
    [InlineData(1, "0001" + "67" + "00000001" + "0001" + "74" + "00000001" + "00000000")]
    [InlineData(2, "0001" + "67" + "00000001" + "0001" + "74" + "00000001" + "00000000")] // topics nullable from here
    [InlineData(5, "0001" + "67" + "00000001" + "0001" + "74" + "00000001" + "00000000")]
    [InlineData(6, "02" + "67" + "02" + "02" + "74" + "02" + "00000000" + "00" + "00")]             // compact, TAG_BUFFERs
    [InlineData(7, "02" + "67" + "02" + "02" + "74" + "02" + "00000000" + "00" + "01" + "00")]      // + require_stable
    [InlineData(8, "02" + "02" + "67" + "02" + "02" + "74" + "02" + "00000000" + "00" + "00" + "01" + "00")] // [groups => group_id [topics]] require_stable
    [InlineData(9, "02" + "02" + "67" + "02" + "6D" + "00000003" + "02" + "02" + "74" + "02" + "00000000" + "00" + "00" + "01" + "00")] // groups + member_id member_epoch
    public void Request_layout_at_each_version(short version, string hex) => Golden(GoldenRequest(version), version, hex);

    private static OffsetFetchResponse GoldenResponse(short version) => version <= 7
        ? new()
        {
            ThrottleTimeMs = version >= 3 ? 100 : 0,
            Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 5, CommittedLeaderEpoch = version >= 5 ? 2 : -1, Metadata = "" }] }],
            ErrorCode = version >= 2 ? ErrorCode.NotCoordinator : ErrorCode.None,
        }
        : new()
        {
            ThrottleTimeMs = 100,
            Groups =
            [
                new()
                {
                    GroupId = "g",
                    Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 0, CommittedOffset = 5, CommittedLeaderEpoch = 2, Metadata = "" }] }],
                    ErrorCode = ErrorCode.NotCoordinator,
                },
            ],
        };

    private const string Topic = "00000001" + "0001" + "74" + "00000001"; // topics: 1, name "t", partitions: 1
    private const string Offset = "00000000" + "0000000000000005";         // partition_index 0, committed_offset 5

    [Theory]
    [InlineData(0, Topic + Offset + "0000" + "0000")]                                  // [topics => name [partition_index committed_offset metadata error_code]]
    [InlineData(1, Topic + Offset + "0000" + "0000")]
    [InlineData(2, Topic + Offset + "0000" + "0000" + "0010")]                         // + error_code (after the topics)
    [InlineData(3, "00000064" + Topic + Offset + "0000" + "0000" + "0010")]            // + throttle_time_ms
    [InlineData(4, "00000064" + Topic + Offset + "0000" + "0000" + "0010")]
    [InlineData(5, "00000064" + Topic + Offset + "00000002" + "0000" + "0000" + "0010")] // partitions + committed_leader_epoch
    [InlineData(6, "00000064" + "02" + "02" + "74" + "02" + Offset + "00000002" + "01" + "0000" + "00" + "00" + "0010" + "00")] // compact, TAG_BUFFERs
    [InlineData(7, "00000064" + "02" + "02" + "74" + "02" + Offset + "00000002" + "01" + "0000" + "00" + "00" + "0010" + "00")]
    [InlineData(8, "00000064" + "02" + "02" + "67" + "02" + "02" + "74" + "02" + Offset + "00000002" + "01" + "0000" + "00" + "00" + "0010" + "00" + "00")] // [groups]
    [InlineData(9, "00000064" + "02" + "02" + "67" + "02" + "02" + "74" + "02" + Offset + "00000002" + "01" + "0000" + "00" + "00" + "0010" + "00" + "00")]
    public void Response_layout_at_each_version(short version, string hex) => Golden(GoldenResponse(version), version, hex);

    [Fact]
    public void Request_v9_golden_bytes() => Golden(new OffsetFetchRequest
    {
        Groups = [new() { GroupId = "g", MemberId = "m", MemberEpoch = 3, Topics = [new() { Name = "t", PartitionIndexes = [0, 1] }] }],
        RequireStable = true,
    }, 9,
        "02" +                         // groups: 1 (COMPACT_ARRAY, n + 1)
        "02" + "67" +                  //   group_id "g" (COMPACT_STRING)
        "02" + "6D" +                  //   member_id "m" (COMPACT_NULLABLE_STRING)
        "00000003" +                   //   member_epoch 3
        "02" +                         //   topics: 1
        "02" + "74" +                  //     name "t"
        "03" + "00000000" + "00000001" + //   partition_indexes [0, 1]
        "00" +                         //     TAG_BUFFER
        "00" +                         //   TAG_BUFFER
        "01" +                         // require_stable true
        "00");                         // TAG_BUFFER

    [Fact]
    public void Response_v8_golden_bytes() => Golden(new OffsetFetchResponse
    {
        ThrottleTimeMs = 100,
        Groups =
        [
            new()
            {
                GroupId = "g",
                Topics = [new() { Name = "t", Partitions = [new() { PartitionIndex = 1, CommittedOffset = 42, CommittedLeaderEpoch = 2, Metadata = null, ErrorCode = ErrorCode.UnstableOffsetCommit }] }],
            },
        ],
    }, 8,
        "00000064" +                   // throttle_time_ms 100
        "02" +                         // groups: 1
        "02" + "67" +                  //   group_id "g"
        "02" +                         //   topics: 1
        "02" + "74" +                  //     name "t"
        "02" +                         //     partitions: 1
        "00000001" +                   //       partition_index 1
        "000000000000002A" +           //       committed_offset 42
        "00000002" +                   //       committed_leader_epoch 2
        "00" +                         //       metadata null
        "0058" +                       //       error_code 88 UNSTABLE_OFFSET_COMMIT
        "00" +                         //       TAG_BUFFER
        "00" +                         //     TAG_BUFFER
        "0000" +                       //   error_code 0
        "00" +                         //   TAG_BUFFER
        "00");                         // TAG_BUFFER

    // --- Null topics: "every topic the group has offsets for", from v2 (and per group from v8).

    [Theory]
    [InlineData(2, "0001" + "67" + "FFFFFFFF")]                       // group_id "g", topics null (INT32 -1)
    [InlineData(5, "0001" + "67" + "FFFFFFFF")]
    [InlineData(6, "02" + "67" + "00" + "00")]                        // topics null (compact 0), TAG_BUFFER
    [InlineData(7, "02" + "67" + "00" + "00" + "00")]                 // + require_stable false
    public void From_v2_null_topics_ask_for_all_topics(short version, string hex)
    {
        var request = new OffsetFetchRequest { GroupId = "g", Topics = null };
        Golden(request, version, hex);
        Assert.Null(KafkaCodec.Deserialize<OffsetFetchRequest>(Convert.FromHexString(hex), version).Topics);
    }

    [Theory]
    [InlineData(2, "0001" + "67" + "00000000")]
    [InlineData(6, "02" + "67" + "01" + "00")]                        // topics: 0 (compact 0 + 1)
    public void An_empty_topics_array_is_not_null(short version, string hex)
    {
        var request = KafkaCodec.Deserialize<OffsetFetchRequest>(Convert.FromHexString(hex), version);
        Assert.NotNull(request.Topics);
        Assert.Empty(request.Topics);
    }

    [Fact]
    public void Request_v8_golden_bytes_with_null_group_topics() => Golden(new OffsetFetchRequest
    {
        Groups = [new() { GroupId = "g", Topics = null }],
    }, 8,
        "02" +                         // groups: 1
        "02" + "67" +                  //   group_id "g"
        "00" +                         //   topics null
        "00" +                         //   TAG_BUFFER
        "00" +                         // require_stable false
        "00");                         // TAG_BUFFER

    [Fact]
    public void Request_v9_golden_bytes_with_null_member_and_topics() => Golden(new OffsetFetchRequest
    {
        Groups = [new() { GroupId = "g", MemberId = null, MemberEpoch = -1, Topics = null }],
    }, 9,
        "02" +                         // groups: 1
        "02" + "67" +                  //   group_id "g"
        "00" +                         //   member_id null
        "FFFFFFFF" +                   //   member_epoch -1
        "00" +                         //   topics null
        "00" +                         //   TAG_BUFFER
        "00" +                         // require_stable false
        "00");                         // TAG_BUFFER

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Before_v2_null_topics_are_refused(short version)
    {
        Assert.Throws<InvalidOperationException>(() => KafkaCodec.Serialize(new OffsetFetchRequest { GroupId = "g", Topics = null }, version));
        Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Deserialize<OffsetFetchRequest>(Convert.FromHexString("0001" + "67" + "FFFFFFFF"), version));
    }

    [Fact]
    public void Defaults_match_the_spec()
    {
        var group = new OffsetFetchRequest.Group();
        Assert.Null(group.MemberId);
        Assert.Equal(-1, group.MemberEpoch);
        Assert.Equal(-1, new OffsetFetchResponse.Partition().CommittedLeaderEpoch);
        Assert.Equal(-1, new OffsetFetchResponse.GroupPartition().CommittedLeaderEpoch);
    }
}
