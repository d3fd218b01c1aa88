using System.Net;

namespace Cognive.Client.Api;

/// <summary>The API answered with an error: its RFC 9457 problem details (<see cref="Type"/> is stable; match on it).</summary>
public class CogniveApiException(HttpStatusCode? status, string? type, string? title, string? detail, Exception? inner = null)
    : Exception(detail is null ? title ?? $"Cognive answered {(int?)status}" : $"{title}: {detail}", inner)
{
    /// <summary>The HTTP status; null when no answer came.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>The problem's stable type URI, e.g. <c>https://cognive.dev/problems/budget-exceeded</c>.</summary>
    public string? Type { get; } = type;

    /// <summary>The problem's short title.</summary>
    public string? Title { get; } = title;

    /// <summary>What happened, for people.</summary>
    public string? Detail { get; } = detail;
}

/// <summary>A hard budget has no room for the call: the model was not called. Waiting until <see cref="ResetsAt"/> helps.</summary>
public sealed class CogniveBudgetExceededException(string? title, string? detail, Guid? budgetId, decimal? limit, decimal? spent,
    DateTimeOffset? resetsAt) : CogniveApiException(HttpStatusCode.TooManyRequests, ProblemTypes.BudgetExceeded, title, detail)
{
    /// <summary>The budget that refused.</summary>
    public Guid? BudgetId { get; } = budgetId;

    /// <summary>The budget's amount in USD.</summary>
    public decimal? Limit { get; } = limit;

    /// <summary>What was spent of it in this period, USD.</summary>
    public decimal? Spent { get; } = spent;

    /// <summary>When its period starts again; null for a total budget (it never resets).</summary>
    public DateTimeOffset? ResetsAt { get; } = resetsAt;
}

/// <summary>A policy forbids the call (<see cref="Rule"/> says which of its rules): the model was not called.</summary>
public sealed class CognivePolicyViolationException(string? title, string? detail, Guid? policyId, string? policy, string? rule)
    : CogniveApiException(HttpStatusCode.Forbidden, ProblemTypes.PolicyViolation, title, detail)
{
    /// <summary>The policy that forbids the call.</summary>
    public Guid? PolicyId { get; } = policyId;

    /// <summary>The policy's name.</summary>
    public string? Policy { get; } = policy;

    /// <summary>The rule broken: e.g. <c>allowed_models</c>, <c>max_tokens_per_call</c>, <c>max_calls_per_minute</c>, <c>active_hours</c>.</summary>
    public string? Rule { get; } = rule;
}

/// <summary>The request was refused as invalid; <see cref="Errors"/> names each field and what is wrong with it.</summary>
public sealed class CogniveValidationException(string? title, string? detail, IReadOnlyDictionary<string, string[]> errors)
    : CogniveApiException(HttpStatusCode.BadRequest, ProblemTypes.Validation, title,
        detail ?? string.Join(" ", errors.SelectMany(e => e.Value)))
{
    /// <summary>Field name (snake_case, as sent) to its errors.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>Cognive could not be reached (or could not answer) and the budget check fails closed.</summary>
public sealed class CogniveUnavailableException(string detail, Exception? inner)
    : CogniveApiException(null, ProblemTypes.Unavailable, "Cognive unavailable", detail, inner);

/// <summary>The problem types the SDK acts on.</summary>
public static class ProblemTypes
{
    /// <summary>A hard budget refused.</summary>
    public const string BudgetExceeded = "https://cognive.dev/problems/budget-exceeded";

    /// <summary>A policy refused.</summary>
    public const string PolicyViolation = "https://cognive.dev/problems/policy-violation";

    /// <summary>ASP.NET Core's validation problem type.</summary>
    public const string Validation = "https://tools.ietf.org/html/rfc9110#section-15.5.1";

    /// <summary>The client's own: Cognive was not reached.</summary>
    public const string Unavailable = "https://cognive.dev/problems/client-unavailable";
}
