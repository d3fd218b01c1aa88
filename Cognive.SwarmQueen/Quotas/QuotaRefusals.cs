using System.Security.Claims;
using Cognive.Credentials;
using Cognive.Data.Audit;
using Cognive.SwarmQueen.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using StackExchange.Redis;

namespace Cognive.SwarmQueen.Quotas;

/// <summary>
/// Answers a request over a quota (429 or 413 problem details naming the quota, its limit and the use) and records the
/// refusal in the team's audit trail — the first of each team, quota and minute only, so a flood of refused requests
/// cannot flood the chain (the minute is claimed in Redis, shared by every queen replica).
/// </summary>
public sealed class QuotaRefusals(NpgsqlDataSource db, IConnectionMultiplexer redis, TimeProvider time, AuditSealer audit,
    ILogger<QuotaRefusals> logger)
{
    public async Task<ProblemHttpResult> RefuseAsync(ClaimsPrincipal user, Quota quota, long limit, long used, CancellationToken ct)
    {
        if (user.Identity?.IsAuthenticated == true)
        {
            await RecordAsync(Callers.TeamIdOf(user), Callers.ActorOf(user), quota, limit, used, ct);
        }

        var detail = quota.Single
            ? $"This body has {used} bytes; the quota {quota.Name} ({quota.Setting}) allows {limit}."
            : $"The team uses {used} {quota.Unit} of its quota {quota.Name} ({quota.Setting}) of {limit}; free some first.";
        return TypedResults.Problem(statusCode: quota.Status, detail: detail,
            type: quota.Single ? "https://cognive.dev/problems/payload-too-large" : "https://cognive.dev/problems/quota-exceeded",
            title: quota.Single ? "Payload too large" : "Quota exceeded",
            extensions: new Dictionary<string, object?> { ["quota"] = quota.Name, ["limit"] = limit, ["used"] = used });
    }

    private async Task RecordAsync(Guid teamId, string actor, Quota quota, long limit, long used, CancellationToken ct)
    {
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        try
        {
            if (!await redis.GetDatabase().StringSetAsync($"cognive:quota-refused:{teamId:N}:{quota.Name}:{minute}", 1, TimeSpan.FromMinutes(2),
                    When.NotExists))
            {
                return;
            }
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // Without the shared claim a flood could write one record per request: the log has it instead.
            logger.LogWarning("Quota refusal not audited, Redis did not answer: team {TeamId}, quota {Quota}: {Reason}", teamId, quota.Name, e.Message);
            return;
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await audit.AppendAsync(connection, transaction, teamId, actor, "swarm.quota.refused", "swarm_quota", quota.Name,
            new { quota = quota.Name, limit, used }, ct);
        await transaction.CommitAsync(ct);
    }
}
