using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Cognive.Gateway.Calls;

namespace Cognive.Gateway.OpenAi;

/// <summary>
/// Passes a server-sent-events stream through event by event: every complete event in a read goes out and is flushed
/// before the next read. Events whose data carries <c>usage</c> are read for it; the usage-only chunk is dropped when
/// the gateway, not the client, asked for it. The closing <c>data: [DONE]</c> is held back until the call is recorded
/// (OpenAI clients stop reading there), and preceded by the call's cost as an SSE comment, <c>: Cognive-Cost-Usd: 0.0042</c>:
/// HTTP trailers do not reach OpenAI clients, and comments are what every SSE reader skips by the specification.
/// </summary>
public sealed class SseRelay(Stream upstream, PipeWriter client, bool removeUsageChunk, long started)
{
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] UsageField = "\"usage\""u8.ToArray();
    private static readonly byte[] NoUsage = "\"usage\":null"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]"u8.ToArray();
    private static readonly byte[] CostComment = ": Cognive-Cost-Usd: "u8.ToArray();

    private Usage? _usage;
    private long? _firstEvent;
    private bool _done;

    public async Task<Outcome> RelayAsync(CancellationTokenSource timeout, TimeSpan limit, CallSettlement settlement)
    {
        var reader = PipeReader.Create(upstream);
        try
        {
            while (true)
            {
                timeout.CancelAfter(limit);
                var result = await reader.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                while (TryTakeEvent(ref buffer, out var sseEvent))
                {
                    Pass(sseEvent);
                }

                if (result.IsCompleted && !buffer.IsEmpty)
                {
                    // A last event without its blank line still reaches the client.
                    Pass(buffer);
                    buffer = buffer.Slice(buffer.End);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                await client.FlushAsync(timeout.Token);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }

        var outcome = new Outcome(true, null, 200, _usage, _firstEvent is { } at ? Stopwatch.GetElapsedTime(started, at) : null);
        if (await settlement.SettleAsync(outcome) is { } cost)
        {
            client.Write(CostComment);
            client.Write(System.Text.Encoding.ASCII.GetBytes(cost));
            client.Write(EventEnd);
        }

        if (_done)
        {
            client.Write(Done);
            client.Write(EventEnd);
        }

        await client.FlushAsync(timeout.Token);
        return outcome;
    }

    private static bool TryTakeEvent(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> sseEvent)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out sseEvent, EventEnd, advancePastDelimiter: true))
        {
            buffer = buffer.Slice(reader.Position);
            return true;
        }

        return false;
    }

    /// <summary>One event, without its closing blank line, which is written back after it.</summary>
    private void Pass(ReadOnlySequence<byte> sseEvent)
    {
        _firstEvent ??= Stopwatch.GetTimestamp();
        var text = sseEvent.IsSingleSegment ? sseEvent.First : sseEvent.ToArray();
        var span = text.Span;
        if (span.SequenceEqual(Done))
        {
            _done = true;
            return;
        }

        if (span.StartsWith(DataPrefix) && span.IndexOf(UsageField) >= 0 && span.IndexOf(NoUsage) < 0)
        {
            var (usage, usageOnly) = Usage.ReadChunk(text[DataPrefix.Length..]);
            _usage = usage ?? _usage;
            if (usageOnly && removeUsageChunk)
            {
                return;
            }
        }

        client.Write(span);
        client.Write(EventEnd);
    }
}
