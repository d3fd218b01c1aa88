using System.Globalization;

namespace Cognive.Web.Components.Pages.Overview;

/// <summary>How the console writes amounts: US dollars, cents always, sub-cent digits only when there are any (LLM calls cost fractions of a cent).</summary>
public static class Money
{
    public static string Usd(decimal? amount) => amount is { } value ? value.ToString("$#,##0.00##", CultureInfo.InvariantCulture) : "—";

    /// <summary>The exact amount, for machines (tests compare it with the API's answer).</summary>
    public static string Exact(decimal? amount) => amount?.ToString(CultureInfo.InvariantCulture) ?? "";

    public static string Percent(double fraction) => fraction.ToString("0.#%", CultureInfo.InvariantCulture);

    /// <summary>How much of a budget is spent, 0–100 for the progress bar (past 100 shows full).</summary>
    public static int Progress(decimal? spent, decimal limit) =>
        limit <= 0 || spent is null ? 0 : (int)Math.Min(100, Math.Round(spent.Value / limit * 100));
}
