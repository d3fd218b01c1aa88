using System.Diagnostics.Metrics;
using Cognive.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StackExchange.Redis;

namespace Cognive.Governance.Policies;

/// <summary>
/// The counting side of policies: calls per minute per agent (in Redis, shared by replicas, by fixed UTC minute) and
/// the violations each policy has seen (on the policy's row, and as a metric).
/// </summary>
public sealed class PolicyMeter(IConnectionMultiplexer redis, IServiceScopeFactory scopes, TimeProvider time, IMeterFactory meters,
    ILogger<PolicyMeter> logger)
{
    private readonly Counter<long> _violations = meters.Create("Cognive.Governance")
        .CreateCounter<long>("cognive.policy.violations", description: "Calls and checks refused or flagged by a policy");

    /// <summary>Counts a reported call against each calls-per-minute rule; a call past the rate violates it.</summary>
    public Task<PolicyViolation?> CountCallAsync(IEnumerable<PolicyView> policies, Guid agentId) => RateAsync(policies, agentId, count: true);

    /// <summary>Whether another call would exceed a calls-per-minute rule, without counting one.</summary>
    public Task<PolicyViolation?> PeekAsync(IEnumerable<PolicyView> policies, Guid agentId) => RateAsync(policies, agentId, count: false);

    // The counter and its expiry in one step, so no minute's counter is left without one.
    private const string CountScript = """
        local calls = redis.call('INCR', KEYS[1])
        if calls == 1 then redis.call('PEXPIRE', KEYS[1], 120000) end
        return calls
        """;

    /// <summary>Counts a violation; a count that cannot be written is logged, never allowed to change the verdict.</summary>
    public async Task RecordViolationAsync(PolicyViolation violation, CancellationToken ct)
    {
        _violations.Add(1, new KeyValuePair<string, object?>("rule", violation.Rule));
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CogniveDbContext>().Policies.Where(p => p.Id == violation.Policy.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.Violations, p => p.Violations + 1), ct);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning("Violation of policy {PolicyId} not counted: {Reason}", violation.Policy.Id, e.Message);
        }
    }

    private async Task<PolicyViolation?> RateAsync(IEnumerable<PolicyView> policies, Guid agentId, bool count)
    {
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        foreach (var policy in policies)
        {
            if (policy.MaxCallsPerMinute is not { } max)
            {
                continue;
            }

            var key = (RedisKey)$"cognive:policy-calls:{policy.Id:N}:{agentId:N}:{minute}";
            var cache = redis.GetDatabase();
            var calls = count ? (long)await cache.ScriptEvaluateAsync(CountScript, [key]) : (long)await cache.StringGetAsync(key) + 1;

            if (calls > max)
            {
                return new(policy, "max_calls_per_minute", $"Policy '{policy.Name}' allows {max} calls a minute per agent.");
            }
        }

        return null;
    }
}
