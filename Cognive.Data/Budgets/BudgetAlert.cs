namespace Cognive.Data.Budgets;

/// <summary>
/// A threshold of a budget crossed in one period. Unique per (budget, period, threshold): whichever worker stores
/// the spend that crosses it inserts the row, and every later attempt finds it there, so an alert fires once.
/// </summary>
public sealed class BudgetAlert
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid TeamId { get; init; }

    public Guid BudgetId { get; init; }

    public DateTimeOffset PeriodStart { get; init; }

    public int Threshold { get; init; }

    public decimal SpentUsd { get; init; }

    public decimal LimitUsd { get; init; }

    public DateTimeOffset FiredAt { get; init; }

    /// <summary>When the team's leads were e-mailed about it; null until then, or when no SMTP server is configured.</summary>
    public DateTimeOffset? EmailedAt { get; set; }

    /// <summary>Why it could not be e-mailed (the mailer gave up on it and went on); null while pending or once sent.</summary>
    public string? EmailError { get; set; }
}
