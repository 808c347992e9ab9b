using Beltline.Broker.Storage;

namespace Beltline.Broker.Tests.Storage;

/// <summary>
/// The index entry list read without the partition lock. The reordering it guards against (a new count seen with
/// the old array) shows only on weakly ordered CPUs such as ARM64; on x86 this checks the publication logic itself.
/// </summary>
public sealed class PublishedListTests
{
    [Fact]
    public void Entries_appear_in_order_and_the_array_always_holds_the_count()
    {
        var list = new PublishedList<(int, int)>();
        Assert.Equal(0, list.Count);
        Assert.Throws<InvalidOperationException>(() => list.Last);
        for (var i = 0; i < 1_000; i++)
        {
            list.Add((i, i * 8));
            var (items, count) = list.Snapshot();
            Assert.Equal(i + 1, count);
            Assert.True(items.Length >= count);
            Assert.Equal((i, i * 8), list.Last);
        }
        list.Clear();
        Assert.Equal(0, list.Count);
        list.Add((7, 7));
        Assert.Equal((7, 7), list.Last);
    }

    [Fact]
    public async Task Concurrent_readers_see_only_whole_entries_while_the_array_grows()
    {
        const int Entries = 200_000;
        var list = new PublishedList<(int, long)>();
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var checks = 0;
            while (!done.IsCancellationRequested || checks == 0)
            {
                var (items, count) = list.Snapshot();
                if (count > items.Length)
                    return $"count {count} with an array of {items.Length}";
                if (count > 0 && items[count - 1] != (count - 1, (count - 1) * 3L))
                    return $"entry {count - 1} was {items[count - 1]}";
                checks++;
            }
            return null;
        })).ToArray();
        for (var i = 0; i < Entries; i++)
            list.Add((i, i * 3L));
        await done.CancelAsync();
        foreach (var failure in await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30)))
            Assert.Null(failure);
        Assert.Equal(Entries, list.Count);
    }
}
