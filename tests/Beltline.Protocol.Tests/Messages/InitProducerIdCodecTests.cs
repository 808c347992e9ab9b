using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class InitProducerIdCodecTests
{
    // v1 is byte-for-byte v0; v4 and v5 are v3. They are covered because ApiSpec serves them.
    public static TheoryData<short> AllVersions => Versions(0, 5);

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static InitProducerIdRequest Request(short? version) => new()
    {
        TransactionalId = "txn-orders",
        TransactionTimeoutMs = 60_000,
        ProducerId = Has(version, 3) ? 4_000 : -1,
        ProducerEpoch = Has(version, 3) ? (short)7 : (short)-1,
    };

    private static InitProducerIdResponse Response() => new()
    {
        ThrottleTimeMs = 250,
        ErrorCode = ErrorCode.ProducerFenced,
        ProducerId = 4_000,
        ProducerEpoch = 8,
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    // Every response field exists at every version.
    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(), Response(), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips_without_a_transactional_id(short version)
    {
        var request = Request(version);
        request.TransactionalId = null;
        RoundTrips(request, request, version);
    }

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(), version);

    // --- Golden bytes at every version, to pin where each field starts to appear.

    [Theory]
    [InlineData(0, "0001" + "74" + "0000EA60")]                                    // transactional_id transaction_timeout_ms
    [InlineData(1, "0001" + "74" + "0000EA60")]
    [InlineData(2, "02" + "74" + "0000EA60" + "00")]                               // compact, TAG_BUFFER
    [InlineData(3, "02" + "74" + "0000EA60" + "0000000000000007" + "0003" + "00")] // + producer_id producer_epoch
    [InlineData(4, "02" + "74" + "0000EA60" + "0000000000000007" + "0003" + "00")]
    [InlineData(5, "02" + "74" + "0000EA60" + "0000000000000007" + "0003" + "00")]
    public void Request_layout_at_each_version(short version, string hex) => Golden(new InitProducerIdRequest
    {
        TransactionalId = "t",
        TransactionTimeoutMs = 60_000,
        ProducerId = version >= 3 ? 7 : -1,
        ProducerEpoch = version >= 3 ? (short)3 : (short)-1,
    }, version, hex);

    [Theory]
    [InlineData(0, "00000000" + "0000" + "0000000000000007" + "0003")]        // throttle_time_ms error_code producer_id producer_epoch
    [InlineData(1, "00000000" + "0000" + "0000000000000007" + "0003")]
    [InlineData(2, "00000000" + "0000" + "0000000000000007" + "0003" + "00")] // + TAG_BUFFER
    [InlineData(5, "00000000" + "0000" + "0000000000000007" + "0003" + "00")]
    public void Response_layout_at_each_version(short version, string hex) =>
        Golden(new InitProducerIdResponse { ProducerId = 7, ProducerEpoch = 3 }, version, hex);

    [Fact]
    public void Request_v0_golden_bytes_for_an_idempotent_producer() => Golden(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 0 }, 0,
        "FFFF" +                       // transactional_id null (NULLABLE_STRING)
        "00000000");                   // transaction_timeout_ms 0

    [Fact]
    public void Request_v3_golden_bytes() => Golden(new InitProducerIdRequest
    {
        TransactionalId = null,
        TransactionTimeoutMs = 100,
        ProducerId = 7,
        ProducerEpoch = 3,
    }, 3,
        "00" +                         // transactional_id null (COMPACT_NULLABLE_STRING)
        "00000064" +                   // transaction_timeout_ms 100
        "0000000000000007" +           // producer_id 7
        "0003" +                       // producer_epoch 3
        "00");                         // TAG_BUFFER

    [Fact]
    public void Response_v4_golden_bytes() => Golden(new InitProducerIdResponse
    {
        ThrottleTimeMs = 100,
        ErrorCode = ErrorCode.ProducerFenced,
        ProducerId = -1,
        ProducerEpoch = -1,
    }, 4,
        "00000064" +                   // throttle_time_ms 100
        "005A" +                       // error_code 90 PRODUCER_FENCED
        "FFFFFFFFFFFFFFFF" +           // producer_id -1
        "FFFF" +                       // producer_epoch -1
        "00");                         // TAG_BUFFER

    [Fact]
    public void Defaults_match_the_spec()
    {
        var request = new InitProducerIdRequest();
        Assert.Equal(-1, request.ProducerId);
        Assert.Equal(-1, request.ProducerEpoch);
        Assert.Equal(-1, new InitProducerIdResponse().ProducerId);
    }
}
