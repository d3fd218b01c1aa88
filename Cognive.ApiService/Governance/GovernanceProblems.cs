using System.Globalization;
using Cognive.Governance;
using Cognive.Governance.Budgets;
using Cognive.Governance.Policies;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cognive.ApiService.Governance;

/// <summary>The answers of a refused budget check or a flagged call: problem details with the facts an agent acts on.</summary>
public static class GovernanceProblems
{
    /// <param name="heldOnly">The spend alone leaves room: other checks' reservations are what fill it (<see cref="BudgetState.RetryAfter"/>).</param>
    public static ProblemHttpResult OverBudget(BudgetState state, DateTimeOffset now, HttpContext http, string detail,
        IDictionary<string, object?>? extra = null, bool heldOnly = false)
    {
        if (state.RetryAfter(now, heldOnly) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var extensions = new Dictionary<string, object?>
        {
            ["allowed"] = false,
            ["budget_id"] = state.Budget.Id,
            ["limit"] = state.Budget.AmountUsd,
            ["spent"] = state.Spent,
            ["reserved"] = state.Reserved,
            ["resets_at"] = state.ResetsAt(now),
        };
        return TypedResults.Problem(type: "https://cognive.dev/problems/budget-exceeded", title: "Budget exceeded",
            statusCode: StatusCodes.Status429TooManyRequests, detail: detail, extensions: With(extensions, extra));
    }

    public static ProblemHttpResult PolicyViolated(PolicyViolation violation, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>
        {
            ["allowed"] = false,
            ["policy_id"] = violation.Policy.Id,
            ["policy"] = violation.Policy.Name,
            ["rule"] = violation.Rule,
        };
        return TypedResults.Problem(type: "https://cognive.dev/problems/policy-violation", title: "Policy violation",
            statusCode: StatusCodes.Status403Forbidden, detail: violation.Detail, extensions: With(extensions, extra));
    }

    public static ProblemHttpResult Unavailable(HttpContext http)
    {
        http.Response.Headers.RetryAfter = GovernanceFaults.RetryAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(type: "https://cognive.dev/problems/budgets-unavailable", title: "Budgets unavailable",
            statusCode: StatusCodes.Status503ServiceUnavailable, detail: GovernanceFaults.UnavailableDetail);
    }

    private static Dictionary<string, object?> With(Dictionary<string, object?> extensions, IDictionary<string, object?>? extra)
    {
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>())
        {
            extensions[key] = value;
        }

        return extensions;
    }
}
