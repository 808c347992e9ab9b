using Beltline.Protocol.Messages;
using static Beltline.Protocol.Tests.Messages.CodecAssert;

namespace Beltline.Protocol.Tests.Messages;

public class AclsCodecTests
{
    public static TheoryData<short> AllVersions => Versions(0, 3);

    // v0 has no pattern types: only LITERAL (3) survives a round trip there.
    private static sbyte Pattern(short version) => version >= 1 ? (sbyte)4 : AclBinding.LiteralPattern;

    private static AclBinding Binding(short version) => new(2, "orders", Pattern(version), "User:alice", "*", 4, 3);

    private static AclBindingFilter Filter(short version) => new(2, "ord", version >= 1 ? (sbyte)2 : AclBinding.LiteralPattern, "User:alice", null, 1, 3);

    [Theory, MemberData(nameof(AllVersions))]
    public void Create_round_trips(short version)
    {
        RoundTrips(new CreateAclsRequest { Creations = [Binding(version)] }, new CreateAclsRequest { Creations = [Binding(version)] }, version);
        var response = new CreateAclsResponse { ThrottleTimeMs = 2, Results = [new(ErrorCode.None, null), new(ErrorCode.InvalidRequest, "bad")] };
        RoundTrips(response, response, version);
        EveryTruncationThrows(new CreateAclsRequest { Creations = [Binding(version)] }, version);
        EveryTruncationThrows(response, version);
    }

    [Theory, MemberData(nameof(AllVersions))]
    public void Describe_round_trips(short version)
    {
        RoundTrips(new DescribeAclsRequest { Filter = Filter(version) }, new DescribeAclsRequest { Filter = Filter(version) }, version);
        var response = new DescribeAclsResponse
        {
            Resources = [new(2, "orders", Pattern(version), [new("User:alice", "*", 4, 3), new("User:bob", "10.0.0.1", 3, 2)])],
        };
        RoundTrips(response, response, version);
        EveryTruncationThrows(new DescribeAclsRequest { Filter = Filter(version) }, version);
        EveryTruncationThrows(response, version);
    }

    [Theory, MemberData(nameof(AllVersions))]
    public void Delete_round_trips(short version)
    {
        RoundTrips(new DeleteAclsRequest { Filters = [Filter(version)] }, new DeleteAclsRequest { Filters = [Filter(version)] }, version);
        var response = new DeleteAclsResponse { FilterResults = [new(ErrorCode.None, null, [new(ErrorCode.None, null, Binding(version))])] };
        RoundTrips(response, response, version);
        EveryTruncationThrows(new DeleteAclsRequest { Filters = [Filter(version)] }, version);
        EveryTruncationThrows(response, version);
    }

    [Fact]
    public void Golden_bytes_of_a_v1_creation_and_a_v2_filter()
    {
        Golden(new CreateAclsRequest { Creations = [new(2, "t", 4, "User:a", "*", 4, 3)] }, 1,
            "00000001" + "02" + "000174" + "04" + "0006" + "557365723A61" + "00012A" + "04" + "03");
        Golden(new DescribeAclsRequest { Filter = new(1, null, 1, null, null, 1, 1) }, 2, "01" + "00" + "01" + "00" + "00" + "01" + "01" + "00");
    }
}
