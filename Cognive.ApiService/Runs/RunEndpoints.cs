using System.Security.Claims;
using Cognive.ApiService.Agents;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cognive.ApiService.Runs;

public static class RunEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static RouteGroupBuilder MapRunEndpoints(this RouteGroupBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapPost("/start", StartAsync).RequirePermission(Permissions.TelemetryWrite);
        runs.MapPost("/{runId:guid}/end", EndAsync).RequirePermission(Permissions.TelemetryWrite);
        runs.MapGet("/{runId:guid}", GetAsync).RequirePermission(Permissions.AgentRead);
        api.MapGet("/agents/{agentId:guid}/runs", ListAsync).WithTags("Runs").RequirePermission(Permissions.AgentRead);
        return api;
    }

    private static async Task<Results<Created<StartRunResponse>, ValidationProblem, NotFound, ProblemHttpResult>> StartAsync(
        StartRunRequest request, ClaimsPrincipal user, CogniveDbContext db, AgentCache agents, RunStore runs,
        RunDirectory directory, TimeProvider time, CancellationToken ct)
    {
        if (RunRules.ValidateStart(request) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var agentId = request.AgentId!.Value;
        var agent = await agents.GetAsync(db, teamId, agentId, ct);
        if (agent is null)
        {
            return TypedResults.NotFound();
        }

        if (agent.Status != "active")
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/agent-archived", title: "Agent archived",
                statusCode: StatusCodes.Status409Conflict, detail: "An archived agent starts no runs.");
        }

        var (runId, startedAt) = RunIds.Mint(time.GetUtcNow());
        await runs.InsertAsync(teamId, runId, agentId, startedAt, request.Metadata, ct);
        await directory.RememberAsync(runId, new RunOwner(teamId, agentId, Ended: false));
        return TypedResults.Created($"/api/v1/runs/{runId}", new StartRunResponse(runId, agentId, startedAt));
    }

    private static async Task<Results<Ok<RunResponse>, ValidationProblem, NotFound, ProblemHttpResult>> EndAsync(
        Guid runId, EndRunRequest request, ClaimsPrincipal user, RunStore runs, RunDirectory directory, TimeProvider time,
        CancellationToken ct)
    {
        if (RunRules.ValidateEnd(request) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var now = time.GetUtcNow();
        var ended = await runs.EndAsync(teamId, runId, request.Status!, request.Error?.Trim(), now, ct);
        if (ended is null)
        {
            return await runs.FindAsync(teamId, runId, now, ct) is null
                ? TypedResults.NotFound()
                : RunRules.EndedProblem("This run has ended already.");
        }

        await directory.RememberAsync(runId, new RunOwner(teamId, ended.AgentId, Ended: true));
        return TypedResults.Ok(ended);
    }

    private static async Task<Results<Ok<RunResponse>, NotFound>> GetAsync(Guid runId, ClaimsPrincipal user, RunStore runs,
        TimeProvider time, CancellationToken ct)
    {
        var run = await runs.FindAsync(CogniveClaims.TeamIdOf(user), runId, time.GetUtcNow(), ct);
        return run is null ? TypedResults.NotFound() : TypedResults.Ok(run);
    }

    private static async Task<Results<Ok<RunPage>, ValidationProblem, NotFound>> ListAsync(Guid agentId, Guid? cursor, int? limit,
        ClaimsPrincipal user, CogniveDbContext db, AgentCache agents, RunStore runs, TimeProvider time, CancellationToken ct)
    {
        if (FieldRules.PageLimit(limit, MaxPageSize) is { } limitErrors)
        {
            return TypedResults.ValidationProblem(limitErrors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        if (await agents.GetAsync(db, teamId, agentId, ct) is null)
        {
            return TypedResults.NotFound();
        }

        var size = limit ?? DefaultPageSize;
        var page = await runs.ListAsync(teamId, agentId, cursor, size + 1, time.GetUtcNow(), ct);
        var items = page.Take(size).ToList();
        return TypedResults.Ok(new RunPage(items, page.Count > size ? items[^1].RunId : null));
    }
}
