using System.Globalization;
using Cognive.Web.Api;

namespace Cognive.Web.Components.Pages.Budgets;

/// <summary>
/// The budget form's fields as typed (text), and the request they make. What is not a number is said beside its field
/// before anything is sent; everything else the API judges (its problem details show beside the same fields).
/// </summary>
public sealed class BudgetInput
{
    public string? Name { get; set; }
    public string? Amount { get; set; }
    public string Mode { get; set; } = "hard";
    public string? Thresholds { get; set; } = "80, 90, 100";
    public string Period { get; set; } = "daily";
    public string AgentId { get; set; } = "";

    public static BudgetInput From(BudgetRow? budget) => budget is null ? new() : new()
    {
        Name = budget.Name,
        Amount = budget.AmountUsd.ToString(CultureInfo.InvariantCulture),
        Mode = budget.Mode,
        Thresholds = string.Join(", ", budget.Thresholds),
        Period = budget.Period,
        AgentId = budget.AgentId?.ToString() ?? "",
    };

    public (BudgetFields? Request, ApiProblem? Problem) ToRequest(bool creating)
    {
        var errors = new Dictionary<string, string[]>();
        decimal? amount = null;
        if (!string.IsNullOrWhiteSpace(Amount))
        {
            if (decimal.TryParse(Amount.Trim().TrimStart('$'), NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed))
            {
                amount = parsed;
            }
            else
            {
                errors["amount_usd"] = ["The amount is a number of dollars, like 25 or 0.50."];
            }
        }

        int[]? thresholds = null;
        if (!string.IsNullOrWhiteSpace(Thresholds))
        {
            var parts = Thresholds.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var numbers = parts.Select(p => int.TryParse(p.TrimEnd('%'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (int?)null).ToList();
            if (numbers.Any(n => n is null))
            {
                errors["thresholds"] = ["Thresholds are whole percentages separated by commas, like 80, 90, 100."];
            }
            else
            {
                thresholds = numbers.Select(n => n!.Value).ToArray();
            }
        }

        if (errors.Count > 0)
        {
            return (null, new ApiProblem(400, null, "Some fields need another look", null, errors));
        }

        Guid? agent = creating && Guid.TryParse(AgentId, out var id) ? id : null;
        return (new BudgetFields(Name, agent, amount, creating ? Period : null, Mode, thresholds), null);
    }
}
