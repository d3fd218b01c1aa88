using System.Net;

namespace Cognive.Gateway.Governance;

/// <summary>The API's <c>POST /api/v1/budgets/check</c>, as the gateway sends it (see the API's BudgetCheckRequest).</summary>
public sealed record BudgetCheckBody(Guid AgentId, string Provider, string Model, long InputTokens, long MaxOutputTokens,
    decimal? EstimatedCostUsd = null, bool CountCall = true);

public sealed record BudgetCheckAnswer(bool Allowed, Guid? ReservationId, decimal EstimatedCostUsd);

/// <summary>The problem details the API refuses with; <see cref="Errors"/> for validation problems.</summary>
public sealed record ProblemAnswer(string? Type, string? Title, string? Detail, Dictionary<string, string[]>? Errors);

/// <param name="Answer">When allowed (2xx).</param>
/// <param name="Problem">When refused: the API's problem details.</param>
public sealed record BudgetVerdict(HttpStatusCode Status, BudgetCheckAnswer? Answer, ProblemAnswer? Problem, TimeSpan? RetryAfter);

public sealed record RunAnswer(Guid RunId, Guid AgentId, string? Status);


