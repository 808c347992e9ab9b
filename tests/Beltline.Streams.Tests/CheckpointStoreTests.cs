using System.Text.Json;

namespace Beltline.Streams.Tests;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "beltline-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A job whose whole state is one number.</summary>
    private sealed class NumberJob(long number) : IStreamJob
    {
        public long Number { get; private set; } = number;

        public long Watermark => 0;

        public void Assign(IEnumerable<int> partitions) { }

        public void Revoke(IEnumerable<int> partitions) { }

        public RecordOutcome Process(int partition, long offset, ReadOnlySpan<byte> value, out string? reason) => throw new NotSupportedException();

        public void Tick() { }

        public void Finish() { }

        public IReadOnlyList<JobOutput> TakeOutputs() => [];

        public void WriteCheckpoint(Utf8JsonWriter writer) => writer.WriteNumberValue(Number);

        public void RestoreCheckpoint(JsonElement state) => Number = state.GetInt64();
    }

    [Fact]
    public void State_and_offsets_come_back_together()
    {
        var store = new CheckpointStore(_dir);
        var takenAt = new DateTimeOffset(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);

        store.Save(new Dictionary<int, long> { [0] = 42, [2] = 7 }, new NumberJob(99), takenAt);
        var loaded = store.Load()!;
        var restored = new NumberJob(0);
        restored.RestoreCheckpoint(loaded.JobState);

        Assert.Equal(new Dictionary<int, long> { [0] = 42, [2] = 7 }, loaded.NextOffsets);
        Assert.Equal(99, restored.Number);
        Assert.Equal(takenAt, loaded.TakenAt);
        Assert.False(File.Exists(store.Path + ".tmp"));
    }

    [Fact]
    public void No_checkpoint_is_null_and_a_damaged_one_an_error()
    {
        var store = new CheckpointStore(_dir);
        Assert.Null(store.Load());

        Directory.CreateDirectory(_dir);
        File.WriteAllText(store.Path, "{\"version\":1,\"nextOffsets\":");

        var error = Assert.Throws<InvalidDataException>(() => store.Load());
        Assert.Contains("is damaged", error.Message);
    }
}
