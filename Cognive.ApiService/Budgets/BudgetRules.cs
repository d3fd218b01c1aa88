using Cognive.ApiService.Validation;
using Cognive.Data.Budgets;
using Cognive.Governance;

namespace Cognive.ApiService.Budgets;

/// <summary>What a budget may be: amounts up to a billion dollars, known periods and modes, 1-10 thresholds of 1-1,000 %.</summary>
internal static class BudgetRules
{
    public const decimal MaxAmountUsd = 1_000_000_000m;
    public static readonly string[] Periods = Enum.GetNames<BudgetPeriod>().Select(n => n.ToLowerInvariant()).ToArray();
    public static readonly string[] Modes = Enum.GetNames<BudgetMode>().Select(n => n.ToLowerInvariant()).ToArray();

    public static Dictionary<string, string[]>? ValidateCreate(CreateBudgetRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        FieldRules.Text(errors, "name", request.Name, 200, required: true);
        Amount(errors, request.AmountUsd, required: true);
        FieldRules.OneOf(errors, "period", request.Period, Periods);
        if (request.Mode is not null)
        {
            FieldRules.OneOf(errors, "mode", request.Mode, Modes);
        }

        Thresholds(errors, request.Thresholds);
        return FieldRules.ErrorsOrNull(errors);
    }

    public static Dictionary<string, string[]>? ValidateUpdate(UpdateBudgetRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        FieldRules.Text(errors, "name", request.Name, 200, required: false);
        Amount(errors, request.AmountUsd, required: false);
        if (request.Mode is not null)
        {
            FieldRules.OneOf(errors, "mode", request.Mode, Modes);
        }

        Thresholds(errors, request.Thresholds);
        return FieldRules.ErrorsOrNull(errors);
    }

    public static Dictionary<string, string[]>? ValidateCheck(BudgetCheckRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.AgentId is null)
        {
            errors["agent_id"] = ["agent_id is required."];
        }

        if (request.EstimatedCostUsd is { } estimate)
        {
            if (estimate is < 0 or > MaxAmountUsd)
            {
                errors["estimated_cost_usd"] = [$"estimated_cost_usd is 0 to {MaxAmountUsd}."];
            }
        }
        else
        {
            FieldRules.Text(errors, "model", request.Model, 200, required: true);
            FieldRules.Text(errors, "provider", request.Provider, 100, required: false);
            if (!CallCheck.IsTokenCount(request.InputTokens) || !CallCheck.IsTokenCount(request.MaxOutputTokens))
            {
                errors["tokens"] = ["Without estimated_cost_usd, input_tokens and max_output_tokens (0 to 100,000,000) are required."];
            }
        }

        return FieldRules.ErrorsOrNull(errors);
    }

    public static T Parse<T>(string value) where T : struct, Enum => Enum.Parse<T>(value, ignoreCase: true);

    private static void Amount(Dictionary<string, string[]> errors, decimal? amount, bool required)
    {
        // Stored with 6 decimals: more would be rounded away silently.
        if (amount is null ? required : amount is <= 0 or > MaxAmountUsd || decimal.Round(amount.Value, 6) != amount)
        {
            errors["amount_usd"] = [$"amount_usd is more than 0 and at most {MaxAmountUsd}, with at most 6 decimals."];
        }
    }

    private static void Thresholds(Dictionary<string, string[]> errors, int[]? thresholds)
    {
        if (thresholds is not null && (thresholds.Length is 0 or > 10 || thresholds.Any(t => t is < 1 or > 1000) ||
                                       thresholds.Distinct().Count() != thresholds.Length))
        {
            errors["thresholds"] = ["thresholds holds 1 to 10 distinct percentages of 1 to 1000."];
        }
    }
}
