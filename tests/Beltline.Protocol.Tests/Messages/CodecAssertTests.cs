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
}
