using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class FetchCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 16);

    private static readonly KafkaUuid OrdersId = new(0x0102030405060708, 0x090A0B0C0D0E0F10);
    private static readonly KafkaUuid PaymentsId = new(0x1112131415161718, 0x191A1B1C1D1E1F20);
    private const string OrdersIdHex = "0102030405060708" + "090A0B0C0D0E0F10";
    private const string PaymentsIdHex = "1112131415161718" + "191A1B1C1D1E1F20";

    // Long enough that its compact length (301) takes two varint bytes.
    private static readonly byte[] Batch = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static FetchRequest Request(short? version) => new()
    {
        ClusterId = Has(version, 12) ? "cluster-x" : null,
        ReplicaId = 3, // a field to v14, the ReplicaState tag from v15
        ReplicaEpoch = Has(version, 15) ? 42 : -1,
        MaxWaitMs = 500,
        MinBytes = 1024,
        MaxBytes = Has(version, 3) ? 52428800 : int.MaxValue,
        IsolationLevel = Has(version, 4) ? (sbyte)1 : (sbyte)0,
        SessionId = Has(version, 7) ? 77 : 0,
        SessionEpoch = Has(version, 7) ? 4 : -1,
        Topics =
        [
            new()
            {
                Topic = Has(version, 0, 12) ? "orders" : "",
                TopicId = Has(version, 13) ? OrdersId : default,
                Partitions =
                [
                    new()
                    {
                        Partition = 0,
                        CurrentLeaderEpoch = Has(version, 9) ? 6 : -1,
                        FetchOffset = 1234,
                        LastFetchedEpoch = Has(version, 12) ? 5 : -1,
                        LogStartOffset = Has(version, 5) ? 100 : -1,
                        PartitionMaxBytes = 1048576,
                    },
                    new() { Partition = 7, FetchOffset = 0x1_0000_0000, PartitionMaxBytes = 65536 },
                ],
            },
            new()
            {
                Topic = Has(version, 0, 12) ? "payments" : "",
                TopicId = Has(version, 13) ? PaymentsId : default,
                Partitions = [new() { Partition = 2, FetchOffset = 9, PartitionMaxBytes = 1 }],
            },
        ],
        ForgottenTopics = Has(version, 7)
            ? [new() { Topic = Has(version, 7, 12) ? "payments" : "", TopicId = Has(version, 13) ? PaymentsId : default, Partitions = [1, 3] }]
            : [],
        RackId = Has(version, 11) ? "rack-a" : "",
    };

    private static FetchResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
        ErrorCode = Has(version, 7) ? ErrorCode.FetchSessionIdNotFound : ErrorCode.None,
        SessionId = Has(version, 7) ? 77 : 0,
        Topics =
        [
            new()
            {
                Topic = Has(version, 0, 12) ? "orders" : "",
                TopicId = Has(version, 13) ? OrdersId : default,
                Partitions =
                [
                    new()
                    {
                        PartitionIndex = 0,
                        HighWatermark = 1000,
                        LastStableOffset = Has(version, 4) ? 990 : -1,
                        LogStartOffset = Has(version, 5) ? 10 : -1,
                        AbortedTransactions = Has(version, 4) ? [new(7, 950), new(8, 960)] : null,
                        PreferredReadReplica = Has(version, 11) ? 2 : -1,
                        Records = new MemoryPayload(Batch),
                    },
                    new() { PartitionIndex = 1, ErrorCode = ErrorCode.OffsetOutOfRange, HighWatermark = 50, Records = null },
                    new() { PartitionIndex = 2, HighWatermark = 0, AbortedTransactions = Has(version, 4) ? [] : null, Records = new MemoryPayload(Array.Empty<byte>()) },
                ],
            },
            new() { Topic = Has(version, 0, 12) ? "payments" : "", TopicId = Has(version, 13) ? PaymentsId : default },
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

    // --- Golden bytes of a small default request and response at every version, to pin where each field starts to appear.

    [Theory]
    [InlineData(0, "FFFFFFFF" + "00000000" + "00000000" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "0000000000000000" + "00000000")]
    [InlineData(3, "FFFFFFFF" + "00000000" + "00000000" + "7FFFFFFF" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "0000000000000000" + "00000000")] // + max_bytes
    [InlineData(4, "FFFFFFFF" + "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "0000000000000000" + "00000000")] // + isolation_level
    [InlineData(5, "FFFFFFFF" + "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "0000000000000000" +
        "FFFFFFFFFFFFFFFF" + "00000000")] // + log_start_offset
    [InlineData(7, "FFFFFFFF" + "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "00000001" + "0001" + "74" + "00000001" + "00000000" +
        "0000000000000000" + "FFFFFFFFFFFFFFFF" + "00000000" + "00000000")] // + session_id session_epoch, [forgotten_topics_data]
    [InlineData(9, "FFFFFFFF" + "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "00000001" + "0001" + "74" + "00000001" + "00000000" +
        "FFFFFFFF" + "0000000000000000" + "FFFFFFFFFFFFFFFF" + "00000000" + "00000000")] // + current_leader_epoch
    [InlineData(11, "FFFFFFFF" + "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "00000001" + "0001" + "74" + "00000001" + "00000000" +
        "FFFFFFFF" + "0000000000000000" + "FFFFFFFFFFFFFFFF" + "00000000" + "00000000" + "0000")] // + rack_id
    [InlineData(12, "FFFFFFFF" + "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "02" + "0274" + "02" + "00000000" +
        "FFFFFFFF" + "0000000000000000" + "FFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00000000" + "00" + "00" + "01" + "01" + "00")] // compact, + last_fetched_epoch, TAG_BUFFERs
    [InlineData(13, "FFFFFFFF" + "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "02" + "00000000000000000000000000000000" + "02" + "00000000" +
        "FFFFFFFF" + "0000000000000000" + "FFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00000000" + "00" + "00" + "01" + "01" + "00")] // topic_id for topic
    [InlineData(15, "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "02" + "00000000000000000000000000000000" + "02" + "00000000" +
        "FFFFFFFF" + "0000000000000000" + "FFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00000000" + "00" + "00" + "01" + "01" + "00")] // no replica_id; a consumer sends no ReplicaState
    [InlineData(16, "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "02" + "00000000000000000000000000000000" + "02" + "00000000" +
        "FFFFFFFF" + "0000000000000000" + "FFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00000000" + "00" + "00" + "01" + "01" + "00")]
    public void Request_layout_at_each_version(short version, string hex) =>
        Golden(new FetchRequest { Topics = [new() { Topic = version <= 12 ? "t" : "", Partitions = [new()] }] }, version, hex);

    private const string V0Partition = "00000000" + "0000" + "FFFFFFFFFFFFFFFF"; // partition_index 0, error_code 0, high_watermark -1

    [Theory]
    [InlineData(0, "00000001" + "0001" + "74" + "00000001" + V0Partition + "00000000")] // [responses => topic [partitions => ... records]]
    [InlineData(1, "00000000" + "00000001" + "0001" + "74" + "00000001" + V0Partition + "00000000")] // + throttle_time_ms
    [InlineData(4, "00000000" + "00000001" + "0001" + "74" + "00000001" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFF" + "00000000")] // + last_stable_offset, [aborted_transactions] null
    [InlineData(5, "00000000" + "00000001" + "0001" + "74" + "00000001" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFF" + "00000000")] // + log_start_offset
    [InlineData(7, "00000000" + "0000" + "00000000" + "00000001" + "0001" + "74" + "00000001" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFF" + "00000000")] // + error_code session_id
    [InlineData(11, "00000000" + "0000" + "00000000" + "00000001" + "0001" + "74" + "00000001" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFF" +
        "FFFFFFFF" + "00000000")] // + preferred_read_replica
    [InlineData(12, "00000000" + "0000" + "00000000" + "02" + "0274" + "02" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00" +
        "FFFFFFFF" + "01" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    [InlineData(13, "00000000" + "0000" + "00000000" + "02" + "00000000000000000000000000000000" + "02" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00" +
        "FFFFFFFF" + "01" + "00" + "00" + "00")] // topic_id for topic
    [InlineData(16, "00000000" + "0000" + "00000000" + "02" + "00000000000000000000000000000000" + "02" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00" +
        "FFFFFFFF" + "01" + "00" + "00" + "00")]
    public void Response_layout_at_each_version(short version, string hex) =>
        Golden(new FetchResponse
        {
            Topics = [new() { Topic = version <= 12 ? "t" : "", Partitions = [new() { Records = new MemoryPayload(Array.Empty<byte>()) }] }],
        }, version, hex);

    // --- Golden requests with every field set, written out field by field.

    private static FetchRequest GoldenRequest(short version) => new()
    {
        ClusterId = Has(version, 12) ? "c" : null,
        ReplicaId = -1,
        MaxWaitMs = 500,
        MinBytes = 1,
        MaxBytes = 0x100000,
        IsolationLevel = 1,
        SessionId = Has(version, 7) ? 7 : 0,
        SessionEpoch = Has(version, 7) ? 2 : -1,
        Topics =
        [
            new()
            {
                Topic = Has(version, 0, 12) ? "t" : "",
                TopicId = Has(version, 13) ? OrdersId : default,
                Partitions =
                [
                    new()
                    {
                        Partition = 0,
                        CurrentLeaderEpoch = Has(version, 9) ? 4 : -1,
                        FetchOffset = 10,
                        LastFetchedEpoch = Has(version, 12) ? 3 : -1,
                        PartitionMaxBytes = 0x10000,
                    },
                ],
            },
        ],
        ForgottenTopics = Has(version, 7) ? [new() { Topic = Has(version, 7, 12) ? "u" : "", TopicId = Has(version, 13) ? PaymentsId : default, Partitions = [2] }] : [],
        RackId = Has(version, 11) ? "r" : "",
    };

    [Fact]
    public void Request_v4_golden_bytes_first_served() => Golden(GoldenRequest(4), 4,
        "FFFFFFFF" +           // replica_id -1 (a consumer)
        "000001F4" +           // max_wait_ms 500
        "00000001" +           // min_bytes 1
        "00100000" +           // max_bytes 1 MiB
        "01" +                 // isolation_level READ_COMMITTED
        "00000001" +           // topics: 1
        "0001" + "74" +        //   topic "t"
        "00000001" +           //   partitions: 1
        "00000000" +           //     partition 0
        "000000000000000A" +   //     fetch_offset 10
        "00010000");           //     partition_max_bytes 64 KiB

    [Fact]
    public void Request_v11_golden_bytes_last_non_flexible() => Golden(GoldenRequest(11), 11,
        "FFFFFFFF" +           // replica_id -1
        "000001F4" +           // max_wait_ms 500
        "00000001" +           // min_bytes 1
        "00100000" +           // max_bytes
        "01" +                 // isolation_level
        "00000007" +           // session_id 7
        "00000002" +           // session_epoch 2
        "00000001" +           // topics: 1
        "0001" + "74" +        //   topic "t"
        "00000001" +           //   partitions: 1
        "00000000" +           //     partition 0
        "00000004" +           //     current_leader_epoch 4
        "000000000000000A" +   //     fetch_offset 10
        "FFFFFFFFFFFFFFFF" +   //     log_start_offset -1 (consumer)
        "00010000" +           //     partition_max_bytes
        "00000001" +           // forgotten_topics_data: 1
        "0001" + "75" +        //   topic "u"
        "00000001" + "00000002" + // partitions [2]
        "0001" + "72");        // rack_id "r"

    [Fact]
    public void Request_v12_golden_bytes_first_flexible_with_the_cluster_id_tag() => Golden(GoldenRequest(12), 12,
        "FFFFFFFF" +           // replica_id -1
        "000001F4" +           // max_wait_ms 500
        "00000001" +           // min_bytes 1
        "00100000" +           // max_bytes
        "01" +                 // isolation_level
        "00000007" +           // session_id 7
        "00000002" +           // session_epoch 2
        "02" +                 // topics: 1 (count + 1)
        "02" + "74" +          //   topic "t" (length + 1)
        "02" +                 //   partitions: 1
        "00000000" +           //     partition 0
        "00000004" +           //     current_leader_epoch 4
        "000000000000000A" +   //     fetch_offset 10
        "00000003" +           //     last_fetched_epoch 3
        "FFFFFFFFFFFFFFFF" +   //     log_start_offset -1
        "00010000" +           //     partition_max_bytes
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "02" +                 // forgotten_topics_data: 1
        "02" + "75" +          //   topic "u"
        "02" + "00000002" +    //   partitions [2]
        "00" +                 //   TAG_BUFFER
        "02" + "72" +          // rack_id "r"
        "01" +                 // TAG_BUFFER: 1 field
        "00" + "02" + "0263"); //   tag 0 cluster_id, 2 bytes: "c"

    [Fact]
    public void Request_v13_golden_bytes_name_topics_by_id() => Golden(GoldenRequest(13), 13,
        "FFFFFFFF" + "000001F4" + "00000001" + "00100000" + "01" + "00000007" + "00000002" + // as v12
        "02" +                 // topics: 1
        OrdersIdHex +          //   topic_id (no name from v13)
        "02" + "00000000" + "00000004" + "000000000000000A" + "00000003" + "FFFFFFFFFFFFFFFF" + "00010000" + "00" + // partitions
        "00" +                 //   TAG_BUFFER
        "02" +                 // forgotten_topics_data: 1
        PaymentsIdHex +        //   topic_id
        "02" + "00000002" +    //   partitions [2]
        "00" +                 //   TAG_BUFFER
        "02" + "72" +          // rack_id "r"
        "01" + "00" + "02" + "0263"); // TAG_BUFFER: cluster_id "c"

    [Fact]
    public void Request_v15_golden_bytes_move_replica_id_into_the_replica_state_tag()
    {
        var request = GoldenRequest(15);
        request.ReplicaId = 1;
        request.ReplicaEpoch = 9;
        Golden(request, 15,
            "000001F4" +           // max_wait_ms 500: no replica_id field from v15
            "00000001" + "00100000" + "01" + "00000007" + "00000002" + // min_bytes max_bytes isolation_level session_id session_epoch
            "02" + OrdersIdHex + "02" + "00000000" + "00000004" + "000000000000000A" + "00000003" + "FFFFFFFFFFFFFFFF" + "00010000" + "00" + "00" + // topics
            "02" + PaymentsIdHex + "02" + "00000002" + "00" + // forgotten_topics_data
            "02" + "72" +          // rack_id "r"
            "02" +                 // TAG_BUFFER: 2 fields, by ascending tag
            "00" + "02" + "0263" + //   tag 0 cluster_id, 2 bytes: "c"
            "01" + "0D" +          //   tag 1 replica_state, 13 bytes:
            "00000001" +           //     replica_id 1
            "0000000000000009" +   //     replica_epoch 9
            "00");                 //     TAG_BUFFER
    }

    [Fact]
    public void Request_v15_sends_replica_state_when_only_the_epoch_differs_from_default()
    {
        var request = new FetchRequest { ReplicaId = -1, ReplicaEpoch = 9, Topics = [] };
        Golden(request, 15,
            "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "01" + "01" + "01" + // fields, no topics, rack_id ""
            "01" + "01" + "0D" + "FFFFFFFF" + "0000000000000009" + "00"); // tag 1: replica_id -1, replica_epoch 9
    }

    // --- Request tagged fields read by tag; unknown tags skipped.

    private const string V12Body = "FFFFFFFF" + "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "01" + "01" + "01"; // replica_id .. rack_id
    private const string V15Body = "00000000" + "00000000" + "7FFFFFFF" + "00" + "00000000" + "FFFFFFFF" + "01" + "01" + "01";

    [Fact]
    public void Request_reads_the_cluster_id_tag_among_unknown_tags()
    {
        var request = KafkaCodec.Deserialize<FetchRequest>(Convert.FromHexString(V12Body +
            "03" +                                 // TAG_BUFFER: 3 fields
            "00" + "04" + "04616263" +             //   tag 0 cluster_id "abc"
            "01" + "0D" + "00000005" + "0000000000000009" + "00" + // tag 1: ReplicaState does not exist before v15: skipped
            "05" + "02" + "AABB"), 12);            //   tag 5, unknown: skipped
        Assert.Equal("abc", request.ClusterId);
        Assert.Equal(-1, request.ReplicaId);
        Assert.Equal(-1, request.ReplicaEpoch);
    }

    [Fact]
    public void Request_reads_a_null_cluster_id_tag() =>
        Assert.Null(KafkaCodec.Deserialize<FetchRequest>(Convert.FromHexString(V12Body + "01" + "00" + "01" + "00"), 12).ClusterId);

    [Fact]
    public void Request_v15_reads_the_replica_state_tag()
    {
        var request = KafkaCodec.Deserialize<FetchRequest>(Convert.FromHexString(V15Body +
            "02" +                                 // TAG_BUFFER: 2 fields
            "01" + "0D" + "00000005" + "0000000000000009" + "00" + // tag 1 replica_state: replica_id 5, replica_epoch 9
            "07" + "01" + "FF"), 15);              // tag 7, unknown: skipped
        Assert.Equal(5, request.ReplicaId);
        Assert.Equal(9, request.ReplicaEpoch);
        Assert.Null(request.ClusterId);
    }

    [Fact]
    public void Request_v15_without_replica_state_is_a_consumer()
    {
        var request = KafkaCodec.Deserialize<FetchRequest>(Convert.FromHexString(V15Body + "00"), 15);
        Assert.Equal(-1, request.ReplicaId);
        Assert.Equal(-1, request.ReplicaEpoch);
    }

    [Fact]
    public void Request_v15_skips_unknown_tags_inside_replica_state()
    {
        var request = KafkaCodec.Deserialize<FetchRequest>(Convert.FromHexString(V15Body +
            "01" + "01" + "10" + "00000005" + "0000000000000009" + "01" + "03" + "01" + "EE"), 15); // replica_state with its own tag 3
        Assert.Equal(5, request.ReplicaId);
        Assert.Equal(9, request.ReplicaEpoch);
    }

    [Theory]
    [InlineData(12, V12Body + "02" + "00" + "01" + "0263" + "05" + "00")]          // cluster_id "c" is 2 bytes, the tag claims 1
    [InlineData(15, V15Body + "01" + "01" + "0C" + "00000005" + "0000000000000009" + "00")] // replica_state is 13 bytes, the tag claims 12
    public void Request_rejects_a_known_tag_of_the_wrong_size(short version, string hex) =>
        Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Deserialize<FetchRequest>(Convert.FromHexString(hex), version));

    // --- Golden responses.

    private static readonly byte[] Records = [0xAA, 0xBB, 0xCC];

    private static FetchResponse GoldenResponse(short version) => new()
    {
        ThrottleTimeMs = 100,
        SessionId = Has(version, 7) ? 7 : 0,
        Topics =
        [
            new()
            {
                Topic = Has(version, 0, 12) ? "t" : "",
                TopicId = Has(version, 13) ? OrdersId : default,
                Partitions =
                [
                    new()
                    {
                        PartitionIndex = 0,
                        HighWatermark = 20,
                        LastStableOffset = 18,
                        LogStartOffset = Has(version, 5) ? 2 : -1,
                        AbortedTransactions = [new(5, 15)],
                        PreferredReadReplica = Has(version, 11) ? 1 : -1,
                        Records = new MemoryPayload(Records),
                    },
                    new() { PartitionIndex = 1, ErrorCode = ErrorCode.OffsetOutOfRange, Records = null },
                ],
            },
        ],
    };

    [Fact]
    public void Response_v4_golden_bytes_first_served() => Golden(GoldenResponse(4), 4,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // responses: 1
        "0001" + "74" +        //   topic "t"
        "00000002" +           //   partitions: 2
        "00000000" +           //     partition_index 0
        "0000" +               //     error_code 0
        "0000000000000014" +   //     high_watermark 20
        "0000000000000012" +   //     last_stable_offset 18
        "00000001" +           //     aborted_transactions: 1
        "0000000000000005" +   //       producer_id 5
        "000000000000000F" +   //       first_offset 15
        "00000003" + "AABBCC" + //    records (INT32 length)
        "00000001" +           //     partition_index 1
        "0001" +               //     error_code 1 OFFSET_OUT_OF_RANGE
        "FFFFFFFFFFFFFFFF" +   //     high_watermark -1
        "FFFFFFFFFFFFFFFF" +   //     last_stable_offset -1
        "FFFFFFFF" +           //     aborted_transactions null
        "FFFFFFFF");           //     records null

    [Fact]
    public void Response_v11_golden_bytes_last_non_flexible() => Golden(GoldenResponse(11), 11,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00000007" +           // session_id 7
        "00000001" +           // responses: 1
        "0001" + "74" +        //   topic "t"
        "00000002" +           //   partitions: 2
        "00000000" +           //     partition_index 0
        "0000" +               //     error_code 0
        "0000000000000014" +   //     high_watermark 20
        "0000000000000012" +   //     last_stable_offset 18
        "0000000000000002" +   //     log_start_offset 2
        "00000001" + "0000000000000005" + "000000000000000F" + // aborted_transactions [(5, 15)]
        "00000001" +           //     preferred_read_replica 1
        "00000003" + "AABBCC" + //    records
        "00000001" + "0001" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + // partition 1, OFFSET_OUT_OF_RANGE, -1 -1 -1
        "FFFFFFFF" +           //     aborted_transactions null
        "FFFFFFFF" +           //     preferred_read_replica -1
        "FFFFFFFF");           //     records null

    [Fact]
    public void Response_v12_golden_bytes_first_flexible() => Golden(GoldenResponse(12), 12,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00000007" +           // session_id 7
        "02" +                 // responses: 1 (count + 1)
        "02" + "74" +          //   topic "t"
        "03" +                 //   partitions: 2
        "00000000" +           //     partition_index 0
        "0000" +               //     error_code 0
        "0000000000000014" +   //     high_watermark 20
        "0000000000000012" +   //     last_stable_offset 18
        "0000000000000002" +   //     log_start_offset 2
        "02" + "0000000000000005" + "000000000000000F" + "00" + // aborted_transactions [(5, 15)], TAG_BUFFER
        "00000001" +           //     preferred_read_replica 1
        "04" + "AABBCC" +      //     records (COMPACT_RECORDS: length + 1)
        "00" +                 //     TAG_BUFFER (no diverging_epoch, current_leader, snapshot_id)
        "00000001" + "0001" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + // partition 1
        "00" +                 //     aborted_transactions null
        "FFFFFFFF" +           //     preferred_read_replica -1
        "00" +                 //     records null
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v13_golden_bytes_name_topics_by_id() => Golden(GoldenResponse(13), 13,
        "00000064" + "0000" + "00000007" + // throttle_time_ms error_code session_id
        "02" +                 // responses: 1
        OrdersIdHex +          //   topic_id (no name from v13)
        "03" +
        "00000000" + "0000" + "0000000000000014" + "0000000000000012" + "0000000000000002" +
        "02" + "0000000000000005" + "000000000000000F" + "00" + "00000001" + "04" + "AABBCC" + "00" +
        "00000001" + "0001" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00" + "FFFFFFFF" + "00" + "00" +
        "00" + "00");

    [Fact]
    public void Response_compact_records_length_takes_two_varint_bytes_past_126()
    {
        var response = new FetchResponse { Topics = [new() { Partitions = [new() { Records = new MemoryPayload(Batch) }] }] };
        var bytes = KafkaCodec.Serialize(response, 13);
        // throttle, error, session, responses: 1, topic_id, partitions: 1, index, error, hw, lso, lso, aborted null, preferred
        const int recordsAt = 4 + 2 + 4 + 1 + 16 + 1 + 4 + 2 + 8 + 8 + 8 + 1 + 4;
        Assert.Equal("AD02", Convert.ToHexString(bytes, recordsAt, 2)); // 301 as an unsigned varint
        Assert.Equal(Batch, bytes.AsSpan(recordsAt + 2, Batch.Length).ToArray());
        RoundTrips(response, response, 13);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(16)]
    public void Response_skips_the_partition_tags_and_node_endpoints(short version)
    {
        var bytes = Convert.FromHexString(
            "00000000" + "0000" + "00000000" +     // throttle_time_ms error_code session_id
            "02" + (version >= 13 ? OrdersIdHex : "0274") + // responses: 1, topic
            "02" +                                  //   partitions: 1
            "00000000" + "0006" +                   //     partition_index 0, error_code 6 NOT_LEADER_OR_FOLLOWER
            "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + // high_watermark, last_stable_offset, log_start_offset
            "00" + "FFFFFFFF" + "00" +              //     aborted_transactions null, preferred_read_replica -1, records null
            "03" +                                  //     TAG_BUFFER: 3 fields
            "00" + "0D" + "00000004" + "0000000000000064" + "00" + // tag 0 diverging_epoch: epoch 4, end_offset 100
            "01" + "09" + "00000002" + "00000005" + "00" +         // tag 1 current_leader: leader_id 2, leader_epoch 5
            "02" + "0D" + "0000000000000064" + "00000004" + "00" + // tag 2 snapshot_id: end_offset 100, epoch 4
            "00" +                                  //   TAG_BUFFER
            "01" + "00" + "0D" +                    // TAG_BUFFER: tag 0 node_endpoints, 13 bytes
            "02" + "00000002" + "0268" + "00002384" + "00" + "00"); //   [2 "h" 9092 rack null]
        var response = KafkaCodec.Deserialize<FetchResponse>(bytes, version);
        var topic = Assert.Single(response.Topics);
        Assert.Equal(version >= 13 ? OrdersId : default, topic.TopicId);
        var partition = Assert.Single(topic.Partitions);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, partition.ErrorCode);
        Assert.Null(partition.Records);
        Assert.Equal(-1, partition.PreferredReadReplica);
    }

    [Fact]
    public void Response_records_read_back_as_an_in_memory_payload()
    {
        var bytes = KafkaCodec.Serialize(GoldenResponse(4), 4);
        var records = KafkaCodec.Deserialize<FetchResponse>(bytes, 4).Topics[0].Partitions[0].Records;
        var payload = Assert.IsType<MemoryPayload>(records);
        Assert.Equal(Records, payload.Bytes.ToArray());
    }
}
