using System.Security.Claims;
using System.Text.Json;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Agents;
using Cognive.Data.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cognive.ApiService.Agents;

public static class AgentEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static RouteGroupBuilder MapAgentEndpoints(this RouteGroupBuilder api)
    {
        var agents = api.MapGroup("/agents").WithTags("Agents");
        agents.MapPost("/", RegisterAsync).RequirePermission(Permissions.AgentWrite);
        agents.MapGet("/", ListAsync).RequirePermission(Permissions.AgentRead);
        agents.MapGet("/{id:guid}", GetAsync).RequirePermission(Permissions.AgentRead);
        agents.MapPatch("/{id:guid}", UpdateAsync).RequirePermission(Permissions.AgentWrite);
        agents.MapDelete("/{id:guid}", ArchiveAsync).RequirePermission(Permissions.AgentWrite);
        return api;
    }

    private static async Task<Results<Created<AgentResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterAgentRequest request, ClaimsPrincipal user, CogniveDbContext db, AuditLog audit, HttpContext http, TimeProvider time,
        CancellationToken ct)
    {
        if (AgentRules.Validate(request.Name, request.Framework, request.Description, request.Config, partial: false) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var teamId = CogniveClaims.TeamIdOf(user);
        var name = request.Name!.Trim();
        var (agent, conflict) = await AuditLog.InTransactionAsync<(Agent? Agent, ProblemHttpResult? Conflict)>(db, async () =>
        {
            if (await NameTakenAsync(db, teamId, name, ct))
            {
                return (null, NameTaken(name));
            }

            var agent = new Agent
            {
                TeamId = teamId,
                Name = name,
                Framework = request.Framework!.Trim(),
                Description = request.Description?.Trim(),
                Config = ToDocument(request.Config),
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Agents.Add(agent);
            if (await SaveAsync(db, agent.Name, ct) is { } conflict)
            {
                return (agent, conflict);
            }

            await audit.RecordAsync(db, http, "agent.create", "agent", agent.Id, new { after = Audited(agent) }, ct);
            return (agent, null);
        }, ct);
        if (conflict is not null)
        {
            return conflict;
        }

        return TypedResults.Created($"/api/v1/agents/{agent!.Id}", AgentResponse.From(agent));
    }

    private static async Task<Results<Ok<AgentPage>, ValidationProblem>> ListAsync(ClaimsPrincipal user, CogniveDbContext db,
        string? status, string? framework, string? name, string? q, Guid? cursor, int? limit, CancellationToken ct)
    {
        AgentStatus? statusFilter = null;
        if (status is not null)
        {
            if (!Enum.TryParse<AgentStatus>(status, ignoreCase: true, out var parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["status is active or archived."] });
            }

            statusFilter = parsed;
        }

        if (FieldRules.PageLimit(limit, MaxPageSize) is { } limitErrors)
        {
            return TypedResults.ValidationProblem(limitErrors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var query = db.Agents.AsNoTracking().Where(a => a.TeamId == teamId);
        query = statusFilter is { } s ? query.Where(a => a.Status == s) : query;
        query = framework is null ? query : query.Where(a => a.Framework == framework);
        query = name is null ? query : query.Where(a => a.Name.StartsWith(name));
        var containing = string.IsNullOrWhiteSpace(q) ? null : ContainsPattern(q.Trim());
        query = containing is null ? query : query.Where(a => EF.Functions.ILike(a.Name, containing, @"\"));
        query = cursor is { } after ? query.Where(a => a.Id.CompareTo(after) > 0) : query;

        var size = limit ?? DefaultPageSize;
        var page = await query.OrderBy(a => a.Id).Take(size + 1).ToListAsync(ct);
        var items = page.Take(size).Select(AgentResponse.From).ToList();
        return TypedResults.Ok(new AgentPage(items, page.Count > size ? items[^1].AgentId : null));
    }

    private static async Task<Results<Ok<AgentResponse>, NotFound>> GetAsync(Guid id, ClaimsPrincipal user, CogniveDbContext db,
        AgentCache cache, CancellationToken ct)
    {
        var agent = await cache.GetAsync(db, CogniveClaims.TeamIdOf(user), id, ct);
        return agent is null ? TypedResults.NotFound() : TypedResults.Ok(agent);
    }

    private static async Task<Results<Ok<AgentResponse>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateAgentRequest request, ClaimsPrincipal user, CogniveDbContext db, AgentCache cache, AuditLog audit,
        HttpContext http, TimeProvider time, CancellationToken ct)
    {
        if (AgentRules.Validate(request.Name, request.Framework, request.Description, request.Config, partial: true) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (agent, conflict) = await AuditLog.InTransactionAsync<(Agent? Agent, ProblemHttpResult? Conflict)>(db, async () =>
        {
            var agent = await FindAsync(db, id, user, ct);
            if (agent is null)
            {
                return (null, null);
            }

            var before = Audited(agent);
            agent.Name = request.Name?.Trim() ?? agent.Name;
            agent.Framework = request.Framework?.Trim() ?? agent.Framework;
            agent.Description = request.Description?.Trim() ?? agent.Description;
            agent.Config = request.Config is null ? agent.Config : ToDocument(request.Config);
            agent.UpdatedAt = time.GetUtcNow();
            if (await SaveAsync(db, agent.Name, ct) is { } conflict)
            {
                return (agent, conflict);
            }

            await audit.RecordAsync(db, http, "agent.update", "agent", id,
                new { before, after = Audited(agent), config_changed = request.Config is not null }, ct);
            return (agent, null);
        }, ct);
        if (agent is null)
        {
            return TypedResults.NotFound();
        }

        if (conflict is not null)
        {
            return conflict;
        }

        await cache.ForgetAsync(id);
        return TypedResults.Ok(AgentResponse.From(agent));
    }

    /// <summary>Archives: the agent and its history stay, it just stops being active.</summary>
    private static async Task<Results<NoContent, NotFound>> ArchiveAsync(Guid id, ClaimsPrincipal user, CogniveDbContext db,
        AgentCache cache, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        var archived = await AuditLog.InTransactionAsync(db, async () =>
        {
            var agent = await FindAsync(db, id, user, ct);
            if (agent is null)
            {
                return false;
            }

            var before = Audited(agent);
            agent.Status = AgentStatus.Archived;
            agent.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "agent.archive", "agent", id, new { before, after = Audited(agent) }, ct);
            return true;
        }, ct);
        if (!archived)
        {
            return TypedResults.NotFound();
        }

        await cache.ForgetAsync(id);
        return TypedResults.NoContent();
    }

    /// <summary>An ILIKE pattern matching names that contain <paramref name="text"/> literally (its % and _ escaped).</summary>
    private static string ContainsPattern(string text) =>
        "%" + text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal) + "%";

    /// <summary>What the audit keeps of an agent: never its config, which may hold credentials.</summary>
    private static object Audited(Agent agent) =>
        new { agent.Name, agent.Framework, agent.Description, status = agent.Status.ToString().ToLowerInvariant() };

    private static Task<Agent?> FindAsync(CogniveDbContext db, Guid id, ClaimsPrincipal user, CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        return db.Agents.SingleOrDefaultAsync(a => a.Id == id && a.TeamId == teamId, ct);
    }

    private static JsonDocument? ToDocument(JsonElement? config) =>
        config is { } value ? JsonDocument.Parse(value.GetRawText()) : null;

    /// <summary>Saves, turning the team-unique name's violation into 409 problem details.</summary>
    private static async Task<ProblemHttpResult?> SaveAsync(CogniveDbContext db, string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return NameTaken(name);
        }
    }

    /// <summary>
    /// Whether the team has an agent of that name, asked under a lock on the name held to the end of the transaction:
    /// registrations of one name at once (an agent kind's replicas starting together) take turns, and the later one is
    /// answered 409 without a unique-key violation logged by the database and EF Core. The unique index stays the backstop.
    /// </summary>
    private static async Task<bool> NameTakenAsync(CogniveDbContext db, Guid teamId, string name, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({teamId}::text || '/' || {name}, 0))", ct);
        return await db.Agents.AnyAsync(a => a.TeamId == teamId && a.Name == name, ct);
    }

    private static ProblemHttpResult NameTaken(string name) =>
        TypedResults.Problem(type: "https://cognive.dev/problems/agent-name-taken", title: "Agent name taken",
            statusCode: StatusCodes.Status409Conflict, detail: $"This team has an agent named '{name}'.");
}
