using System.Text.Json;

namespace Cognive.Web.Components.Pages.Swarm;

public sealed record SwarmInstance(Guid InstanceId, Guid AgentId, string[] Capabilities, string Version, int MaxConcurrency, string State,
    DateTimeOffset RegisteredAt, DateTimeOffset LastHeartbeatAt, int Recoveries, long Load, string Kind, string? Host, string? FailureReason,
    DateTimeOffset? FailedAt);

public sealed record SwarmTask(Guid Id, string Type, JsonElement? Payload, int Priority, string[] RequiredCapabilities, string State, int Attempts,
    int MaxAttempts, DateTimeOffset? Deadline, Guid? InstanceId, DateTimeOffset CreatedAt, DateTimeOffset? LeasedAt, DateTimeOffset? FinishedAt,
    string? Error)
{
    /// <summary>The queen cancels what has not finished.</summary>
    public bool Cancellable => State is "queued" or "leased";
}

public sealed record SwarmTaskPage(IReadOnlyList<SwarmTask> Items, Guid? NextCursor);

public sealed record SubmittedTask(Guid TaskId);

public sealed record Recovery(Guid Id, Guid InstanceId, string Kind, string? Host, string Reason, DateTimeOffset FailedAt, string Action,
    string Outcome, int Attempt, string Detail, DateTimeOffset DecidedAt);

public sealed record Quarantine(string Kind, DateTimeOffset OpenedAt, DateTimeOffset OpenUntil, int SecondsLeft);

/// <summary>The body of <c>POST /api/v1/swarm/tasks</c>.</summary>
public sealed record TaskRequest(string Type, JsonElement? Payload, int Priority, int MaxAttempts);

/// <summary>The submit form: the payload is typed as JSON text; <see cref="PayloadProblem"/> says why it is not JSON.</summary>
public sealed class TaskForm
{
    /// <summary>The queen's built-in task types; a type a live instance advertises is also accepted.</summary>
    public static readonly string[] BuiltInTypes = ["noop", "cost-anomaly", "reliability", "performance", "data-quality", "pricing"];

    public string Type { get; set; } = "noop";

    public string Payload { get; set; } = "";

    public int Priority { get; set; } = 5;

    public int MaxAttempts { get; set; } = 3;

    public string? PayloadProblem => Parse(out _);

    public TaskRequest ToRequest()
    {
        Parse(out var payload);
        return new(Type.Trim(), payload, Priority, MaxAttempts);
    }

    private string? Parse(out JsonElement? payload)
    {
        payload = null;
        if (string.IsNullOrWhiteSpace(Payload))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(Payload);
            payload = document.RootElement.Clone();
            return null;
        }
        catch (JsonException e)
        {
            return $"The payload is not JSON: {e.Message}";
        }
    }
}

public static class TimeLeftText
{
    /// <summary>"4 min 05 s", "1 h 02 min", "0 s": how long a quarantine still lasts.</summary>
    public static string Format(int seconds) => Math.Max(0, seconds) switch
    {
        >= 3600 and var s => $"{s / 3600} h {s % 3600 / 60:00} min",
        >= 60 and var s => $"{s / 60} min {s % 60:00} s",
        var s => $"{s} s",
    };
}
