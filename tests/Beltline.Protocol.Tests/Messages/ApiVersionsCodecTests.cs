using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class ApiVersionsCodecTests
{
    private static ApiVersionsResponse Sample() => new()
    {
        ErrorCode = ErrorCode.None,
        ApiKeys = [new(ApiKey.Produce, 0, 10), new(ApiKey.Metadata, 0, 12)],
        ThrottleTimeMs = 7,
    };

    [Fact]
    public void Response_v0_golden_bytes()
    {
        var bytes = KafkaCodec.Serialize(Sample(), 0);
        Assert.Equal(Convert.FromHexString("0000" + "00000002" + "0000" + "0000" + "000A" + "0003" + "0000" + "000C"), bytes);
    }

    [Fact]
    public void Response_v3_golden_bytes_use_compact_array_and_tags()
    {
        var bytes = KafkaCodec.Serialize(Sample(), 3);
        Assert.Equal(Convert.FromHexString("0000" + "03" + "0000000000" + "0A00" + "0003" + "0000" + "000C00" + "00000007" + "00"), bytes);
    }

    [Fact]
    public void Request_v3_golden_bytes()
    {
        var bytes = KafkaCodec.Serialize(new ApiVersionsRequest { ClientSoftwareName = "rdk", ClientSoftwareVersion = "2" }, 3);
        Assert.Equal(Convert.FromHexString("04" + "72646B" + "02" + "32" + "00"), bytes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Response_round_trips(short version)
    {
        var decoded = KafkaCodec.Deserialize<ApiVersionsResponse>(KafkaCodec.Serialize(Sample(), version), version);
        Assert.Equal(Sample().ApiKeys, decoded.ApiKeys);
        Assert.Equal(version >= 1 ? 7 : 0, decoded.ThrottleTimeMs);
    }

    [Fact]
    public void Truncated_response_throws_protocol_exception()
    {
        var bytes = KafkaCodec.Serialize(Sample(), 3);
        Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Deserialize<ApiVersionsResponse>(bytes.AsMemory(0, bytes.Length - 3), 3));
    }

    public static TheoryData<short> AllVersions => Versions(0, 3);

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static ApiVersionsRequest Request(short? version) => new()
    {
        ClientSoftwareName = Has(version, 3) ? "beltline-client" : "",
        ClientSoftwareVersion = Has(version, 3) ? "1.2.3" : "",
    };

    private static ApiVersionsResponse Response(short? version) => new()
    {
        ErrorCode = ErrorCode.UnsupportedVersion,
        ApiKeys = [new(ApiKey.Produce, 3, 10), new(ApiKey.Fetch, 4, 16), new(ApiKey.ApiVersions, 0, 3)],
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips_every_field(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips_every_field(short version) => RoundTrips(Response(null), Response(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Every_truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    [Fact]
    public void Every_truncated_request_throws_protocol_exception() => EveryTruncationThrows(Request(3), 3);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Request_before_v3_has_an_empty_body(short version) => Golden(new ApiVersionsRequest(), version, "");

    [Fact]
    public void Request_v3_golden_bytes_read_back() => Golden(new ApiVersionsRequest { ClientSoftwareName = "rdk", ClientSoftwareVersion = "2" }, 3,
        "04" + "72646B" +      // client_software_name "rdk" (COMPACT_STRING: length + 1)
        "02" + "32" +          // client_software_version "2"
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v3_rejects_a_null_client_software_name() =>
        Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Deserialize<ApiVersionsRequest>(Convert.FromHexString("00" + "0232" + "00"), 3));

    [Fact]
    public void Response_v2_golden_bytes_last_non_flexible() => Golden(Sample(), 2,
        "0000" +               // error_code 0
        "00000002" +           // api_keys: 2 (INT32 count)
        "0000" + "0000" + "000A" + // Produce 0–10
        "0003" + "0000" + "000C" + // Metadata 0–12
        "00000007");           // throttle_time_ms 7

    [Fact]
    public void Response_v3_golden_bytes_read_back() => Golden(Sample(), 3,
        "0000" +               // error_code 0
        "03" +                 // api_keys: 2 (count + 1)
        "0000" + "0000" + "000A" + "00" + // Produce 0–10, TAG_BUFFER
        "0003" + "0000" + "000C" + "00" + // Metadata 0–12, TAG_BUFFER
        "00000007" +           // throttle_time_ms 7
        "00");                 // TAG_BUFFER: no supported/finalized features

    [Fact]
    public void Response_v3_skips_the_feature_tags()
    {
        var response = KafkaCodec.Deserialize<ApiVersionsResponse>(Convert.FromHexString(
            "0023" +                                // error_code 35 UNSUPPORTED_VERSION
            "02" + "0012" + "0000" + "0003" + "00" + // api_keys: [ApiVersions 0–3]
            "00000000" +                            // throttle_time_ms
            "03" +                                  // TAG_BUFFER: 3 fields
            "00" + "08" + "02" + "0278" + "0001" + "0002" + "00" + // tag 0 supported_features: ["x" 1–2]
            "01" + "08" + "0000000000000005" +      //   tag 1 finalized_features_epoch 5
            "03" + "01" + "01"), 3);                //   tag 3 zk_migration_ready true
        Assert.Equal(ErrorCode.UnsupportedVersion, response.ErrorCode);
        Assert.Equal([new ApiVersionRange(ApiKey.ApiVersions, 0, 3)], response.ApiKeys);
    }
}
