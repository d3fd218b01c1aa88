using System.Security.Claims;
using Cognive.Credentials;
using Cognive.Data.Access;
using Cognive.Data.Swarm;
using Cognive.SwarmQueen.Instances;
using Cognive.SwarmQueen.Quotas;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Cognive.SwarmQueen.Tasks;

/// <summary>
/// Tasks: submitted (202, once per idempotency key), read, cancelled; and the lease holder's renewals and outcomes,
/// which count only with the lease's current fencing token (409 otherwise: the lease lapsed and the task moved on).
/// </summary>
public static class TaskEndpoints
{
    private static readonly TimeSpan RenewedLease = TimeSpan.FromSeconds(30);
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    public static RouteGroupBuilder MapTaskEndpoints(this RouteGroupBuilder swarm)
    {
        var tasks = swarm.MapGroup("/tasks").WithTags("Swarm tasks");
        tasks.MapPost("/", SubmitAsync).RequireAuthorization(Permissions.AgentWrite);
        tasks.MapGet("/", ListAsync).RequireAuthorization(Permissions.AgentRead);
        tasks.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Permissions.AgentRead);
        tasks.MapPost("/{id:guid}/cancel", CancelAsync).RequireAuthorization(Permissions.AgentWrite);
        tasks.MapPost("/{id:guid}/renew", RenewAsync).RequireAuthorization(Permissions.TelemetryWrite);
        tasks.MapPost("/{id:guid}/complete", CompleteAsync).RequireAuthorization(Permissions.TelemetryWrite);
        tasks.MapPost("/{id:guid}/fail", FailAsync).RequireAuthorization(Permissions.TelemetryWrite);
        return swarm;
    }

    /// <summary>Refused past the team's <see cref="Quota.QueuedTasks"/> (429).</summary>
    private static async Task<Results<Accepted<CreatedTask>, ValidationProblem, ProblemHttpResult>> SubmitAsync(CreateTaskRequest request,
        ClaimsPrincipal user, TaskQueue tasks, InstanceRegistry registry, QuotaRefusals refusals, TimeProvider time, CancellationToken ct)
    {
        var teamId = Callers.TeamIdOf(user);
        var errors = TaskRules.Validate(request, await registry.KnownTypesAsync(teamId, ct), time.GetUtcNow());
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await tasks.ReserveAsync(teamId, ct) is { Fits: false } full)
        {
            return await refusals.RefuseAsync(user, Quota.QueuedTasks, full.Limit, full.Used, ct);
        }

        var (id, created) = await tasks.EnqueueAsync(teamId, new NewTask(request.Type!, request.Payload, request.Priority ?? 5,
            request.RequiredCapabilities?.Distinct().ToArray() ?? [], request.Deadline, request.MaxAttempts ?? 3, request.IdempotencyKey), ct);
        if (!created)
        {
            await tasks.ReleaseAsync(teamId);
        }

        return TypedResults.Accepted($"/api/v1/swarm/tasks/{id}", new CreatedTask(id));
    }

    /// <summary>The JSON's size when it is larger than <paramref name="limit"/> bytes.</summary>
    private static long? TooLarge(JsonElement? json, int limit) =>
        json is { } value && value.GetRawText().Length is var size && size > limit ? size : null;

    /// <summary><c>GET /tasks?state=&amp;cursor=&amp;limit=</c>: the team's tasks, newest first, one page at a time.</summary>
    private static async Task<Results<Ok<TaskPage>, ValidationProblem>> ListAsync(string? state, Guid? cursor, int? limit, ClaimsPrincipal user,
        TaskQueue tasks, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        SwarmTaskState? wanted = null;
        if (state is not null)
        {
            if (Enum.TryParse<SwarmTaskState>(state, ignoreCase: true, out var parsed) && state.All(char.IsAsciiLetterLower))
            {
                wanted = parsed;
            }
            else
            {
                errors["state"] = ["state is queued, leased, done, dead or cancelled."];
            }
        }

        if (limit is not null and not (>= 1 and <= MaxPageSize))
        {
            errors["limit"] = [$"limit is 1 to {MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var size = limit ?? DefaultPageSize;
        var page = await tasks.ListAsync(Callers.TeamIdOf(user), wanted, cursor, size + 1, ct);
        var items = page.Take(size).ToList();
        return TypedResults.Ok(new TaskPage(items, page.Count > size ? items[^1].Id : null));
    }

    private static async Task<Results<Ok<TaskView>, NotFound>> GetAsync(Guid id, ClaimsPrincipal user, TaskQueue tasks, CancellationToken ct) =>
        await tasks.GetAsync(Callers.TeamIdOf(user), id, ct) is { } task ? TypedResults.Ok(task) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound>> CancelAsync(Guid id, ClaimsPrincipal user, TaskQueue tasks, CancellationToken ct) =>
        await tasks.CancelAsync(Callers.TeamIdOf(user), id, Callers.ActorOf(user), ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();

    private static Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> RenewAsync(Guid id, TaskOutcomeRequest request,
        ClaimsPrincipal user, TaskQueue tasks, CancellationToken ct) =>
        FencedAsync(request, token => tasks.RenewAsync(Callers.TeamIdOf(user), id, token, RenewedLease, ct));

    /// <summary>A result over <see cref="Quota.TaskResultBytes"/> is refused (413); the lease stays, to fail or to complete with less.</summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> CompleteAsync(Guid id, TaskOutcomeRequest request,
        ClaimsPrincipal user, TaskQueue tasks, QuotaRefusals refusals, IOptions<SwarmQuotaOptions> quotas, CancellationToken ct) =>
        TooLarge(request.Result, quotas.Value.TaskResultBytes) is { } size
            ? await refusals.RefuseAsync(user, Quota.TaskResultBytes, quotas.Value.TaskResultBytes, size, ct)
            : await FencedAsync(request, token => tasks.CompleteAsync(Callers.TeamIdOf(user), id, token, request.Result, ct));

    private static Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> FailAsync(Guid id, TaskOutcomeRequest request,
        ClaimsPrincipal user, TaskQueue tasks, CancellationToken ct) =>
        FencedAsync(request, token => tasks.FailAsync(Callers.TeamIdOf(user), id, token,
            request.Error is { Length: > 0 } error ? error[..Math.Min(error.Length, 2000)] : "failed", ct));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> FencedAsync(TaskOutcomeRequest request,
        Func<long, Task<bool>> act)
    {
        if (request.FencingToken is not { } token)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["fencing_token"] = ["fencing_token is required."] });
        }

        return await act(token)
            ? TypedResults.NoContent()
            : TypedResults.Problem(type: "https://cognive.dev/problems/stale-lease", title: "Stale lease",
                statusCode: StatusCodes.Status409Conflict,
                detail: "This lease is not the task's current one (it lapsed, the task finished, or it is not this team's).");
    }
}
