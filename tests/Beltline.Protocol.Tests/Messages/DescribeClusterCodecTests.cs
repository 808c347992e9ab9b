using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class DescribeClusterCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 1);

    private static DescribeClusterRequest Request(short? version) => new()
    {
        IncludeClusterAuthorizedOperations = true,
        EndpointType = Has(version, 1) ? EndpointType.Controllers : EndpointType.Brokers,
    };

    private static DescribeClusterResponse Response(short? version) => new()
    {
        ThrottleTimeMs = 250,
        ErrorCode = ErrorCode.ClusterAuthorizationFailed,
        ErrorMessage = "not allowed",
        EndpointType = Has(version, 1) ? EndpointType.Controllers : EndpointType.Brokers,
        ClusterId = "5L6g3nShT-eMCtK--X86sw",
        ControllerId = 2,
        Brokers =
        [
            new() { BrokerId = 1, Host = "b1.example", Port = 9092, Rack = "rack-a" },
            new() { BrokerId = 2, Host = "b2.example", Port = 9093, Rack = null },
        ],
        ClusterAuthorizedOperations = 0x0BF8,
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(null), Response(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    [Fact]
    public void Defaults_are_the_spec_defaults()
    {
        var response = new DescribeClusterResponse();
        Assert.Equal(-1, response.ControllerId);
        Assert.Equal(int.MinValue, response.ClusterAuthorizedOperations);
        Assert.Equal(EndpointType.Brokers, response.EndpointType);
        Assert.Equal(EndpointType.Brokers, new DescribeClusterRequest().EndpointType);
    }

    [Fact]
    public void Request_v0_golden_bytes() => Golden(new DescribeClusterRequest { IncludeClusterAuthorizedOperations = true }, 0,
        "01" +                 // include_cluster_authorized_operations
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v1_golden_bytes() => Golden(new DescribeClusterRequest { EndpointType = EndpointType.Controllers }, 1,
        "00" +                 // include_cluster_authorized_operations false
        "02" +                 // endpoint_type 2 controllers
        "00");                 // TAG_BUFFER

    private static DescribeClusterResponse GoldenResponse() => new()
    {
        ThrottleTimeMs = 100,
        ClusterId = "c",
        ControllerId = 1,
        Brokers = [new() { BrokerId = 1, Host = "h", Port = 9092 }],
    };

    [Fact]
    public void Response_v0_golden_bytes() => Golden(GoldenResponse(), 0,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00" +                 // error_message null
        "02" + "63" +          // cluster_id "c"
        "00000001" +           // controller_id 1
        "02" +                 // brokers: 1
        "00000001" +           //   broker_id 1
        "02" + "68" +          //   host "h"
        "00002384" +           //   port 9092
        "00" +                 //   rack null
        "00" +                 //   TAG_BUFFER
        "80000000" +           // cluster_authorized_operations INT32_MIN: not requested
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v1_golden_bytes() => Golden(GoldenResponse(), 1,
        "00000064" +           // throttle_time_ms 100
        "0000" +               // error_code 0
        "00" +                 // error_message null
        "01" +                 // endpoint_type 1 brokers
        "02" + "63" +          // cluster_id "c"
        "00000001" +           // controller_id 1
        "02" +                 // brokers: 1
        "00000001" + "02" + "68" + "00002384" + "00" + "00" + // 1, "h", 9092, rack null, TAG_BUFFER
        "80000000" +           // cluster_authorized_operations
        "00");                 // TAG_BUFFER
}
