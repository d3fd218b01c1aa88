using Cognive.Governance.Budgets;
using Cognive.Governance.Policies;
using Cognive.Governance.Pricing;

namespace Cognive.Governance;

public static class GovernanceExtensions
{
    /// <summary>
    /// Checks before and reports after a call (<see cref="SpendGate"/>), for services holding calls against budgets and
    /// policies (the API, the gateway). Needs PostgreSQL (a CogniveDbContext and an NpgsqlDataSource), Redis and a TimeProvider.
    /// </summary>
    public static IServiceCollection AddSpendGate(this IServiceCollection services) => services
        .AddSingleton<AgentOwners>()
        .AddSingleton<TeamRulesCache>()
        .AddSingleton<BudgetLedger>()
        .AddSingleton<PolicyMeter>()
        .AddSingleton<PriceBook>()
        .AddSingleton<SpendGate>();

    /// <summary>Settling after calls are stored (<see cref="BudgetTracker"/>), for the workers: an NpgsqlDataSource, Redis, a TimeProvider.</summary>
    public static IServiceCollection AddBudgetSettlement(this IServiceCollection services) => services
        .AddSingleton<BudgetLedger>()
        .AddSingleton<BudgetTracker>();
}
