using System.Security.Claims;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Budgets;
using Cognive.Governance.Budgets;
using Cognive.ApiService.Caching;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using StackExchange.Redis;

namespace Cognive.ApiService.Analytics;

/// <summary>
/// Cost analytics, cached per team and question in Redis for <see cref="AnalyticsWindows.MaxStalenessSeconds"/>:
/// dashboards poll these, and rollups change with every ingested batch.
/// </summary>
public static class AnalyticsEndpoints
{
    public static RouteGroupBuilder MapAnalyticsEndpoints(this RouteGroupBuilder api)
    {
        var analytics = api.MapGroup("/analytics").WithTags("Analytics");
        analytics.MapGet("/cost-trends", CostTrendsAsync).RequirePermission(Permissions.CostRead);
        analytics.MapGet("/cost-trends.csv", CostTrendsCsv).RequirePermission(Permissions.CostRead);
        analytics.MapGet("/summary", SummaryAsync).RequirePermission(Permissions.CostRead);
        analytics.MapGet("/overview", OverviewAsync).RequirePermission(Permissions.CostRead);
        return api;
    }

    private static async Task<Results<Ok<CostTrends>, ValidationProblem>> CostTrendsAsync([AsParameters] CostTrendQuery query,
        ClaimsPrincipal user, AnalyticsQueries queries, IConnectionMultiplexer redis, TimeProvider time, CancellationToken ct)
    {
        var (filter, errors) = query.Resolve();
        if (filter is null)
        {
            return TypedResults.ValidationProblem(errors!);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var trends = await CachedAsync(redis, filter.CacheKey(teamId), ApiJson.Default.CostTrends,
            () => queries.CostTrendsAsync(teamId, filter, time.GetUtcNow(), ct));
        return TypedResults.Ok(trends);
    }

    /// <summary>
    /// The same question as CSV, one row per group and bucket, streamed from PostgreSQL as it is read (not cached: an
    /// export is asked for rarely and wants the numbers of now).
    /// </summary>
    private static Results<PushStreamHttpResult, ValidationProblem> CostTrendsCsv([AsParameters] CostTrendQuery query,
        ClaimsPrincipal user, AnalyticsQueries queries, TimeProvider time, HttpContext http)
    {
        var (filter, errors) = query.Resolve();
        if (filter is null)
        {
            return TypedResults.ValidationProblem(errors!);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var from = AnalyticsWindows.From(time.GetUtcNow(), AnalyticsWindows.Periods[filter.Period]);
        return TypedResults.Stream(async body =>
        {
            var ct = http.RequestAborted;
            await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024);
            writer.NewLine = "\r\n";
            await writer.WriteLineAsync("bucket_start,group_by,key,label,calls,input_tokens,output_tokens,cost_usd,unpriced_calls,errors");
            await foreach (var row in queries.TrendRowsAsync(teamId, filter, from, ct))
            {
                var p = row.Point;
                await writer.WriteLineAsync(string.Join(',', CsvCells.Time(p.BucketStart), filter.GroupBy, CsvCells.Text(row.Key),
                    CsvCells.Text(row.Label), CsvCells.Number(p.Calls), CsvCells.Number(p.InputTokens), CsvCells.Number(p.OutputTokens),
                    CsvCells.Number(p.Cost), CsvCells.Number(p.UnpricedCalls), CsvCells.Number(p.Errors)));
            }
        }, "text/csv; charset=utf-8", $"cost-trends-{filter.Period}-by-{filter.GroupBy}.csv");
    }

    private static async Task<Results<Ok<CostSummary>, ValidationProblem>> SummaryAsync(string? period, ClaimsPrincipal user,
        AnalyticsQueries queries, IConnectionMultiplexer redis, TimeProvider time, CancellationToken ct)
    {
        period ??= "7d";
        var errors = new Dictionary<string, string[]>();
        FieldRules.OneOf(errors, "period", period, AnalyticsWindows.Periods.Keys);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var summary = await CachedAsync(redis, $"summary:{teamId:N}:{period}", ApiJson.Default.CostSummary,
            () => queries.SummaryAsync(teamId, period, time.GetUtcNow(), ct));
        return TypedResults.Ok(summary);
    }

    /// <summary>The console's landing page in one round trip (<see cref="Overview"/>), fresher than the other analytics.</summary>
    private static async Task<Results<Ok<Overview>, ValidationProblem>> OverviewAsync([FromQuery(Name = "group_by")] string? groupBy,
        ClaimsPrincipal user, OverviewQueries queries, CogniveDbContext db, BudgetLedger ledger, IConnectionMultiplexer redis,
        TimeProvider time, CancellationToken ct)
    {
        groupBy ??= "model";
        var errors = new Dictionary<string, string[]>();
        FieldRules.OneOf(errors, "group_by", groupBy, AnalyticsWindows.Groupings);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var overview = await CachedAsync(redis, $"overview:{teamId:N}:{groupBy}", ApiJson.Default.Overview,
            () => queries.OverviewAsync(db, ledger, teamId, groupBy, time.GetUtcNow(), ct), OverviewQueries.MaxStalenessSeconds);
        return TypedResults.Ok(overview);
    }

    private static async Task<T> CachedAsync<T>(IConnectionMultiplexer redis, string question, JsonTypeInfo<T> json,
        Func<Task<T>> compute, int maxStalenessSeconds = AnalyticsWindows.MaxStalenessSeconds) where T : class =>
        (await RedisReadThrough.GetAsync<T>(redis.GetDatabase(), $"cognive:analytics:{question}", json,
            TimeSpan.FromSeconds(maxStalenessSeconds), async () => await compute()))!;
}
