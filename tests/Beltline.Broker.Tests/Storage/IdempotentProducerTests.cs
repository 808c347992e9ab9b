using Beltline.Broker.Storage;
using Beltline.Protocol;
using Beltline.Protocol.Records;
using static Beltline.Broker.Tests.Storage.Logs;

namespace Beltline.Broker.Tests.Storage;

/// <summary>Sequence checks of idempotent producers in the partition log, and the producer state kept across restarts.</summary>
public abstract class IdempotentProducerTests(bool directIo) : StorageTestBase(directIo)
{
    public sealed class Direct() : IdempotentProducerTests(directIo: true);

    public sealed class Buffered() : IdempotentProducerTests(directIo: false);

    private const long Producer = 4000;

    /// <summary>A batch of <paramref name="count"/> records from <see cref="Producer"/> starting at <paramref name="sequence"/>.</summary>
    private static byte[] Idempotent(int sequence, int count = 2, short epoch = 0, long producer = Producer)
    {
        var builder = new RecordBatchBuilder { ProducerId = producer, ProducerEpoch = epoch, BaseSequence = sequence };
        for (var i = 0; i < count; i++)
            builder.Add(Utf8($"k{sequence + i}"), Utf8($"v{sequence + i}"), 1_000);
        return builder.Build();
    }

    [Fact]
    public void A_retried_batch_gets_the_original_offsets_and_is_not_written_again()
    {
        var log = Create(Dir);
        log.AppendCopy(Records(3));
        var first = log.AppendCopy(Idempotent(0));
        log.AppendCopy(Idempotent(2));

        var retry = log.AppendCopy(Idempotent(0));

        Assert.Equal(ErrorCode.None, retry.Error);
        Assert.True(retry.Duplicate);
        Assert.Equal((3L, 4L), (retry.BaseOffset, retry.LastOffset));
        Assert.Equal((first.BaseOffset, first.LastOffset), (retry.BaseOffset, retry.LastOffset));
        Assert.Equal(7, log.LogEndOffset);
        log.Close();
    }

    [Fact]
    public void Gaps_old_epochs_and_long_gone_batches_are_refused_with_Kafkas_errors()
    {
        var log = Create(Dir);
        for (var sequence = 0; sequence < 14; sequence += 2)
            Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(sequence, epoch: 1)).Error);
        var end = log.LogEndOffset;

        var gap = log.AppendCopy(Idempotent(20, epoch: 1));
        var oldEpoch = log.AppendCopy(Idempotent(14, epoch: 0));
        var longGone = log.AppendCopy(Idempotent(0, epoch: 1));
        var newEpochNotAtZero = log.AppendCopy(Idempotent(5, epoch: 2));

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, oldEpoch.Error);
        Assert.Equal(ErrorCode.DuplicateSequenceNumber, longGone.Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, newEpochNotAtZero.Error);
        Assert.Equal(end, log.LogEndOffset);
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(14, epoch: 1)).Error);
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(0, epoch: 2)).Error);
        log.Close();
    }

    [Fact]
    public void A_producer_the_log_has_no_state_for_is_accepted_at_any_sequence()
    {
        var log = Create(Dir);

        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(57)).Error);
        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(59)).Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, log.AppendCopy(Idempotent(70)).Error);
        log.Close();
    }

    [Fact]
    public void Sequences_wrap_from_int_max_to_zero()
    {
        var log = Create(Dir);
        log.AppendCopy(Idempotent(int.MaxValue - 1, count: 2));

        Assert.Equal(ErrorCode.None, log.AppendCopy(Idempotent(0)).Error);
        log.Close();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Producer_state_survives_a_restart_from_snapshot_or_log_scan(bool cleanShutdown)
    {
        var log = Create(Dir, new LogConfig { SegmentBytes = 400 });
        for (var sequence = 0; sequence < 20; sequence += 2)
            log.AppendCopy(Idempotent(sequence));
        log.AppendCopy(Idempotent(0, producer: 5000));
        Assert.True(log.SegmentCount > 2);
        string directory;
        if (cleanShutdown)
        {
            log.Close();
            directory = log.Directory;
        }
        else
        {
            directory = CrashImage(log, Dir);
            log.Close();
        }

        var reopened = Open(directory, new LogConfig { SegmentBytes = 400 }, cleanShutdown);
        var retry = reopened.AppendCopy(Idempotent(18));
        var other = reopened.AppendCopy(Idempotent(0, producer: 5000));
        var gap = reopened.AppendCopy(Idempotent(30));
        var next = reopened.AppendCopy(Idempotent(20));

        Assert.True(retry.Duplicate);
        Assert.Equal(18, retry.BaseOffset);
        Assert.True(other.Duplicate);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        Assert.Equal((ErrorCode.None, 22L), (next.Error, next.BaseOffset));
        reopened.Close();
    }

    [Fact]
    public void A_corrupt_snapshot_is_ignored_and_the_log_replayed()
    {
        var log = Create(Dir);
        log.AppendCopy(Idempotent(0));
        log.Close();
        var snapshot = Assert.Single(Directory.GetFiles(log.Directory, "*.snapshot"));
        var bytes = File.ReadAllBytes(snapshot);
        bytes[10] ^= 0xFF;
        File.WriteAllBytes(snapshot, bytes);

        var reopened = Open(log.Directory);

        Assert.True(reopened.AppendCopy(Idempotent(0)).Duplicate);
        reopened.Close();
    }

    [Fact]
    public void Producers_whose_records_are_all_deleted_are_forgotten()
    {
        var log = Create(Dir);
        log.AppendCopy(Idempotent(0));
        log.AppendCopy(Records(2));

        log.DeleteRecordsBefore(2);

        // With no state left, a resent batch is new again (as in Kafka once retention removed the producer's data).
        Assert.False(log.AppendCopy(Idempotent(0)).Duplicate);
        log.Close();
    }
}
