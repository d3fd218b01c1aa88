using System.Text.Json;
using Cognive.Agents.Swarm;

namespace Cognive.Agents.Handlers;

/// <summary>Does nothing and says so: for measuring the swarm's own overhead.</summary>
public sealed class NoopHandler : ITaskHandler
{
    public string Type => "noop";

    public Task<object> RunAsync(JsonElement? payload, TaskContext context, CancellationToken ct) => Task.FromResult<object>(new { ok = true });
}
