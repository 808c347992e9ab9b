using System.Text.Json;

namespace Beltline.Streams;

/// <summary>A record a job hands to a sink: topic (or index), deterministic key, JSON value, event-time timestamp.</summary>
public sealed record JobOutput(string Topic, string Key, string Value, long Timestamp);

/// <summary>What became of one input record.</summary>
public enum RecordOutcome
{
    Processed,

    /// <summary>Behind the watermark: its window has fired (allowed lateness 0).</summary>
    Late,

    /// <summary>Not a valid input (not JSON, missing fields, nonsense timestamp).</summary>
    Bad,
}

/// <summary>
/// An event-time job the Kafka runner drives: records in, outputs out, its whole state as a checkpoint. Calls come
/// from one thread.
/// </summary>
public interface IStreamJob
{
    void Assign(IEnumerable<int> partitions);

    void Revoke(IEnumerable<int> partitions);

    /// <summary>One input record; <paramref name="reason"/> says why when it is <see cref="RecordOutcome.Bad"/>.</summary>
    RecordOutcome Process(int partition, long offset, ReadOnlySpan<byte> value, out string? reason);

    /// <summary>Lets processing time act (idle partitions) when no record arrives.</summary>
    void Tick();

    /// <summary>The end of a bounded input: the final watermark fires every window.</summary>
    void Finish();

    /// <summary>The outputs made since the last call, in the order they were made.</summary>
    IReadOnlyList<JobOutput> TakeOutputs();

    long Watermark { get; }

    void WriteCheckpoint(Utf8JsonWriter writer);

    void RestoreCheckpoint(JsonElement state);
}
