using System.Threading.Channels;
using Cognive.Ingestion;

namespace Cognive.Tests.Telemetry;

/// <summary>How the gateway's recorder and the workers gather a batch from a channel (pure logic, no timing asserted).</summary>
public sealed class ChannelBatchesTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken TestEnds => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_batch_ends_the_gathering_and_leaves_the_rest_in_the_channel()
    {
        var channel = Channel.CreateUnbounded<int>();
        for (var i = 0; i < 5; i++)
        {
            channel.Writer.TryWrite(i);
        }

        var batch = new List<int>();
        await channel.Reader.GatherAsync(batch, b => b.Count >= 3, Long, CancellationToken.None).WaitAsync(Bound, TestEnds);

        Assert.Equal([0, 1, 2], batch);
        Assert.Equal(2, channel.Reader.Count);
    }

    [Fact]
    public async Task Items_that_arrive_during_the_window_join_the_batch()
    {
        var channel = Channel.CreateUnbounded<int>();
        var batch = new List<int>();
        var gathering = channel.Reader.GatherAsync(batch, b => b.Count >= 3, Long, CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            Assert.False(gathering.IsCompleted);
            channel.Writer.TryWrite(i);
            await Task.Yield();
        }

        await gathering.WaitAsync(Bound, TestEnds);
        Assert.Equal([0, 1, 2], batch);
    }

    [Fact]
    public async Task A_completed_channel_ends_the_gathering_with_what_was_read()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(7);
        var batch = new List<int>();
        var gathering = channel.Reader.GatherAsync(batch, b => b.Count >= 3, Long, CancellationToken.None);
        channel.Writer.Complete();

        await gathering.WaitAsync(Bound, TestEnds);
        Assert.Equal([7], batch);
    }

    [Fact]
    public async Task The_window_ends_a_batch_that_does_not_fill()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(1);
        var batch = new List<int>();

        var shortWindow = TimeSpan.FromMilliseconds(20);
        await channel.Reader.GatherAsync(batch, b => b.Count >= 3, shortWindow, CancellationToken.None).WaitAsync(Bound, TestEnds);

        Assert.Equal([1], batch);
    }

    [Fact]
    public async Task Cancelling_the_caller_throws_rather_than_passing_for_the_window()
    {
        var channel = Channel.CreateUnbounded<int>();
        using var stopping = new CancellationTokenSource();
        var gathering = channel.Reader.GatherAsync([], b => b.Count >= 3, Long, stopping.Token);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gathering.WaitAsync(Bound, TestEnds));
    }
}
