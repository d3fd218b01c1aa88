using System.Text.Json;

namespace Cognive.Agents.Swarm;

/// <summary>
/// A kind of task this agent runs. To add one, implement it and register it
/// (<c>builder.Services.AddSingleton&lt;ITaskHandler, MyHandler&gt;()</c>): the agent advertises every handler's
/// <see cref="Type"/> to the queen as a capability and is handed tasks of that type.
/// </summary>
public interface ITaskHandler
{
    string Type { get; }

    /// <returns>The task's result (any JSON-serialisable value); an exception fails the attempt.</returns>
    Task<object> RunAsync(JsonElement? payload, TaskContext context, CancellationToken ct);
}

/// <param name="Api">The control plane's API, with this agent's key.</param>
/// <param name="Queen">The Swarm Queen's API, with the same key (e.g. <c>POST /api/v1/swarm/alerts</c> to raise an alert).</param>
public sealed record TaskContext(HttpClient Api, HttpClient Queen, Guid AgentId, Guid RunId);
