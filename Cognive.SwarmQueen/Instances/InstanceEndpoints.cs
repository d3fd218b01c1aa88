using System.Globalization;
using System.Security.Claims;
using Cognive.Credentials;
using Cognive.Data.Access;
using Cognive.SwarmQueen.Authentication;
using Cognive.SwarmQueen.Kinds;
using Cognive.SwarmQueen.Quotas;
using Cognive.SwarmQueen.Tasks;
using Cognive.SwarmQueen.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cognive.SwarmQueen.Instances;

/// <summary>Instances join (PUT, idempotent), heartbeat, take tasks and leave; anyone reading the team may list them.</summary>
public static class InstanceEndpoints
{
    private static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(30);

    public static RouteGroupBuilder MapInstanceEndpoints(this RouteGroupBuilder swarm)
    {
        var agents = swarm.MapGroup("/agents").WithTags("Swarm instances");
        agents.MapPut("/{instanceId:guid}", RegisterAsync).RequireAuthorization(Permissions.TelemetryWrite);
        agents.MapPost("/{instanceId:guid}/heartbeat", HeartbeatAsync).RequireAuthorization(Permissions.TelemetryWrite);
        agents.MapDelete("/{instanceId:guid}", DeregisterAsync).RequireAuthorization(Permissions.TelemetryWrite);
        agents.MapPost("/{instanceId:guid}/lease", LeaseAsync).RequireAuthorization(Permissions.TelemetryWrite);
        agents.MapGet("/", ListAsync).RequireAuthorization(Permissions.AgentRead);
        return swarm;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RegisterAsync(Guid instanceId,
        RegisterInstanceRequest request, ClaimsPrincipal user, InstanceRegistry registry, KindOwners kinds, NpgsqlDataSource db,
        HttpResponse response, QuotaRefusals refusals, IOptions<SwarmQuotaOptions> quotas, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var teamId = Callers.TeamIdOf(user);
        if (request.AgentId is not { } agentId || !await IsTeamsAgentAsync(db, teamId, agentId, ct))
        {
            errors["agent_id"] = ["agent_id is an agent of this team."];
        }

        NameLists.Check(errors, "capabilities", request.Capabilities, 50);

        if (request.Version is not { Length: > 0 and <= 100 })
        {
            errors["version"] = ["version is required (at most 100 characters)."];
        }

        if (request.MaxConcurrency is not null and not (>= 1 and <= 1000))
        {
            errors["max_concurrency"] = ["max_concurrency is 1 to 1000."];
        }

        if (request.Kind is not null && !NameLists.IsIdentifier(request.Kind, 100))
        {
            errors["kind"] = ["kind has 1 to 100 letters, digits, '-', '_' or '.'."];
        }

        if (request.Host is not null && !NameLists.IsIdentifier(request.Host, 253))
        {
            errors["host"] = ["host has 1 to 253 letters, digits, '-', '_' or '.'."];
        }

        if (request.ReadinessUrl is not null && !IsReadinessUrl(request.ReadinessUrl))
        {
            errors["readiness_url"] = ["readiness_url is an http(s) URL on the loopback interface ending in /health/readiness."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await kinds.RefusalAsync(teamId, instanceId, request.DeclaredKind, request.Host, ct) is var (field, detail))
        {
            return TypedResults.Problem(type: $"https://cognive.dev/problems/{field}-not-owned", title: $"Not the team's {field}",
                statusCode: StatusCodes.Status403Forbidden, detail: detail,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } });
        }

        // Checked before the registration, not in it: registrations are rare, and concurrent ones can pass the quota by a few at most.
        var limit = quotas.Value.Instances;
        if (await registry.CountOthersAsync(teamId, instanceId, limit, ct) is var remembered && remembered >= limit)
        {
            return await refusals.RefuseAsync(user, Quota.Instances, limit, remembered, ct);
        }

        var registration = await registry.RegisterAsync(teamId, Callers.ActorOf(user), instanceId, request, ct);
        if (registration.QuarantinedUntil is not null)
        {
            // Asking again before the cooldown ends gets the same answer: the agent waits this long.
            response.Headers.RetryAfter = Math.Max(1, registration.QuarantineSecondsLeft).ToString(CultureInfo.InvariantCulture);
        }

        return registration switch
        {
            { Succeeded: true } => TypedResults.NoContent(),
            { QuarantinedUntil: { } until } => TypedResults.Problem(type: "https://cognive.dev/problems/kind-quarantined",
                title: "Agent kind quarantined", statusCode: StatusCodes.Status409Conflict,
                detail: $"Instances of '{request.KindOrDefault}' crash-looped; they may join again after {until:O}."),
            _ => TypedResults.Problem(type: "https://cognive.dev/problems/instance-unavailable", title: "Instance id unavailable",
                statusCode: StatusCodes.Status409Conflict, detail: "This instance id belongs to another team."),
        };
    }

    // The queen GETs it and keeps nothing of the answer but its status; still, a key holder must not point it anywhere:
    // only the readiness path, on the loopback interface, where local agents (which share the queen's host) listen.
    // Pods register none: Kubernetes probes them.
    private static bool IsReadinessUrl(string value) =>
        value.Length <= 500 && Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.IsLoopback &&
        url.AbsolutePath == "/health/readiness" && url.Query.Length == 0 && url.UserInfo.Length == 0;

    private static async Task<Results<NoContent, NotFound>> HeartbeatAsync(Guid instanceId, ClaimsPrincipal user,
        InstanceRegistry registry, CancellationToken ct) =>
        await registry.HeartbeatAsync(Callers.TeamIdOf(user), instanceId, ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> DeregisterAsync(Guid instanceId, ClaimsPrincipal user,
        InstanceRegistry registry, CancellationToken ct) =>
        await registry.DeregisterAsync(Callers.TeamIdOf(user), Callers.ActorOf(user), instanceId, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();

    /// <summary>The next task for this instance (200), or none (204). <paramref name="leaseSeconds"/>: 1 to 600, 30 by default.</summary>
    private static async Task<Results<Ok<TaskView>, NoContent, ValidationProblem>> LeaseAsync(Guid instanceId,
        [FromQuery(Name = "lease_seconds")] int? leaseSeconds,
        ClaimsPrincipal user, TaskQueue tasks, CancellationToken ct)
    {
        if (leaseSeconds is not null and not (>= 1 and <= 600))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["lease_seconds"] = ["lease_seconds is 1 to 600."] });
        }

        var lease = leaseSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultLease;
        var task = await tasks.LeaseAsync(Callers.TeamIdOf(user), instanceId, lease, ct);
        return task is null ? TypedResults.NoContent() : TypedResults.Ok(task);
    }

    private static async Task<Ok<List<InstanceView>>> ListAsync(ClaimsPrincipal user, InstanceRegistry registry, CancellationToken ct) =>
        TypedResults.Ok(await registry.ListAsync(Callers.TeamIdOf(user), ct));

    private static async Task<bool> IsTeamsAgentAsync(NpgsqlDataSource db, Guid teamId, Guid agentId, CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM agents WHERE id = $1 AND team_id = $2)");
        command.Parameters.Add(new() { Value = agentId });
        command.Parameters.Add(new() { Value = teamId });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}
