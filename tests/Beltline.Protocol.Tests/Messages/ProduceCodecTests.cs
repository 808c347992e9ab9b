using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class ProduceCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 10);

    // The codec carries records as opaque bytes; any content will do. The larger one needs a two-byte compact length.
    private static readonly byte[] SmallBatch = [0x00, 0x01, 0x02, 0xFE, 0xFF];
    private static readonly byte[] LargeBatch = [.. Enumerable.Range(0, 200).Select(i => (byte)(i * 7))];

    /// <summary>Non-default values in every field of <paramref name="version"/> (null: of every version).</summary>
    private static ProduceRequest Request(short? version) => new()
    {
        TransactionalId = Has(version, 3) ? "txn-1" : null,
        Acks = 1,
        TimeoutMs = 30000,
        Topics =
        [
            new()
            {
                Name = "orders",
                Partitions = [new() { Index = 0, Records = SmallBatch }, new() { Index = 3, Records = null }],
            },
            new() { Name = "payments", Partitions = [new() { Index = 1, Records = LargeBatch }, new() { Index = 2, Records = Array.Empty<byte>() }] },
        ],
    };

    private static ProduceResponse Response(short? version) => new()
    {
        Topics =
        [
            new()
            {
                Name = "orders",
                Partitions =
                [
                    new()
                    {
                        Index = 0,
                        BaseOffset = 42,
                        LogAppendTimeMs = Has(version, 2) ? 1_700_000_000_000 : -1,
                        LogStartOffset = Has(version, 5) ? 5 : -1,
                    },
                    new()
                    {
                        Index = 3,
                        ErrorCode = ErrorCode.InvalidRecord,
                        BaseOffset = -1,
                        LogStartOffset = Has(version, 5) ? 0 : -1,
                        RecordErrors = Has(version, 8) ? [new(0, "bad key"), new(2, null)] : [],
                        ErrorMessage = Has(version, 8) ? "2 records invalid" : null,
                    },
                ],
            },
            new() { Name = "payments", Partitions = [new() { Index = 1, ErrorCode = ErrorCode.NotLeaderOrFollower }] },
        ],
        ThrottleTimeMs = Has(version, 1) ? 250 : 0,
    };

    [Theory, MemberData(nameof(AllVersions))]
    public void Request_round_trips(short version) => RoundTrips(Request(null), Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Response_round_trips(short version) => RoundTrips(Response(null), Response(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_request_throws_protocol_exception(short version) => EveryTruncationThrows(Request(version), version);

    [Theory, MemberData(nameof(AllVersions))]
    public void Truncated_response_throws_protocol_exception(short version) => EveryTruncationThrows(Response(version), version);

    // --- Golden bytes of a small default message at every version, to pin where each field starts to appear.

    [Theory]
    [InlineData(0, "FFFF" + "00000000" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "00000000")] // acks timeout_ms [topic_data => name [index records]]
    [InlineData(2, "FFFF" + "00000000" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "00000000")]
    [InlineData(3, "FFFF" + "FFFF" + "00000000" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "00000000")] // + transactional_id first
    [InlineData(8, "FFFF" + "FFFF" + "00000000" + "00000001" + "0001" + "74" + "00000001" + "00000000" + "00000000")]
    [InlineData(9, "00" + "FFFF" + "00000000" + "02" + "0274" + "02" + "00000000" + "01" + "00" + "00" + "00")] // compact, TAG_BUFFERs
    [InlineData(10, "00" + "FFFF" + "00000000" + "02" + "0274" + "02" + "00000000" + "01" + "00" + "00" + "00")]
    public void Request_layout_at_each_version(short version, string hex) =>
        Golden(new ProduceRequest { Topics = [new() { Name = "t", Partitions = [new() { Records = Array.Empty<byte>() }] }] }, version, hex);

    private const string V0Partition = "00000000" + "0000" + "FFFFFFFFFFFFFFFF"; // index 0, error_code 0, base_offset -1

    [Theory]
    [InlineData(0, "00000001" + "0001" + "74" + "00000001" + V0Partition)] // [responses => name [partition_responses]]
    [InlineData(1, "00000001" + "0001" + "74" + "00000001" + V0Partition + "00000000")] // + throttle_time_ms last
    [InlineData(2, "00000001" + "0001" + "74" + "00000001" + V0Partition + "FFFFFFFFFFFFFFFF" + "00000000")] // + log_append_time_ms
    [InlineData(5, "00000001" + "0001" + "74" + "00000001" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00000000")] // + log_start_offset
    [InlineData(8, "00000001" + "0001" + "74" + "00000001" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "00000000" + "FFFF" + "00000000")] // + [record_errors] error_message
    [InlineData(9, "02" + "0274" + "02" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "01" + "00" + "00" + "00" + "00000000" + "00")] // compact, TAG_BUFFERs
    [InlineData(10, "02" + "0274" + "02" + V0Partition + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "01" + "00" + "00" + "00" + "00000000" + "00")] // current_leader, node_endpoints never sent
    public void Response_layout_at_each_version(short version, string hex) =>
        Golden(new ProduceResponse { Topics = [new() { Name = "t", Partitions = [new()] }] }, version, hex);

    // --- Golden bytes with every field set, written out field by field.

    private static ProduceRequest GoldenRequest(string? transactionalId) => new()
    {
        TransactionalId = transactionalId,
        Acks = -1,
        TimeoutMs = 5000,
        Topics = [new() { Name = "t", Partitions = [new() { Index = 0, Records = new byte[] { 0xAA, 0xBB, 0xCC } }, new() { Index = 1, Records = null }] }],
    };

    [Fact]
    public void Request_v3_golden_bytes() => Golden(GoldenRequest(null), 3,
        "FFFF" +               // transactional_id null (NULLABLE_STRING -1)
        "FFFF" +               // acks -1 (all in-sync replicas)
        "00001388" +           // timeout_ms 5000
        "00000001" +           // topic_data: 1
        "0001" + "74" +        //   name "t"
        "00000002" +           //   partition_data: 2
        "00000000" +           //     index 0
        "00000003" + "AABBCC" + //    records (INT32 length)
        "00000001" +           //     index 1
        "FFFFFFFF");           //     records null

    [Fact]
    public void Request_v8_golden_bytes_last_non_flexible() => Golden(GoldenRequest("x"), 8,
        "0001" + "78" +        // transactional_id "x"
        "FFFF" +               // acks -1
        "00001388" +           // timeout_ms 5000
        "00000001" +           // topic_data: 1
        "0001" + "74" +        //   name "t"
        "00000002" +           //   partition_data: 2
        "00000000" + "00000003" + "AABBCC" + // index 0, records
        "00000001" + "FFFFFFFF");            // index 1, records null

    [Fact]
    public void Request_v9_golden_bytes_first_flexible() => Golden(GoldenRequest("x"), 9,
        "02" + "78" +          // transactional_id "x" (length + 1)
        "FFFF" +               // acks -1
        "00001388" +           // timeout_ms 5000
        "02" +                 // topic_data: 1 (count + 1)
        "02" + "74" +          //   name "t"
        "03" +                 //   partition_data: 2
        "00000000" +           //     index 0
        "04" + "AABBCC" +      //     records (COMPACT_RECORDS: length + 1)
        "00" +                 //     TAG_BUFFER
        "00000001" +           //     index 1
        "00" +                 //     records null
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_v9_golden_bytes_with_a_null_transactional_id() => Golden(new ProduceRequest { Acks = 0, TimeoutMs = 1, Topics = [] }, 9,
        "00" +                 // transactional_id null (COMPACT_NULLABLE_STRING 0)
        "0000" +               // acks 0
        "00000001" +           // timeout_ms 1
        "01" +                 // topic_data: 0
        "00");                 // TAG_BUFFER

    [Fact]
    public void Request_records_read_back_as_a_slice_of_the_body()
    {
        var bytes = KafkaCodec.Serialize(GoldenRequest(null), 3);
        var records = KafkaCodec.Deserialize<ProduceRequest>(bytes, 3).Topics[0].Partitions[0].Records;
        Assert.NotNull(records);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records.Value, out var segment));
        Assert.Same(bytes, segment.Array); // no copy of the batch
        Assert.Equal("AABBCC", Convert.ToHexString(records.Value.Span));
    }

    public static TheoryData<short> RecordBatchVersions => Versions(3, 10);

    [Theory, MemberData(nameof(RecordBatchVersions))]
    public void The_first_records_are_located_from_a_prefix_of_the_body(short version)
    {
        var bytes = KafkaCodec.Serialize(Request(version), version);
        var records = KafkaCodec.Deserialize<ProduceRequest>(bytes, version).Topics[0].Partitions[0].Records!.Value;
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records, out var segment));

        // Everything up to the records' first byte is enough; the records themselves need not have arrived.
        Assert.True(ProduceRequest.TryLocateFirstRecords(bytes.AsMemory(0, segment.Offset), version, out var topic, out var partition, out var offset));

        Assert.Equal(("orders", 0, segment.Offset), (topic, partition, offset));
    }

    [Theory, MemberData(nameof(RecordBatchVersions))]
    public void Locating_fails_quietly_on_a_prefix_too_short_for_the_first_records(short version)
    {
        var bytes = KafkaCodec.Serialize(Request(version), version);
        var recordsOffset = KafkaCodec.Deserialize<ProduceRequest>(bytes, version).Topics[0].Partitions[0].Records!.Value;
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(recordsOffset, out var segment));
        for (var length = 0; length < segment.Offset; length++)
            Assert.False(ProduceRequest.TryLocateFirstRecords(bytes.AsMemory(0, length), version, out _, out _, out _), $"prefix of {length} bytes");
    }

    [Theory]
    [InlineData(2)] // message sets v0/v1: not placed
    [InlineData(9)]
    public void Requests_without_records_up_front_are_not_located(short version)
    {
        var noTopics = KafkaCodec.Serialize(new ProduceRequest { Acks = -1, TimeoutMs = 1, Topics = [] }, version);
        var nullRecords = KafkaCodec.Serialize(new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 1,
            Topics = [new() { Name = "t", Partitions = [new() { Index = 0, Records = null }] }],
        }, version);

        Assert.False(ProduceRequest.TryLocateFirstRecords(noTopics, version, out _, out _, out _));
        Assert.False(ProduceRequest.TryLocateFirstRecords(nullRecords, version, out _, out _, out _));
    }

    private static ProduceResponse GoldenResponse(short version) => new()
    {
        Topics =
        [
            new()
            {
                Name = "t",
                Partitions =
                [
                    new() { Index = 0, BaseOffset = 42, LogAppendTimeMs = 1000, LogStartOffset = Has(version, 5) ? 0 : -1 },
                    new()
                    {
                        Index = 1,
                        ErrorCode = ErrorCode.InvalidRecord,
                        BaseOffset = -1,
                        RecordErrors = Has(version, 8) ? [new(2, "bad")] : [],
                        ErrorMessage = Has(version, 8) ? "oops" : null,
                    },
                ],
            },
        ],
        ThrottleTimeMs = 100,
    };

    [Fact]
    public void Response_v3_golden_bytes() => Golden(GoldenResponse(3), 3,
        "00000001" +           // responses: 1
        "0001" + "74" +        //   name "t"
        "00000002" +           //   partition_responses: 2
        "00000000" +           //     index 0
        "0000" +               //     error_code 0
        "000000000000002A" +   //     base_offset 42
        "00000000000003E8" +   //     log_append_time_ms 1000
        "00000001" +           //     index 1
        "0057" +               //     error_code 87 INVALID_RECORD
        "FFFFFFFFFFFFFFFF" +   //     base_offset -1
        "FFFFFFFFFFFFFFFF" +   //     log_append_time_ms -1
        "00000064");           // throttle_time_ms 100 (after the responses)

    [Fact]
    public void Response_v8_golden_bytes_last_non_flexible() => Golden(GoldenResponse(8), 8,
        "00000001" +           // responses: 1
        "0001" + "74" +        //   name "t"
        "00000002" +           //   partition_responses: 2
        "00000000" +           //     index 0
        "0000" +               //     error_code 0
        "000000000000002A" +   //     base_offset 42
        "00000000000003E8" +   //     log_append_time_ms 1000
        "0000000000000000" +   //     log_start_offset 0
        "00000000" +           //     record_errors: 0
        "FFFF" +               //     error_message null
        "00000001" +           //     index 1
        "0057" +               //     error_code 87 INVALID_RECORD
        "FFFFFFFFFFFFFFFF" +   //     base_offset -1
        "FFFFFFFFFFFFFFFF" +   //     log_append_time_ms -1
        "FFFFFFFFFFFFFFFF" +   //     log_start_offset -1
        "00000001" +           //     record_errors: 1
        "00000002" +           //       batch_index 2
        "0003" + "626164" +    //       batch_index_error_message "bad"
        "0004" + "6F6F7073" +  //     error_message "oops"
        "00000064");           // throttle_time_ms 100

    [Fact]
    public void Response_v9_golden_bytes_first_flexible() => Golden(GoldenResponse(9), 9,
        "02" +                 // responses: 1 (count + 1)
        "02" + "74" +          //   name "t"
        "03" +                 //   partition_responses: 2
        "00000000" + "0000" + "000000000000002A" + "00000000000003E8" + "0000000000000000" + // index error_code base_offset log_append_time_ms log_start_offset
        "01" +                 //     record_errors: 0
        "00" +                 //     error_message null
        "00" +                 //     TAG_BUFFER
        "00000001" + "0057" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" +
        "02" +                 //     record_errors: 1
        "00000002" +           //       batch_index 2
        "04" + "626164" +      //       batch_index_error_message "bad"
        "00" +                 //       TAG_BUFFER
        "05" + "6F6F7073" +    //     error_message "oops"
        "00" +                 //     TAG_BUFFER
        "00" +                 //   TAG_BUFFER
        "00000064" +           // throttle_time_ms 100
        "00");                 // TAG_BUFFER

    [Fact]
    public void Response_v10_skips_the_current_leader_and_node_endpoints_tags()
    {
        var response = KafkaCodec.Deserialize<ProduceResponse>(Convert.FromHexString(
            "02" + "0274" + "02" +                  // responses: [name "t", partition_responses: 1
            "00000000" + "0006" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "FFFFFFFFFFFFFFFF" + "01" + "00" + // index 0, NOT_LEADER_OR_FOLLOWER, ...
            "01" + "00" + "09" + "00000002" + "00000005" + "00" + // TAG_BUFFER: tag 0 current_leader: leader_id 2, leader_epoch 5
            "00" +                                  //   TAG_BUFFER
            "00000007" +                            // throttle_time_ms 7
            "01" + "00" + "0D" +                    // TAG_BUFFER: tag 0 node_endpoints, 13 bytes
            "02" + "00000002" + "0268" + "00002384" + "00" + "00"), 10); // [2 "h" 9092 rack null]
        var partition = Assert.Single(Assert.Single(response.Topics).Partitions);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, partition.ErrorCode);
        Assert.Null(partition.ErrorMessage);
        Assert.Equal(7, response.ThrottleTimeMs);
    }

    [Fact]
    public void Request_skips_unknown_tags()
    {
        var request = KafkaCodec.Deserialize<ProduceRequest>(Convert.FromHexString(
            "00" + "0001" + "00000064" +            // transactional_id null, acks 1, timeout_ms 100
            "02" + "0274" + "02" + "00000000" + "02" + "AA" + // topic_data: ["t", [index 0, records AA
            "01" + "04" + "01" + "FF" +             //   TAG_BUFFER: tag 4, 1 byte]
            "00" +                                  //   TAG_BUFFER]
            "01" + "09" + "00"), 9);                // TAG_BUFFER: tag 9, 0 bytes
        var partition = Assert.Single(Assert.Single(request.Topics).Partitions);
        Assert.Equal("AA", Convert.ToHexString(partition.Records!.Value.Span));
        Assert.Equal(100, request.TimeoutMs);
    }
}
