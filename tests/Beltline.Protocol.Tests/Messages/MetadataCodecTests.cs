using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class MetadataCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 12);
    public static TheoryData<short> TopicIdVersions => Versions(10, 12);

    private static readonly KafkaUuid OrdersId = new(0x0102030405060708, 0x090A0B0C0D0E0F10);
    private static readonly KafkaUuid PaymentsId = new(0x1112131415161718, 0x191A1B1C1D1E1F20);
    private const string OrdersIdHex = "0102030405060708" + "090A0B0C0D0E0F10";
    private const string PaymentsIdHex = "1112131415161718" + "191A1B1C1D1E1F20";

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static MetadataRequest Request(short? version) => new()
    {
        Topics =
        [
            new() { Name = "orders", TopicId = Has(version, 10) ? OrdersId : default },
            new() { Name = "payments", TopicId = Has(version, 10) ? PaymentsId : default },
        ],
        AllowAutoTopicCreation = !Has(version, 4), // the default is true: false shows the flag is carried
        IncludeClusterAuthorizedOperations = Has(version, 8, 10),
        IncludeTopicAuthorizedOperations = Has(version, 8),
    };

    private static MetadataResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 3) ? 250 : 0,
        Brokers =
        [
            new() { NodeId = 1, Host = "b1.example", Port = 9092, Rack = Has(version, 1) ? "rack-a" : null },
            new() { NodeId = 2, Host = "b2.example", Port = 9093, Rack = null },
        ],
        ClusterId = Has(version, 2) ? "cluster-x" : null,
        ControllerId = Has(version, 1) ? 2 : -1,
        Topics =
        [
            new()
            {
                Name = "orders",
                TopicId = Has(version, 10) ? OrdersId : default,
                Partitions =
                [
                    new()
                    {
                        PartitionIndex = 0,
                        LeaderId = 1,
                        LeaderEpoch = Has(version, 7) ? 5 : -1,
                        ReplicaNodes = [1, 2, 3],
                        IsrNodes = [1, 2],
                        OfflineReplicas = Has(version, 5) ? [3] : [],
                    },
                    new() { ErrorCode = ErrorCode.LeaderNotAvailable, PartitionIndex = 1, LeaderId = -1, ReplicaNodes = [2], IsrNodes = [] },
                ],
                TopicAuthorizedOperations = Has(version, 8) ? 0x0F8 : int.MinValue,
            },
            new() { Name = "__consumer_offsets", IsInternal = Has(version, 1), TopicAuthorizedOperations = Has(version, 8) ? 0 : int.MinValue },
            // A topic asked for by an unknown id: its name is null from v12; older versions write it as "".
            new()
            {
                ErrorCode = ErrorCode.UnknownTopicId,
                Name = Has(version, 12) ? null : "",
                TopicId = Has(version, 10) ? PaymentsId : default,
                TopicAuthorizedOperations = Has(version, 8) ? -1 : int.MinValue,
            },
        ],
        ClusterAuthorizedOperations = Has(version, 8, 10) ? 0xF80 : int.MinValue,
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version)
    {
        var everyField = Response(null);
        everyField.Topics[2].Name = null; // nullable only from v12: written as "" before
        RoundTrips(everyField, Response(version), version);
    }

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    // --- Which topics: v0 has no null array, so an empty one means "all"; from v1 null means all and empty means none.

    [Fact]
    public void V0_empty_topics_array_asks_for_all_topics()
    {
        var request = KafkaCodec.Deserialize<MetadataRequest>(Convert.FromHexString("00000000"), 0); // topics: 0
        Assert.NotNull(request.Topics);
        Assert.Empty(request.Topics);
        Assert.True(request.WantsAllTopics(0));
    }

    [Fact]
    public void V0_writes_null_topics_as_the_empty_array()
    {
        Assert.Equal("00000000", Convert.ToHexString(KafkaCodec.Serialize(new MetadataRequest { Topics = null }, 0)));
        Assert.Equal("00000000", Convert.ToHexString(KafkaCodec.Serialize(new MetadataRequest { Topics = [] }, 0)));
    }

    [Fact]
    public void V0_rejects_a_null_topics_array() =>
        Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Deserialize<MetadataRequest>(Convert.FromHexString("FFFFFFFF"), 0));

    [Theory]
    [InlineData(1, "FFFFFFFF")]                   // topics: null (INT32 -1)
    [InlineData(4, "FFFFFFFF" + "01")]            // + allow_auto_topic_creation
    [InlineData(8, "FFFFFFFF" + "01" + "00" + "00")]
    [InlineData(9, "00" + "01" + "00" + "00" + "00")] // compact null (0), TAG_BUFFER
    [InlineData(12, "00" + "01" + "00" + "00")]
    public void From_v1_a_null_topics_array_asks_for_all_topics(short version, string hex)
    {
        var request = KafkaCodec.Deserialize<MetadataRequest>(Convert.FromHexString(hex), version);
        Assert.Null(request.Topics);
        Assert.True(request.WantsAllTopics(version));
        Assert.Equal(hex, Convert.ToHexString(KafkaCodec.Serialize(request, version)));
    }

    [Theory]
    [InlineData(1, "00000000")]
    [InlineData(4, "00000000" + "01")]
    [InlineData(9, "01" + "01" + "00" + "00" + "00")] // compact empty (0 + 1)
    [InlineData(12, "01" + "01" + "00" + "00")]
    public void From_v1_an_empty_topics_array_asks_for_no_topics(short version, string hex)
    {
        var request = KafkaCodec.Deserialize<MetadataRequest>(Convert.FromHexString(hex), version);
        Assert.NotNull(request.Topics);
        Assert.Empty(request.Topics);
        Assert.False(request.WantsAllTopics(version));
    }

    [Theory, MemberData(nameof(AllVersions))]
    public void Named_topics_never_mean_all_topics(short version) =>
        Assert.False(KafkaCodec.Deserialize<MetadataRequest>(KafkaCodec.Serialize(Request(version), version), version).WantsAllTopics(version));

    // --- Topic ids and nullable names (v10+ request, v12+ response).

    [Theory, MemberData(nameof(TopicIdVersions))]
    public void Request_from_v10_round_trips_a_topic_asked_for_by_id_alone(short version)
    {
        var request = new MetadataRequest { Topics = [new() { Name = null, TopicId = PaymentsId }, new() { Name = "orders" }], AllowAutoTopicCreation = false };
        RoundTrips(request, request, version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(9)]
    public void Request_before_v10_refuses_to_write_a_null_name(short version)
    {
        var request = new MetadataRequest { Topics = [new() { Name = null, TopicId = PaymentsId }] };
        Assert.Throws<InvalidOperationException>(() => KafkaCodec.Serialize(request, version));
    }

    [Theory]
    [InlineData(8, "00000001" + "FFFF" + "01" + "00" + "00")] // INT16 -1
    [InlineData(9, "02" + "00" + "00" + "01" + "00" + "00" + "00")] // compact null
    public void Request_before_v10_rejects_a_null_name_on_the_wire(short version, string hex) =>
        Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Deserialize<MetadataRequest>(Convert.FromHexString(hex), version));

    [Fact]
    public void Response_before_v12_rejects_a_null_topic_name_on_the_wire() =>
        Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Deserialize<MetadataResponse>(Convert.FromHexString(
            "00000000" + "01" + "00" + "FFFFFFFF" +  // throttle_time_ms, brokers: 0, cluster_id null, controller_id
            "02" + "0064" + "00" +                   // topics: 1, error_code 100, name null: not allowed before v12
            PaymentsIdHex + "00" + "01" + "80000000" + "00" + "00"), 11));

    // --- Golden bytes of small messages at every version, to pin where each field starts to appear.

    [Theory]
    [InlineData(0, "00000001" + "0001" + "74")]                   // [topics => name]
    [InlineData(3, "00000001" + "0001" + "74")]
    [InlineData(4, "00000001" + "0001" + "74" + "01")]            // + allow_auto_topic_creation
    [InlineData(7, "00000001" + "0001" + "74" + "01")]
    [InlineData(8, "00000001" + "0001" + "74" + "01" + "00" + "00")] // + include_cluster/topic_authorized_operations
    [InlineData(9, "02" + "0274" + "00" + "01" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    [InlineData(10, "02" + "00000000000000000000000000000000" + "0274" + "00" + "01" + "00" + "00" + "00")] // + topic_id
    [InlineData(11, "02" + "00000000000000000000000000000000" + "0274" + "00" + "01" + "00" + "00")] // - include_cluster_authorized_operations
    [InlineData(12, "02" + "00000000000000000000000000000000" + "0274" + "00" + "01" + "00" + "00")]
    public void Request_layout_at_each_version(short version, string hex) =>
        Golden(new MetadataRequest { Topics = [new() { Name = "t" }] }, version, hex);

    private const string V0Broker = "00000001" + "0001" + "68" + "00000001";                    // node_id 1, host "h", port 1
    private const string V0Partition = "0000" + "00000000" + "00000002" + "00000000" + "00000000"; // error, index 0, leader 2, [replicas] [isr]

    [Theory]
    [InlineData(0, "00000001" + V0Broker + "00000001" + "0000" + "0001" + "74" + "00000001" + V0Partition)]
    [InlineData(1, "00000001" + V0Broker + "FFFF" + "FFFFFFFF" + "00000001" + "0000" + "0001" + "74" + "00" + "00000001" + V0Partition)] // + rack, controller_id, is_internal
    [InlineData(2, "00000001" + V0Broker + "FFFF" + "FFFF" + "FFFFFFFF" + "00000001" + "0000" + "0001" + "74" + "00" + "00000001" + V0Partition)] // + cluster_id
    [InlineData(3, "00000000" + "00000001" + V0Broker + "FFFF" + "FFFF" + "FFFFFFFF" + "00000001" + "0000" + "0001" + "74" + "00" + "00000001" + V0Partition)] // + throttle_time_ms
    [InlineData(5, "00000000" + "00000001" + V0Broker + "FFFF" + "FFFF" + "FFFFFFFF" + "00000001" + "0000" + "0001" + "74" + "00" + "00000001" + V0Partition + "00000000")] // + offline_replicas
    [InlineData(7, "00000000" + "00000001" + V0Broker + "FFFF" + "FFFF" + "FFFFFFFF" + "00000001" + "0000" + "0001" + "74" + "00" + "00000001" +
        "0000" + "00000000" + "00000002" + "FFFFFFFF" + "00000000" + "00000000" + "00000000")] // + leader_epoch after leader_id
    [InlineData(8, "00000000" + "00000001" + V0Broker + "FFFF" + "FFFF" + "FFFFFFFF" + "00000001" + "0000" + "0001" + "74" + "00" + "00000001" +
        "0000" + "00000000" + "00000002" + "FFFFFFFF" + "00000000" + "00000000" + "00000000" + "80000000" + "80000000")] // + topic/cluster_authorized_operations
    [InlineData(9, "00000000" + "02" + "00000001" + "0268" + "00000001" + "00" + "00" + "00" + "FFFFFFFF" + "02" + "0000" + "0274" + "00" + "02" +
        "0000" + "00000000" + "00000002" + "FFFFFFFF" + "01" + "01" + "01" + "00" + "80000000" + "00" + "80000000" + "00")] // compact, TAG_BUFFERs
    [InlineData(10, "00000000" + "02" + "00000001" + "0268" + "00000001" + "00" + "00" + "00" + "FFFFFFFF" + "02" + "0000" + "0274" +
        "00000000000000000000000000000000" + "00" + "02" +
        "0000" + "00000000" + "00000002" + "FFFFFFFF" + "01" + "01" + "01" + "00" + "80000000" + "00" + "80000000" + "00")] // + topic_id
    [InlineData(11, "00000000" + "02" + "00000001" + "0268" + "00000001" + "00" + "00" + "00" + "FFFFFFFF" + "02" + "0000" + "0274" +
        "00000000000000000000000000000000" + "00" + "02" +
        "0000" + "00000000" + "00000002" + "FFFFFFFF" + "01" + "01" + "01" + "00" + "80000000" + "00" + "00")] // - cluster_authorized_operations
    public void Response_layout_at_each_version(short version, string hex) => Golden(new MetadataResponse
    {
        Brokers = [new() { NodeId = 1, Host = "h", Port = 1 }],
        Topics = [new() { Name = "t", Partitions = [new() { LeaderId = 2 }] }],
    }, version, hex);

    // --- Golden bytes with every field set, written out field by field.

    [Fact]
    public void Request_v8_golden_bytes_last_non_flexible() => Golden(new MetadataRequest
    {
        Topics = [new() { Name = "a" }, new() { Name = "bc" }],
        AllowAutoTopicCreation = false,
        IncludeClusterAuthorizedOperations = true,
        IncludeTopicAuthorizedOperations = true,
    }, 8,
        "00000002" +           // topics: 2 (INT32 count)
        "0001" + "61" +        //   name "a" (INT16 length)
        "0002" + "6263" +      //   name "bc"
        "00" +                 // allow_auto_topic_creation false
        "01" +                 // include_cluster_authorized_operations
        "01");                 // include_topic_authorized_operations

    [Fact]
    public void Request_v9_golden_bytes_first_flexible() => Golden(new MetadataRequest
    {
        Topics = [new() { Name = "a" }, new() { Name = "bc" }],
        AllowAutoTopicCreation = false,
        IncludeClusterAuthorizedOperations = true,
        IncludeTopicAuthorizedOperations = true,
    }, 9,
        "03" +                 // topics: 2 (UNSIGNED_VARINT count + 1)
        "02" + "61" + "00" +   //   name "a" (length + 1), TAG_BUFFER
        "03" + "6263" + "00" + //   name "bc", TAG_BUFFER
        "00" +                 // allow_auto_topic_creation false
        "01" +                 // include_cluster_authorized_operations
        "01" +                 // include_topic_authorized_operations
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v10_golden_bytes_carry_topic_ids_and_nullable_names() => Golden(new MetadataRequest
    {
        Topics = [new() { Name = "a", TopicId = OrdersId }, new() { Name = null, TopicId = PaymentsId }],
        AllowAutoTopicCreation = true,
        IncludeClusterAuthorizedOperations = true,
        IncludeTopicAuthorizedOperations = false,
    }, 10,
        "03" +                 // topics: 2
        OrdersIdHex +          //   topic_id
        "02" + "61" +          //   name "a"
        "00" +                 //   TAG_BUFFER
        PaymentsIdHex +        //   topic_id
        "00" +                 //   name null (COMPACT_NULLABLE_STRING 0)
        "00" +                 //   TAG_BUFFER
        "01" +                 // allow_auto_topic_creation
        "01" +                 // include_cluster_authorized_operations (v8–10 only)
        "00" +                 // include_topic_authorized_operations
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v12_golden_bytes_drop_cluster_authorized_operations() => Golden(new MetadataRequest
    {
        Topics = [new() { Name = null, TopicId = PaymentsId }],
        AllowAutoTopicCreation = false,
        IncludeTopicAuthorizedOperations = true,
    }, 12,
        "02" +                 // topics: 1
        PaymentsIdHex +        //   topic_id
        "00" +                 //   name null
        "00" +                 //   TAG_BUFFER
        "00" +                 // allow_auto_topic_creation false
        "01" +                 // include_topic_authorized_operations (no cluster flag from v11)
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v0_golden_bytes() => Golden(new MetadataResponse
    {
        Brokers = [new() { NodeId = 1, Host = "h", Port = 9092 }],
        Topics =
        [
            new()
            {
                Name = "t",
                Partitions = [new() { PartitionIndex = 0, LeaderId = 1, ReplicaNodes = [1, 2], IsrNodes = [1] }],
            },
            new() { ErrorCode = ErrorCode.UnknownTopicOrPartition, Name = "u" },
        ],
    }, 0,
        "00000001" +           // brokers: 1
        "00000001" +           //   node_id 1
        "0001" + "68" +        //   host "h"
        "00002384" +           //   port 9092
        "00000002" +           // topics: 2
        "0000" +               //   error_code 0
        "0001" + "74" +        //   name "t"
        "00000001" +           //   partitions: 1
        "0000" +               //     error_code 0
        "00000000" +           //     partition_index 0
        "00000001" +           //     leader_id 1
        "00000002" + "00000001" + "00000002" + // replica_nodes [1, 2]
        "00000001" + "00000001" + //  isr_nodes [1]
        "0003" +               //   error_code 3 UNKNOWN_TOPIC_OR_PARTITION
        "0001" + "75" +        //   name "u"
        "00000000");           //   partitions: 0

    private static MetadataResponse GoldenResponse(short version) => new()
    {
        ThrottleTimeMs = 100,
        Brokers = [new() { NodeId = 1, Host = "h", Port = 9092, Rack = "r" }],
        ClusterId = "c",
        ControllerId = 1,
        Topics =
        [
            new()
            {
                Name = "t",
                TopicId = Has(version, 10) ? OrdersId : default,
                IsInternal = true,
                Partitions = [new() { PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 7, ReplicaNodes = [1, 2], IsrNodes = [1], OfflineReplicas = [2] }],
                TopicAuthorizedOperations = 0xF8,
            },
        ],
        ClusterAuthorizedOperations = Has(version, 8, 10) ? 0xF80 : int.MinValue,
    };

    [Fact]
    public void Response_v8_golden_bytes_last_non_flexible() => Golden(GoldenResponse(8), 8,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // brokers: 1
        "00000001" +           //   node_id 1
        "0001" + "68" +        //   host "h"
        "00002384" +           //   port 9092
        "0001" + "72" +        //   rack "r"
        "0001" + "63" +        // cluster_id "c"
        "00000001" +           // controller_id 1
        "00000001" +           // topics: 1
        "0000" +               //   error_code 0
        "0001" + "74" +        //   name "t"
        "01" +                 //   is_internal
        "00000001" +           //   partitions: 1
        "0000" +               //     error_code 0
        "00000000" +           //     partition_index 0
        "00000001" +           //     leader_id 1
        "00000007" +           //     leader_epoch 7
        "00000002" + "00000001" + "00000002" + // replica_nodes [1, 2]
        "00000001" + "00000001" + //  isr_nodes [1]
        "00000001" + "00000002" + //  offline_replicas [2]
        "000000F8" +           //   topic_authorized_operations
        "00000F80");           // cluster_authorized_operations

    [Fact]
    public void Response_v9_golden_bytes_first_flexible() => Golden(GoldenResponse(9), 9,
        "00000064" +           // throttle_time_ms 100
        "02" +                 // brokers: 1 (count + 1)
        "00000001" +           //   node_id 1
        "02" + "68" +          //   host "h" (length + 1)
        "00002384" +           //   port 9092
        "02" + "72" +          //   rack "r"
        "00" +                 //   TAG_BUFFER
        "02" + "63" +          // cluster_id "c"
        "00000001" +           // controller_id 1
        "02" +                 // topics: 1
        "0000" +               //   error_code 0
        "02" + "74" +          //   name "t"
        "01" +                 //   is_internal
        "02" +                 //   partitions: 1
        "0000" +               //     error_code 0
        "00000000" +           //     partition_index 0
        "00000001" +           //     leader_id 1
        "00000007" +           //     leader_epoch 7
        "03" + "00000001" + "00000002" + // replica_nodes [1, 2]
        "02" + "00000001" +    //     isr_nodes [1]
        "02" + "00000002" +    //     offline_replicas [2]
        "00" +                 //     TAG_BUFFER
        "000000F8" +           //   topic_authorized_operations
        "00" +                 //   TAG_BUFFER
        "00000F80" +           // cluster_authorized_operations
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v10_golden_bytes_put_the_topic_id_after_the_name() => Golden(GoldenResponse(10), 10,
        "00000064" +                                   // throttle_time_ms 100
        "02" + "00000001" + "0268" + "00002384" + "0272" + "00" + // brokers: [1 "h" 9092 "r"]
        "0263" +                                       // cluster_id "c"
        "00000001" +                                   // controller_id 1
        "02" +                                         // topics: 1
        "0000" +                                       //   error_code 0
        "0274" +                                       //   name "t"
        OrdersIdHex +                                  //   topic_id
        "01" +                                         //   is_internal
        "02" + "0000" + "00000000" + "00000001" + "00000007" + "03" + "00000001" + "00000002" + "02" + "00000001" + "02" + "00000002" + "00" + // partitions
        "000000F8" +                                   //   topic_authorized_operations
        "00" +                                         //   TAG_BUFFER
        "00000F80" +                                   // cluster_authorized_operations (last in v10)
        "00");                                         // TAG_BUFFER

    [Fact]
    public void Response_v12_golden_bytes_have_a_null_name_for_an_unknown_id()
    {
        var response = GoldenResponse(12);
        response.Topics.Add(new() { ErrorCode = ErrorCode.UnknownTopicId, Name = null, TopicId = PaymentsId });
        Golden(response, 12,
            "00000064" +                                   // throttle_time_ms 100
            "02" + "00000001" + "0268" + "00002384" + "0272" + "00" + // brokers: [1 "h" 9092 "r"]
            "0263" +                                       // cluster_id "c"
            "00000001" +                                   // controller_id 1
            "03" +                                         // topics: 2
            "0000" + "0274" + OrdersIdHex + "01" +         //   error_code 0, name "t", topic_id, is_internal
            "02" + "0000" + "00000000" + "00000001" + "00000007" + "03" + "00000001" + "00000002" + "02" + "00000001" + "02" + "00000002" + "00" + // partitions
            "000000F8" + "00" +                            //   topic_authorized_operations, TAG_BUFFER
            "0064" +                                       //   error_code 100 UNKNOWN_TOPIC_ID
            "00" +                                         //   name null (COMPACT_NULLABLE_STRING 0)
            PaymentsIdHex +                                //   topic_id
            "00" +                                         //   is_internal false
            "01" +                                         //   partitions: 0
            "80000000" +                                   //   topic_authorized_operations: default INT32 min
            "00" +                                         //   TAG_BUFFER
            "00");                                         // TAG_BUFFER: no cluster_authorized_operations from v11
    }

    [Fact]
    public void Response_before_v12_writes_a_null_topic_name_as_empty()
    {
        var response = new MetadataResponse { Topics = [new() { ErrorCode = ErrorCode.UnknownTopicId, Name = null, TopicId = PaymentsId }] };
        var topic = Assert.Single(KafkaCodec.Deserialize<MetadataResponse>(KafkaCodec.Serialize(response, 11), 11).Topics);
        Assert.Equal("", topic.Name);
        Assert.Equal(PaymentsId, topic.TopicId);
    }

    [Fact]
    public void Flexible_request_and_response_skip_unknown_tags()
    {
        var request = KafkaCodec.Deserialize<MetadataRequest>(Convert.FromHexString(
            "02" + "0274" + "01" + "07" + "02" + "AABB" + // topics: ["t"], TAG_BUFFER with tag 7 (2 bytes)
            "00" + "01" +                                 // allow_auto_topic_creation false, include_cluster_authorized_operations
            "00" +                                        // include_topic_authorized_operations
            "01" + "09" + "01" + "CC"), 9);               // TAG_BUFFER with tag 9 (1 byte)
        Assert.Equal("t", Assert.Single(request.Topics!).Name);
        Assert.False(request.AllowAutoTopicCreation);
        Assert.True(request.IncludeClusterAuthorizedOperations);

        var response = KafkaCodec.Deserialize<MetadataResponse>(Convert.FromHexString(
            "00000000" +                                  // throttle_time_ms
            "02" + "00000001" + "0268" + "00000001" + "00" + // brokers: [1 "h" 1 null]
            "01" + "00" + "01" + "FF" +                   //   TAG_BUFFER with tag 0 (1 byte)
            "00" + "00000001" + "01" +                    // cluster_id null, controller_id 1, topics: 0
            "02" + "01" + "00" + "03" + "02" + "0000"), 11); // TAG_BUFFER: tag 1 (empty), tag 3 (2 bytes)
        Assert.Equal("h", Assert.Single(response.Brokers).Host);
        Assert.Equal(1, response.ControllerId);
    }
}
