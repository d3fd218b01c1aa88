namespace Cognive.Web.Components.Pages.Budgets;

public sealed record BudgetRow(Guid Id, string Name, string Scope, Guid? AgentId, decimal AmountUsd, string Period, string Mode,
    int[] Thresholds, decimal? SpentUsd, decimal? HeldUsd, DateTimeOffset PeriodStart, DateTimeOffset? ResetsAt)
{
    /// <summary>A hard budget with nothing left: checks are refused (429) and reported calls flagged until it resets.</summary>
    public bool Exhausted => Mode == "hard" && SpentUsd >= AmountUsd;
}

/// <summary>What the budget form sends; on an edit the API ignores what may not change (scope, period).</summary>
public sealed record BudgetFields(string? Name, Guid? AgentId, decimal? AmountUsd, string? Period, string? Mode, int[]? Thresholds);

public sealed record DeliveryRow(Guid WebhookId, string Status, int Attempts, string? LastError, DateTimeOffset? DeliveredAt);

public sealed record AlertRow(Guid Id, string Type, Guid? BudgetId, int? Threshold, decimal? SpentUsd, decimal? LimitUsd, string? Kind,
    string? Detail, DateTimeOffset FiredAt, string EmailStatus, IReadOnlyList<DeliveryRow> Deliveries);

public sealed record AlertPage(IReadOnlyList<AlertRow> Items, string? NextCursor);

public sealed record WebhookRow(Guid Id, string Url, DateTimeOffset CreatedAt);

/// <summary>The answer to creating a webhook: the only time its signing secret is shown.</summary>
public sealed record CreatedWebhook(Guid Id, string Url, string Secret, DateTimeOffset CreatedAt);
