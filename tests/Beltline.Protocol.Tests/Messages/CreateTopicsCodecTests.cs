using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class CreateTopicsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 7);

    private static readonly KafkaUuid OrdersId = new(0x0102030405060708, 0x090A0B0C0D0E0F10);

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static CreateTopicsRequest Request(short? version) => new()
    {
        Topics =
        [
            new()
            {
                Name = "orders",
                NumPartitions = 6,
                ReplicationFactor = 3,
                Configs = [new() { Name = "cleanup.policy", Value = "compact" }, new() { Name = "retention.ms", Value = null }],
            },
            new()
            {
                Name = "placed",
                NumPartitions = -1,
                ReplicationFactor = -1,
                Assignments = [new() { PartitionIndex = 0, BrokerIds = [1, 2] }, new() { PartitionIndex = 1, BrokerIds = [2, 3] }],
            },
        ],
        TimeoutMs = 30000,
        ValidateOnly = Has(version, 1),
    };

    private static CreateTopicsResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 2) ? 250 : 0,
        Topics =
        [
            new()
            {
                Name = "orders",
                TopicId = Has(version, 7) ? OrdersId : default,
                NumPartitions = Has(version, 5) ? 6 : -1,
                ReplicationFactor = Has(version, 5) ? (short)3 : (short)-1,
                Configs = Has(version, 5)
                    ?
                    [
                        new() { Name = "cleanup.policy", Value = "compact", ReadOnly = true, ConfigSource = ConfigSource.DynamicTopicConfig },
                        new() { Name = "sasl.password", Value = null, ConfigSource = ConfigSource.DefaultConfig, IsSensitive = true },
                    ]
                    : null,
            },
            new()
            {
                Name = "denied",
                ErrorCode = ErrorCode.PolicyViolation,
                ErrorMessage = Has(version, 1) ? "rejected by policy" : null,
                TopicConfigErrorCode = Has(version, 5) ? ErrorCode.TopicAuthorizationFailed : ErrorCode.None,
            },
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

    // Golden bytes of a one-topic message at every version, to pin where each field starts to appear.
    [Theory]
    [InlineData(0, "00000001" + "0001" + "74" + "00000001" + "0001" + "00000000" + "00000000" + "00001388")] // [topics] timeout_ms
    [InlineData(1, "00000001" + "0001" + "74" + "00000001" + "0001" + "00000000" + "00000000" + "00001388" + "00")] // + validate_only
    [InlineData(4, "00000001" + "0001" + "74" + "00000001" + "0001" + "00000000" + "00000000" + "00001388" + "00")]
    [InlineData(5, "02" + "0274" + "00000001" + "0001" + "01" + "01" + "00" + "00001388" + "00" + "00")] // compact, TAG_BUFFERs
    [InlineData(7, "02" + "0274" + "00000001" + "0001" + "01" + "01" + "00" + "00001388" + "00" + "00")]
    public void Request_layout_at_each_version(short version, string hex) =>
        Golden(new CreateTopicsRequest { Topics = [new() { Name = "t", NumPartitions = 1, ReplicationFactor = 1 }], TimeoutMs = 5000 }, version, hex);

    [Theory]
    [InlineData(0, "00000001" + "0001" + "74" + "0000")] // [topics => name error_code]
    [InlineData(1, "00000001" + "0001" + "74" + "0000" + "FFFF")] // + error_message
    [InlineData(2, "00000000" + "00000001" + "0001" + "74" + "0000" + "FFFF")] // throttle_time_ms first
    [InlineData(4, "00000000" + "00000001" + "0001" + "74" + "0000" + "FFFF")]
    [InlineData(5, "00000000" + "02" + "0274" + "0000" + "00" + "FFFFFFFF" + "FFFF" + "00" + "00" + "00")] // + num_partitions replication_factor [configs], TAG_BUFFERs
    [InlineData(6, "00000000" + "02" + "0274" + "0000" + "00" + "FFFFFFFF" + "FFFF" + "00" + "00" + "00")]
    [InlineData(7, "00000000" + "02" + "0274" + "00000000000000000000000000000000" + "0000" + "00" + "FFFFFFFF" + "FFFF" + "00" + "00" + "00")] // + topic_id
    public void Response_layout_at_each_version(short version, string hex) =>
        Golden(new CreateTopicsResponse { Topics = [new() { Name = "t" }] }, version, hex);

    private static CreateTopicsRequest GoldenRequest() => new()
    {
        Topics =
        [
            new()
            {
                Name = "t",
                NumPartitions = -1,
                ReplicationFactor = -1,
                Assignments = [new() { PartitionIndex = 0, BrokerIds = [1] }],
                Configs = [new() { Name = "a", Value = "b" }, new() { Name = "c", Value = null }],
            },
        ],
        TimeoutMs = 5000,
        ValidateOnly = true,
    };

    [Fact]
    public void Request_v4_golden_bytes() => Golden(GoldenRequest(), 4,
        "00000001" +           // topics: 1 (INT32 count)
        "0001" + "74" +        //   name "t" (INT16 length)
        "FFFFFFFF" +           //   num_partitions -1
        "FFFF" +               //   replication_factor -1
        "00000001" +           //   assignments: 1
        "00000000" +           //     partition_index 0
        "00000001" + "00000001" + //  broker_ids [1]
        "00000002" +           //   configs: 2
        "0001" + "61" + "0001" + "62" + // "a" = "b"
        "0001" + "63" + "FFFF" +        // "c" = null (NULLABLE_STRING length -1)
        "00001388" +           // timeout_ms 5000
        "01");                 // validate_only

    [Fact]
    public void Request_v5_golden_bytes_are_compact_with_tag_buffers() => Golden(GoldenRequest(), 5,
        "02" +                 // topics: 1 (UNSIGNED_VARINT count + 1)
        "02" + "74" +          //   name "t" (length + 1)
        "FFFFFFFF" +           //   num_partitions -1
        "FFFF" +               //   replication_factor -1
        "02" +                 //   assignments: 1
        "00000000" +           //     partition_index 0
        "02" + "00000001" +    //     broker_ids [1]
        "00" +                 //     TAG_BUFFER
        "03" +                 //   configs: 2
        "02" + "61" + "02" + "62" + "00" + // "a" = "b", TAG_BUFFER
        "02" + "63" + "00" + "00" +        // "c" = null (length 0), TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00001388" +           // timeout_ms 5000
        "01" +                 // validate_only
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v4_golden_bytes() => Golden(new CreateTopicsResponse
    {
        ThrottleTimeMs = 100,
        Topics = [new() { Name = "t" }, new() { Name = "u", ErrorCode = ErrorCode.TopicAlreadyExists, ErrorMessage = "dup" }],
    }, 4,
        "00000064" +           // throttle_time_ms 100
        "00000002" +           // topics: 2
        "0001" + "74" +        //   name "t"
        "0000" +               //   error_code 0
        "FFFF" +               //   error_message null
        "0001" + "75" +        //   name "u"
        "0024" +               //   error_code 36 TOPIC_ALREADY_EXISTS
        "0003" + "647570");    //   error_message "dup"

    [Fact]
    public void Response_v5_golden_bytes_carry_configs_and_the_tagged_config_error() => Golden(new CreateTopicsResponse
    {
        ThrottleTimeMs = 100,
        Topics =
        [
            new()
            {
                Name = "t",
                NumPartitions = 3,
                ReplicationFactor = 2,
                Configs = [new() { Name = "a", Value = "b", ReadOnly = true, ConfigSource = ConfigSource.DefaultConfig }],
            },
            new() { Name = "u", NumPartitions = 1, ReplicationFactor = 1, TopicConfigErrorCode = ErrorCode.TopicAuthorizationFailed },
        ],
    }, 5,
        "00000064" +           // throttle_time_ms 100
        "03" +                 // topics: 2
        "02" + "74" +          //   name "t"
        "0000" +               //   error_code 0
        "00" +                 //   error_message null
        "00000003" +           //   num_partitions 3
        "0002" +               //   replication_factor 2
        "02" +                 //   configs: 1
        "02" + "61" +          //     name "a"
        "02" + "62" +          //     value "b"
        "01" +                 //     read_only
        "05" +                 //     config_source 5 DEFAULT_CONFIG
        "00" +                 //     is_sensitive false
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER: topic_config_error_code 0 is not sent
        "02" + "75" +          //   name "u"
        "0000" +               //   error_code 0
        "00" +                 //   error_message null
        "00000001" +           //   num_partitions 1
        "0001" +               //   replication_factor 1
        "00" +                 //   configs null
        "01" + "00" + "02" + "001D" + // TAG_BUFFER: 1 field, tag 0, 2 bytes, topic_config_error_code 29
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v7_golden_bytes_put_the_topic_id_after_the_name() => Golden(new CreateTopicsResponse
    {
        Topics = [new() { Name = "t", TopicId = OrdersId, NumPartitions = 3, ReplicationFactor = 2, Configs = [] }],
    }, 7,
        "00000000" +           // throttle_time_ms 0
        "02" +                 // topics: 1
        "02" + "74" +          //   name "t"
        "0102030405060708" + "090A0B0C0D0E0F10" + // topic_id
        "0000" +               //   error_code 0
        "00" +                 //   error_message null
        "00000003" +           //   num_partitions 3
        "0002" +               //   replication_factor 2
        "01" +                 //   configs: 0
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_reads_the_config_error_tag_among_unknown_tags()
    {
        var bytes = Convert.FromHexString(
            "00000000" + "02" + "0274" + "0000" + "00" + "00000001" + "0001" + "00" +
            "02" +                 // TAG_BUFFER: 2 fields
            "00" + "02" + "001D" + //   tag 0, 2 bytes: topic_config_error_code 29
            "05" + "03" + "AABBCC" + // tag 5, 3 bytes: unknown, skipped
            "00");
        var topic = Assert.Single(KafkaCodec.Deserialize<CreateTopicsResponse>(bytes, 5).Topics);
        Assert.Equal(ErrorCode.TopicAuthorizationFailed, topic.TopicConfigErrorCode);
        Assert.Null(topic.Configs);
    }

    [Fact]
    public void Response_rejects_a_config_error_tag_of_the_wrong_size()
    {
        var bytes = Convert.FromHexString(
            "00000000" + "02" + "0274" + "0000" + "00" + "00000001" + "0001" + "00" +
            "01" + "00" + "01" + "1D" + // tag 0 claiming 1 byte
            "00");
        Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Deserialize<CreateTopicsResponse>(bytes, 5));
    }
}
