using Beltline.Protocol.Messages;

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
}
