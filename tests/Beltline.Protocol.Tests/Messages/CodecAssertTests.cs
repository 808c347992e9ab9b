using Beltline.Protocol.Messages;
using Xunit.Sdk;

namespace Beltline.Protocol.Tests.Messages;

/// <summary>The codec tests lean on <see cref="CodecAssert.Equal"/>; it must notice differences deep down.</summary>
public class CodecAssertTests
{
    private static DescribeConfigsResponse Sample() => new()
    {
        Results =
        [
            new()
            {
                ResourceName = "t",
                Configs = [new() { Name = "a", Value = "b", Synonyms = [new() { Name = "s", Source = ConfigSource.DefaultConfig }] }],
            },
        ],
    };

    [Fact]
    public void Equal_messages_pass() => CodecAssert.Equal(Sample(), Sample());

    [Fact]
    public void A_difference_in_a_nested_element_fails()
    {
        var changed = Sample();
        changed.Results[0].Configs[0].Synonyms[0].Source = ConfigSource.StaticBrokerConfig;
        var failure = Assert.ThrowsAny<XunitException>(() => CodecAssert.Equal(Sample(), changed));
        Assert.Contains("Results[0].Configs[0].Synonyms[0].Source", failure.Message);
    }

    [Fact]
    public void Null_and_empty_lists_differ()
    {
        var withKeys = new DescribeConfigsRequest { Resources = [new() { ConfigurationKeys = [] }] };
        var withoutKeys = new DescribeConfigsRequest { Resources = [new() { ConfigurationKeys = null }] };
        Assert.ThrowsAny<XunitException>(() => CodecAssert.Equal(withKeys, withoutKeys));
    }

    [Fact]
    public void Null_and_empty_strings_differ()
    {
        var empty = new CreatePartitionsResponse { Results = [new() { ErrorMessage = "" }] };
        var absent = new CreatePartitionsResponse { Results = [new() { ErrorMessage = null }] };
        Assert.ThrowsAny<XunitException>(() => CodecAssert.Equal(empty, absent));
    }

    [Fact]
    public void List_order_matters()
    {
        var forward = new SaslHandshakeResponse { Mechanisms = ["PLAIN", "SCRAM-SHA-256"] };
        var backward = new SaslHandshakeResponse { Mechanisms = ["SCRAM-SHA-256", "PLAIN"] };
        Assert.ThrowsAny<XunitException>(() => CodecAssert.Equal(forward, backward));
    }

    [Fact]
    public void Byte_fields_compare_by_content_not_by_buffer()
    {
        var one = new ProduceRequest { Topics = [new() { Name = "t", Partitions = [new() { Records = new byte[] { 1, 2, 3 } }] }] };
        var same = new ProduceRequest { Topics = [new() { Name = "t", Partitions = [new() { Records = new byte[] { 1, 2, 3 } }] }] };
        var other = new ProduceRequest { Topics = [new() { Name = "t", Partitions = [new() { Records = new byte[] { 1, 2, 4 } }] }] };
        var none = new ProduceRequest { Topics = [new() { Name = "t", Partitions = [new() { Records = null }] }] };
        CodecAssert.Equal(one, same);
        var failure = Assert.ThrowsAny<XunitException>(() => CodecAssert.Equal(one, other));
        Assert.Contains("Topics[0].Partitions[0].Records", failure.Message);
        Assert.ThrowsAny<XunitException>(() => CodecAssert.Equal(one, none));
    }

    [Fact]
    public void Payloads_compare_by_content_whatever_their_kind()
    {
        static FetchResponse With(IRawPayload? records) =>
            new() { Topics = [new() { Topic = "t", Partitions = [new() { Records = records }] }] };
        CodecAssert.Equal(With(new MemoryPayload(new byte[] { 1, 2 })), With(new ChunkPayload([1, 2])));
        Assert.ThrowsAny<XunitException>(() => CodecAssert.Equal(With(new MemoryPayload(new byte[] { 1, 2 })), With(new MemoryPayload(new byte[] { 2, 1 }))));
        Assert.ThrowsAny<XunitException>(() => CodecAssert.Equal(With(new MemoryPayload(new byte[] { 1 })), With(new MemoryPayload(new byte[] { 1, 0 }))));
        Assert.ThrowsAny<XunitException>(() => CodecAssert.Equal(With(new MemoryPayload(Array.Empty<byte>())), With(null)));
    }

    private sealed class ChunkPayload(byte[] bytes) : IRawPayload
    {
        public int Length => bytes.Length;

        public void CopyTo(int offset, Span<byte> destination) => bytes.AsSpan(offset, destination.Length).CopyTo(destination);
    }
}
