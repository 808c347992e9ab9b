using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class DescribeConfigsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 4);

    private static DescribeConfigsRequest Request(short? version) => new()
    {
        Resources =
        [
            new() { ResourceType = ConfigResourceType.Topic, ResourceName = "orders", ConfigurationKeys = ["cleanup.policy", "retention.ms"] },
            new() { ResourceType = ConfigResourceType.Broker, ResourceName = "1", ConfigurationKeys = null },
        ],
        IncludeSynonyms = Has(version, 1),
        IncludeDocumentation = Has(version, 3),
    };

    private static DescribeConfigsResponse Response(short? version) => new()
    {
        ThrottleTimeMs = 250,
        Results =
        [
            new()
            {
                ResourceType = ConfigResourceType.Topic,
                ResourceName = "orders",
                Configs =
                [
                    new()
                    {
                        Name = "cleanup.policy",
                        Value = "compact",
                        IsDefault = Has(version, 0, 0),
                        ConfigSource = Has(version, 1) ? ConfigSource.DynamicTopicConfig : ConfigSource.NotSent,
                        Synonyms = Has(version, 1)
                            ?
                            [
                                new() { Name = "cleanup.policy", Value = "compact", Source = ConfigSource.DynamicTopicConfig },
                                new() { Name = "log.cleanup.policy", Value = null, Source = ConfigSource.DefaultConfig },
                            ]
                            : [],
                        ConfigType = Has(version, 3) ? ConfigType.List : ConfigType.Unknown,
                        Documentation = Has(version, 3) ? "How old segments are discarded." : null,
                    },
                    new()
                    {
                        Name = "sasl.password",
                        Value = null,
                        ReadOnly = true,
                        ConfigSource = Has(version, 1) ? ConfigSource.StaticBrokerConfig : ConfigSource.NotSent,
                        IsSensitive = true,
                    },
                ],
            },
            new()
            {
                ErrorCode = ErrorCode.UnknownTopicOrPartition,
                ErrorMessage = "no such topic",
                ResourceType = ConfigResourceType.BrokerLogger,
                ResourceName = "gone",
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

    // Golden bytes of one resource at every version, to pin where each field starts to appear.
    [Theory]
    [InlineData(0, "00000001" + "02" + "0001" + "74" + "FFFFFFFF")] // [resources => resource_type resource_name [configuration_keys]]
    [InlineData(1, "00000001" + "02" + "0001" + "74" + "FFFFFFFF" + "00")] // + include_synonyms
    [InlineData(2, "00000001" + "02" + "0001" + "74" + "FFFFFFFF" + "00")]
    [InlineData(3, "00000001" + "02" + "0001" + "74" + "FFFFFFFF" + "00" + "00")] // + include_documentation
    [InlineData(4, "02" + "02" + "0274" + "00" + "00" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    public void Request_layout_at_each_version(short version, string hex) =>
        Golden(new DescribeConfigsRequest { Resources = [new() { ResourceType = ConfigResourceType.Topic, ResourceName = "t" }] }, version, hex);

    // One config "a" without a value; config_source is the spec's placeholder -1 from v1.
    [Theory]
    [InlineData(0, "00000000" + "00000001" + "0000" + "FFFF" + "02" + "0001" + "74" + "00000001" + "0001" + "61" + "FFFF" + "00" + "00" + "00")] // name value read_only is_default is_sensitive
    [InlineData(1, "00000000" + "00000001" + "0000" + "FFFF" + "02" + "0001" + "74" + "00000001" + "0001" + "61" + "FFFF" + "00" + "FF" + "00" + "00000000")] // config_source for is_default, + [synonyms]
    [InlineData(2, "00000000" + "00000001" + "0000" + "FFFF" + "02" + "0001" + "74" + "00000001" + "0001" + "61" + "FFFF" + "00" + "FF" + "00" + "00000000")]
    [InlineData(3, "00000000" + "00000001" + "0000" + "FFFF" + "02" + "0001" + "74" + "00000001" + "0001" + "61" + "FFFF" + "00" + "FF" + "00" + "00000000" + "00" + "FFFF")] // + config_type documentation
    [InlineData(4, "00000000" + "02" + "0000" + "00" + "02" + "0274" + "02" + "0261" + "00" + "00" + "FF" + "00" + "01" + "00" + "00" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    public void Response_layout_at_each_version(short version, string hex) => Golden(new DescribeConfigsResponse
    {
        Results = [new() { ResourceType = ConfigResourceType.Topic, ResourceName = "t", Configs = [new() { Name = "a" }] }],
    }, version, hex);

    private static DescribeConfigsRequest GoldenRequest() => new()
    {
        Resources =
        [
            new() { ResourceType = ConfigResourceType.Topic, ResourceName = "t", ConfigurationKeys = ["a"] },
            new() { ResourceType = ConfigResourceType.Broker, ResourceName = "1", ConfigurationKeys = null },
        ],
        IncludeSynonyms = true,
        IncludeDocumentation = true,
    };

    [Fact]
    public void Request_v3_golden_bytes() => Golden(GoldenRequest(), 3,
        "00000002" +           // resources: 2
        "02" +                 //   resource_type 2 TOPIC
        "0001" + "74" +        //   resource_name "t"
        "00000001" + "0001" + "61" + // configuration_keys ["a"]
        "04" +                 //   resource_type 4 BROKER
        "0001" + "31" +        //   resource_name "1"
        "FFFFFFFF" +           //   configuration_keys null: all
        "01" +                 // include_synonyms
        "01");                 // include_documentation

    [Fact]
    public void Request_v4_golden_bytes() => Golden(GoldenRequest(), 4,
        "03" +                 // resources: 2
        "02" + "02" + "74" +   //   TOPIC "t"
        "02" + "02" + "61" +   //   configuration_keys ["a"]
        "00" +                 //   TAG_BUFFER
        "04" + "02" + "31" +   //   BROKER "1"
        "00" +                 //   configuration_keys null
        "00" +                 //   TAG_BUFFER
        "01" +                 // include_synonyms
        "01" +                 // include_documentation
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v0_golden_bytes_carry_is_default() => Golden(new DescribeConfigsResponse
    {
        ThrottleTimeMs = 100,
        Results =
        [
            new()
            {
                ResourceType = ConfigResourceType.Topic,
                ResourceName = "t",
                Configs = [new() { Name = "a", Value = "b", ReadOnly = true, IsDefault = true, IsSensitive = false }],
            },
        ],
    }, 0,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // results: 1
        "0000" +               //   error_code 0
        "FFFF" +               //   error_message null
        "02" +                 //   resource_type TOPIC
        "0001" + "74" +        //   resource_name "t"
        "00000001" +           //   configs: 1
        "0001" + "61" +        //     name "a"
        "0001" + "62" +        //     value "b"
        "01" +                 //     read_only
        "01" +                 //     is_default (v0 only)
        "00");                 //     is_sensitive

    private static DescribeConfigsResponse GoldenResponse() => new()
    {
        ThrottleTimeMs = 100,
        Results =
        [
            new()
            {
                ResourceType = ConfigResourceType.Topic,
                ResourceName = "t",
                Configs =
                [
                    new()
                    {
                        Name = "a",
                        Value = "b",
                        ConfigSource = ConfigSource.DynamicTopicConfig,
                        Synonyms = [new() { Name = "a", Value = "b", Source = ConfigSource.DynamicTopicConfig }, new() { Name = "c", Source = ConfigSource.DefaultConfig }],
                        ConfigType = ConfigType.String,
                        Documentation = "d",
                    },
                ],
            },
        ],
    };

    [Fact]
    public void Response_v3_golden_bytes() => Golden(GoldenResponse(), 3,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // results: 1
        "0000" + "FFFF" +      //   error_code 0, error_message null
        "02" + "0001" + "74" + //   TOPIC "t"
        "00000001" +           //   configs: 1
        "0001" + "61" +        //     name "a"
        "0001" + "62" +        //     value "b"
        "00" +                 //     read_only false
        "01" +                 //     config_source 1 DYNAMIC_TOPIC_CONFIG
        "00" +                 //     is_sensitive false
        "00000002" +           //     synonyms: 2
        "0001" + "61" + "0001" + "62" + "01" + // "a" = "b", source 1
        "0001" + "63" + "FFFF" + "05" +        // "c" = null, source 5 DEFAULT_CONFIG
        "02" +                 //     config_type 2 STRING
        "0001" + "64");        //     documentation "d"

    [Fact]
    public void Response_v4_golden_bytes() => Golden(GoldenResponse(), 4,
        "00000064" +           // throttle_time_ms 100
        "02" +                 // results: 1
        "0000" + "00" +        //   error_code 0, error_message null
        "02" + "02" + "74" +   //   TOPIC "t"
        "02" +                 //   configs: 1
        "02" + "61" +          //     name "a"
        "02" + "62" +          //     value "b"
        "00" + "01" + "00" +   //     read_only false, config_source 1, is_sensitive false
        "03" +                 //     synonyms: 2
        "02" + "61" + "02" + "62" + "01" + "00" + // "a" = "b", source 1, TAG_BUFFER
        "02" + "63" + "00" + "05" + "00" +        // "c" = null, source 5, TAG_BUFFER
        "02" +                 //     config_type STRING
        "02" + "64" +          //     documentation "d"
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
