using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class IncrementalAlterConfigsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 1);

    // Every field exists in every version.
    private static IncrementalAlterConfigsRequest Request() => new()
    {
        Resources =
        [
            new()
            {
                ResourceType = ConfigResourceType.Topic,
                ResourceName = "orders",
                Configs =
                [
                    new() { Name = "retention.ms", ConfigOperation = AlterConfigOpType.Set, Value = "86400000" },
                    new() { Name = "segment.ms", ConfigOperation = AlterConfigOpType.Delete, Value = null },
                    new() { Name = "cleanup.policy", ConfigOperation = AlterConfigOpType.Append, Value = "compact" },
                    new() { Name = "follower.replication.throttled.replicas", ConfigOperation = AlterConfigOpType.Subtract, Value = "0:1" },
                ],
            },
            new() { ResourceType = ConfigResourceType.BrokerLogger, ResourceName = "1" },
        ],
        ValidateOnly = true,
    };

    private static IncrementalAlterConfigsResponse Response() => new()
    {
        ThrottleTimeMs = 250,
        Responses =
        [
            new() { ResourceType = ConfigResourceType.Topic, ResourceName = "orders" },
            new() { ErrorCode = ErrorCode.InvalidRequest, ErrorMessage = "unknown logger", ResourceType = ConfigResourceType.BrokerLogger, ResourceName = "1" },
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

    private static IncrementalAlterConfigsRequest GoldenRequest() => new()
    {
        Resources =
        [
            new()
            {
                ResourceType = ConfigResourceType.Broker,
                ResourceName = "1",
                Configs = [new() { Name = "a", ConfigOperation = AlterConfigOpType.Append, Value = "b" }, new() { Name = "c", ConfigOperation = AlterConfigOpType.Delete }],
            },
        ],
        ValidateOnly = false,
    };

    private static IncrementalAlterConfigsResponse GoldenResponse() => new()
    {
        ThrottleTimeMs = 100,
        Responses = [new() { ResourceType = ConfigResourceType.Broker, ResourceName = "1" }],
    };

    [Fact]
    public void Request_v0_golden_bytes() => Golden(GoldenRequest(), 0,
        "00000001" +           // resources: 1
        "04" +                 //   resource_type BROKER
        "0001" + "31" +        //   resource_name "1"
        "00000002" +           //   configs: 2
        "0001" + "61" + "02" + "0001" + "62" + // "a", config_operation 2 APPEND, value "b"
        "0001" + "63" + "01" + "FFFF" +        // "c", config_operation 1 DELETE, value null
        "00");                 // validate_only false

    [Fact]
    public void Request_v1_golden_bytes() => Golden(GoldenRequest(), 1,
        "02" +                 // resources: 1
        "04" + "02" + "31" +   //   BROKER "1"
        "03" +                 //   configs: 2
        "02" + "61" + "02" + "02" + "62" + "00" + // "a", APPEND, "b", TAG_BUFFER
        "02" + "63" + "01" + "00" + "00" +        // "c", DELETE, null, TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00" +                 // validate_only false
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v0_golden_bytes() => Golden(GoldenResponse(), 0,
        "00000064" +           // throttle_time_ms 100
        "00000001" +           // responses: 1
        "0000" +               //   error_code 0
        "FFFF" +               //   error_message null
        "04" +                 //   resource_type BROKER
        "0001" + "31");        //   resource_name "1"

    [Fact]
    public void Response_v1_golden_bytes() => Golden(GoldenResponse(), 1,
        "00000064" +           // throttle_time_ms 100
        "02" +                 // responses: 1
        "0000" + "00" +        //   error_code 0, error_message null
        "04" + "02" + "31" +   //   BROKER "1"
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
