using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class DeleteTopicsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 6);

    private static readonly KafkaUuid PaymentsId = new(0x0102030405060708, 0x090A0B0C0D0E0F10);

    private static DeleteTopicsRequest Request(short? version) => new()
    {
        Topics = Has(version, 6) ? [new() { Name = "orders" }, new() { Name = null, TopicId = PaymentsId }] : [],
        TopicNames = Has(version, 0, 5) ? ["orders", "payments"] : [],
        TimeoutMs = 15000,
    };

    private static DeleteTopicsResponse Response(short? version) => new()
    {
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
        Responses =
        [
            new() { Name = "orders", TopicId = Has(version, 6) ? PaymentsId : default },
            new()
            {
                Name = "locked",
                ErrorCode = ErrorCode.TopicDeletionDisabled,
                ErrorMessage = Has(version, 5) ? "deletion is disabled" : null,
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

    [Fact]
    public void Response_v6_round_trips_a_null_name_for_a_topic_asked_for_by_id()
    {
        var response = new DeleteTopicsResponse { Responses = [new() { Name = null, TopicId = PaymentsId, ErrorCode = ErrorCode.UnknownTopicId }] };
        RoundTrips(response, response, 6);
    }

    [Fact]
    public void Response_before_v6_refuses_to_write_a_null_name()
    {
        var response = new DeleteTopicsResponse { Responses = [new() { Name = null, ErrorCode = ErrorCode.UnknownTopicId }] };
        Assert.Throws<InvalidOperationException>(() => KafkaCodec.Serialize(response, 5));
    }

    // Golden bytes of a one-topic response at every version, to pin where each field starts to appear.
    [Theory]
    [InlineData(0, "00000001" + "0001" + "74" + "0000")] // [responses => name error_code]
    [InlineData(1, "00000000" + "00000001" + "0001" + "74" + "0000")] // throttle_time_ms first
    [InlineData(3, "00000000" + "00000001" + "0001" + "74" + "0000")]
    [InlineData(4, "00000000" + "02" + "0274" + "0000" + "00" + "00")] // compact, TAG_BUFFERs
    [InlineData(5, "00000000" + "02" + "0274" + "0000" + "00" + "00" + "00")] // + error_message
    [InlineData(6, "00000000" + "02" + "0274" + "00000000000000000000000000000000" + "0000" + "00" + "00" + "00")] // + topic_id
    public void Response_layout_at_each_version(short version, string hex) =>
        Golden(new DeleteTopicsResponse { Responses = [new() { Name = "t" }] }, version, hex);

    [Fact]
    public void Request_v3_golden_bytes() => Golden(new DeleteTopicsRequest { TopicNames = ["a", "b"], TimeoutMs = 5000 }, 3,
        "00000002" +           // topic_names: 2
        "0001" + "61" +        //   "a"
        "0001" + "62" +        //   "b"
        "00001388");           // timeout_ms 5000

    [Fact]
    public void Request_v4_golden_bytes() => Golden(new DeleteTopicsRequest { TopicNames = ["a", "b"], TimeoutMs = 5000 }, 4,
        "03" +                 // topic_names: 2 (count + 1)
        "02" + "61" +          //   "a"
        "02" + "62" +          //   "b"
        "00001388" +           // timeout_ms 5000
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v6_golden_bytes_name_topics_by_name_or_id() => Golden(new DeleteTopicsRequest
    {
        Topics = [new() { Name = "a" }, new() { TopicId = PaymentsId }],
        TimeoutMs = 5000,
    }, 6,
        "03" +                 // topics: 2
        "02" + "61" +          //   name "a"
        "00000000000000000000000000000000" + // topic_id zero
        "00" +                 //   TAG_BUFFER
        "00" +                 //   name null
        "0102030405060708" + "090A0B0C0D0E0F10" + // topic_id
        "00" +                 //   TAG_BUFFER
        "00001388" +           // timeout_ms 5000
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v3_golden_bytes() => Golden(new DeleteTopicsResponse
    {
        ThrottleTimeMs = 100,
        Responses = [new() { Name = "a" }, new() { Name = "b", ErrorCode = ErrorCode.UnknownTopicOrPartition }],
    }, 3,
        "00000064" +           // throttle_time_ms 100
        "00000002" +           // responses: 2
        "0001" + "61" + "0000" + //  "a", error_code 0
        "0001" + "62" + "0003"); //  "b", error_code 3 UNKNOWN_TOPIC_OR_PARTITION

    [Fact]
    public void Response_v4_golden_bytes() => Golden(new DeleteTopicsResponse
    {
        ThrottleTimeMs = 100,
        Responses = [new() { Name = "a" }, new() { Name = "b", ErrorCode = ErrorCode.UnknownTopicOrPartition }],
    }, 4,
        "00000064" +           // throttle_time_ms 100
        "03" +                 // responses: 2
        "02" + "61" + "0000" + "00" + // "a", error_code 0, TAG_BUFFER
        "02" + "62" + "0003" + "00" + // "b", error_code 3, TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v6_golden_bytes() => Golden(new DeleteTopicsResponse
    {
        Responses = [new() { Name = null, TopicId = PaymentsId, ErrorCode = ErrorCode.UnknownTopicId, ErrorMessage = "gone" }],
    }, 6,
        "00000000" +           // throttle_time_ms 0
        "02" +                 // responses: 1
        "00" +                 //   name null
        "0102030405060708" + "090A0B0C0D0E0F10" + // topic_id
        "0064" +               //   error_code 100 UNKNOWN_TOPIC_ID
        "05" + "676F6E65" +    //   error_message "gone"
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER
}
