using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class AlterConfigsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 2);

    // Every field exists in every version.
    private static AlterConfigsRequest Request() => new()
    {
        Resources =
        [
            new()
            {
                ResourceType = ConfigResourceType.Topic,
                ResourceName = "orders",
                Configs = [new() { Name = "retention.ms", Value = "86400000" }, new() { Name = "cleanup.policy", Value = null }],
            },
            new() { ResourceType = ConfigResourceType.Broker, ResourceName = "1" },
        ],
        ValidateOnly = true,
    };

    private static AlterConfigsResponse Response() => new()
    {
        ThrottleTimeMs = 250,
        Responses =
        [
            new() { ResourceType = ConfigResourceType.Topic, ResourceName = "orders" },
            new() { ErrorCode = ErrorCode.InvalidConfig, ErrorMessage = "read-only", ResourceType = ConfigResourceType.Broker, ResourceName = "1" },
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

    private static AlterConfigsRequest GoldenRequest() => new()
    {
        Resources = [new() { ResourceType = ConfigResourceType.Topic, ResourceName = "t", Configs = [new() { Name = "a", Value = "b" }, new() { Name = "c" }] }],
        ValidateOnly = true,
    };

    private static AlterConfigsResponse GoldenResponse() => new()
    {
        ThrottleTimeMs = 100,
        Responses = [new() { ErrorCode = ErrorCode.InvalidConfig, ErrorMessage = "x", ResourceType = ConfigResourceType.Topic, ResourceName = "t" }],
    };

    [Fact]
    public void Request_v1_golden_bytes() => Golden(GoldenRequest(), 1,
        "00000001" +           // resources: 1
        "02" +                 //   resource_type TOPIC
        "0001" + "74" +        //   resource_name "t"
        "00000002" +           //   configs: 2
        "0001" + "61" + "0001" + "62" + // "a" = "b"
        "0001" + "63" + "FFFF" +        // "c" = null
        "01");                 // validate_only

    [Fact]
    public void Request_v2_golden_bytes() => Golden(GoldenRequest(), 2,
        "02" +                 // resources: 1
        "02" + "02" + "74" +   //   TOPIC "t"
        "03" +                 //   configs: 2
        "02" + "61" + "02" + "62" + "00" + // "a" = "b", TAG_BUFFER
        "02" + "63" + "00" + "00" +        // "c" = null, TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "01" +                 // validate_only
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v1_golden_bytes() => Golden(GoldenResponse(), 1,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // responses: 1
        "0028" +               //   error_code 40 INVALID_CONFIG
        "0001" + "78" +        //   error_message "x"
        "02" +                 //   resource_type TOPIC
        "0001" + "74");        //   resource_name "t"

    [Fact]
    public void Response_v2_golden_bytes() => Golden(GoldenResponse(), 2,
        "00000064" +           // throttle_time_ms 100
        "02" +                 // responses: 1
        "0028" +               //   error_code 40
        "02" + "78" +          //   error_message "x"
        "02" +                 //   resource_type TOPIC
        "02" + "74" +          //   resource_name "t"
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
