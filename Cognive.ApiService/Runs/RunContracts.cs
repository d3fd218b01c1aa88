using System.Text.Json;
using Cognive.ApiService.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cognive.ApiService.Runs;

public sealed record StartRunRequest(Guid? AgentId, JsonElement? Metadata);

public sealed record StartRunResponse(Guid RunId, Guid AgentId, DateTimeOffset StartedAt);

public sealed record EndRunRequest(string? Status, string? Error);

public sealed record RunTotals(long Calls, long InputTokens, long OutputTokens, long CachedInputTokens, decimal Cost,
    long Errors, long UnpricedCalls);

public sealed record RunResponse(Guid RunId, Guid AgentId, string Status, string? Error, JsonElement? Metadata,
    DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double DurationSeconds, RunTotals Totals);

public sealed record RunPage(IReadOnlyList<RunResponse> Items, Guid? NextCursor);

/// <summary>What starting and ending a run accept.</summary>
internal static class RunRules
{
    public const string Running = "running";
    public static readonly string[] EndStatuses = ["succeeded", "failed", "cancelled"];
    public const int MaxErrorLength = 4000;

    /// <summary>The one answer for acting on a run that has ended: ending it again, or reporting calls to it.</summary>
    public static ProblemHttpResult EndedProblem(string detail) =>
        TypedResults.Problem(type: "https://cognive.dev/problems/run-ended", title: "Run ended",
            statusCode: StatusCodes.Status409Conflict, detail: detail);

    public static Dictionary<string, string[]>? ValidateStart(StartRunRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.AgentId is null || request.AgentId == Guid.Empty)
        {
            errors["agent_id"] = ["agent_id is required."];
        }

        FieldRules.JsonObject(errors, "metadata", request.Metadata, FieldRules.MaxMetadataBytes);
        return FieldRules.ErrorsOrNull(errors);
    }

    public static Dictionary<string, string[]>? ValidateEnd(EndRunRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        FieldRules.OneOf(errors, "status", request.Status, EndStatuses);

        FieldRules.Text(errors, "error", request.Error, MaxErrorLength, required: false, allowBlank: true);
        return FieldRules.ErrorsOrNull(errors);
    }
}
