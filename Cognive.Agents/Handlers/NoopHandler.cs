using System.Text.Json;
using Cognive.Agents.Swarm;

namespace Cognive.Agents.Handlers;

/// <summary>
/// Does nothing and says so: for measuring the swarm's own overhead. <c>{"hold_ms": n}</c> (at most 10 minutes) makes it
/// take that long, as a task that works for a while.
/// </summary>
public sealed class NoopHandler : ITaskHandler
{
    private const int MaxHoldMilliseconds = 600_000;

    public string Type => "noop";

    public async Task<object> RunAsync(JsonElement? payload, TaskContext context, CancellationToken ct)
    {
        if (payload is { ValueKind: JsonValueKind.Object } options && options.TryGetProperty("hold_ms", out var hold))
        {
            if (!hold.TryGetInt32(out var milliseconds) || milliseconds is < 0 or > MaxHoldMilliseconds)
            {
                throw new ArgumentException($"hold_ms is 0 to {MaxHoldMilliseconds}.");
            }

            await Task.Delay(milliseconds, ct);
        }

        return new { ok = true };
    }
}
