namespace Beltline.Broker.Handlers;

/// <summary>
/// KIP-430 authorized-operations bitfields. With no authorizer configured (as here, until ACLs land), Kafka
/// reports every operation the resource type supports.
/// </summary>
internal static class AuthorizedOperations
{
    // AclOperation codes.
    private const int Read = 3, Write = 4, Create = 5, Delete = 6, Alter = 7, Describe = 8, ClusterAction = 9,
        DescribeConfigs = 10, AlterConfigs = 11, IdempotentWrite = 12, CreateTokens = 13, DescribeTokens = 14;

    public static readonly int Topic = Bits(Read, Write, Create, Delete, Alter, Describe, DescribeConfigs, AlterConfigs);

    public static readonly int Group = Bits(Read, Describe, Delete);

    public static readonly int Cluster = Bits(Create, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, CreateTokens, DescribeTokens);

    private static int Bits(params int[] operations) => operations.Aggregate(0, (bits, op) => bits | (1 << op));
}
