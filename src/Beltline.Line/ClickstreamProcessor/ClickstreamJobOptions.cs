namespace Beltline.Line.ClickstreamProcessor;

/// <summary>The Flink job's settings: its window sizes, watermark bounds and output topics.</summary>
public sealed record ClickstreamJobOptions
{
    public const string DefaultSessionsTopic = "User_Sessions_Aggregates_With_Order_Checkout";
    public const string DefaultSessionCountsTopic = "ClickEvents_UserId_Agg_Result";
    public const string DefaultDepartmentsTopic = "Departments_Agg";

    public TimeSpan OutOfOrderness { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan SessionGap { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan AggregateWindow { get; init; } = TimeSpan.FromSeconds(10);

    public string SessionsTopic { get; init; } = DefaultSessionsTopic;

    public string SessionCountsTopic { get; init; } = DefaultSessionCountsTopic;

    public string DepartmentsTopic { get; init; } = DefaultDepartmentsTopic;
}
