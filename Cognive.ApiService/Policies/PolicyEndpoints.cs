using System.Security.Claims;
using Cognive.ApiService.Agents;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Governance;
using Cognive.ApiService.Paging;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Policies;
using Cognive.Governance;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Policies;

/// <summary>Policies are evaluated on every budget check and every reported call; each refusal counts on the policy.</summary>
public static class PolicyEndpoints
{
    private const int MaxListEntries = 100;

    public static RouteGroupBuilder MapPolicyEndpoints(this RouteGroupBuilder api)
    {
        var policies = api.MapGroup("/policies").WithTags("Policies");
        policies.MapPost("/", CreateAsync).RequirePermission(Permissions.PolicyWrite);
        policies.MapGet("/", ListAsync).RequirePermission(Permissions.AgentRead);
        policies.MapGet("/{id:guid}", GetAsync).RequirePermission(Permissions.AgentRead);
        policies.MapPut("/{id:guid}", ReplaceAsync).RequirePermission(Permissions.PolicyWrite);
        policies.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(Permissions.PolicyWrite);
        return api;
    }

    private static async Task<Results<Created<PolicyResponse>, ValidationProblem>> CreateAsync(CreatePolicyRequest request,
        ClaimsPrincipal user, CogniveDbContext db, AgentCache agents, TeamRulesCache rules, AuditLog audit, HttpContext http,
        TimeProvider time, CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        if (await ValidateAsync(request, teamId, db, agents, ct) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var policy = await AuditLog.InTransactionAsync(db, async () =>
        {
            var policy = new Policy { TeamId = teamId, Name = "", CreatedAt = time.GetUtcNow() };
            Apply(policy, request);
            db.Policies.Add(policy);
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "policy.create", "policy", policy.Id, new { after = ToResponse(policy) }, ct);
            return policy;
        }, ct);
        await rules.ChangedAsync(teamId);
        return TypedResults.Created($"/api/v1/policies/{policy.Id}", ToResponse(policy));
    }

    /// <summary>Replaces a policy's name, agent and rules (the body is a whole policy, as to create one); its violations stay.</summary>
    private static async Task<Results<Ok<PolicyResponse>, ValidationProblem, NotFound>> ReplaceAsync(Guid id, CreatePolicyRequest request,
        ClaimsPrincipal user, CogniveDbContext db, AgentCache agents, TeamRulesCache rules, AuditLog audit, HttpContext http,
        CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        if (await ValidateAsync(request, teamId, db, agents, ct) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var policy = await AuditLog.InTransactionAsync(db, async () =>
        {
            var policy = await db.Policies.SingleOrDefaultAsync(p => p.Id == id && p.TeamId == teamId && p.DeletedAt == null, ct);
            if (policy is null)
            {
                return null;
            }

            var before = ToResponse(policy);
            Apply(policy, request);
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "policy.update", "policy", policy.Id, new { before, after = ToResponse(policy) }, ct);
            return policy;
        }, ct);
        if (policy is null)
        {
            return TypedResults.NotFound();
        }

        await rules.ChangedAsync(teamId);
        return TypedResults.Ok(ToResponse(policy));
    }

    /// <summary>The team's policies, each with its violations, in the order they were made, paged by <see cref="ListPages"/>.</summary>
    private static async Task<Results<Ok<List<PolicyResponse>>, ValidationProblem>> ListAsync(Guid? cursor, int? limit, ClaimsPrincipal user,
        CogniveDbContext db, HttpContext http, CancellationToken ct)
    {
        if (ListPages.Refusal(limit) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = CogniveClaims.TeamIdOf(user);
        var query = db.Policies.AsNoTracking().Where(p => p.TeamId == teamId && p.DeletedAt == null);
        query = cursor is { } after ? query.Where(p => p.Id.CompareTo(after) > 0) : query;
        var policies = await ListPages.TakeAsync(query.OrderBy(p => p.Id), limit, p => p.Id, http, ct);
        return TypedResults.Ok(policies.Select(ToResponse).ToList());
    }

    private static async Task<Results<Ok<PolicyResponse>, NotFound>> GetAsync(Guid id, ClaimsPrincipal user, CogniveDbContext db,
        CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var policy = await db.Policies.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.TeamId == teamId && p.DeletedAt == null, ct);
        return policy is null ? TypedResults.NotFound() : TypedResults.Ok(ToResponse(policy));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, CogniveDbContext db, TeamRulesCache rules,
        AuditLog audit, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        if (!await SoftDeletion.EndAsync<Policy>(db, audit, http, time, id, "policy", policy => new { policy.Name }, ct))
        {
            return TypedResults.NotFound();
        }

        await rules.ChangedAsync(CogniveClaims.TeamIdOf(http.User));
        return TypedResults.NoContent();
    }

    /// <summary>Every problem of the request at once; null when it is a valid policy of the team.</summary>
    private static async Task<Dictionary<string, string[]>?> ValidateAsync(CreatePolicyRequest request, Guid teamId, CogniveDbContext db,
        AgentCache agents, CancellationToken ct)
    {
        var errors = Validate(request);
        if (request.AgentId is { } agentId && await agents.GetAsync(db, teamId, agentId, ct) is null)
        {
            errors["agent_id"] = ["No such agent in this team."];
        }

        return errors.Count > 0 ? errors : null;
    }

    private static void Apply(Policy policy, CreatePolicyRequest request)
    {
        policy.Name = request.Name!.Trim();
        policy.AgentId = request.AgentId;
        policy.AllowedProviders = Normalised(request.AllowedProviders);
        policy.AllowedModels = Normalised(request.AllowedModels);
        policy.MaxTokensPerCall = request.MaxTokensPerCall;
        policy.MaxCallsPerMinute = request.MaxCallsPerMinute;
        policy.ActiveFromHour = request.ActiveFromHour;
        policy.ActiveToHour = request.ActiveToHour;
    }

    private static Dictionary<string, string[]> Validate(CreatePolicyRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        FieldRules.Text(errors, "name", request.Name, 200, required: true);
        List(errors, "allowed_providers", request.AllowedProviders, 100);
        List(errors, "allowed_models", request.AllowedModels, 200);
        if (request.MaxTokensPerCall is < 1)
        {
            errors["max_tokens_per_call"] = ["max_tokens_per_call is at least 1."];
        }

        if (request.MaxCallsPerMinute is < 1)
        {
            errors["max_calls_per_minute"] = ["max_calls_per_minute is at least 1."];
        }

        if (request.ActiveFromHour is null != request.ActiveToHour is null || request.ActiveFromHour is < 0 or > 23 ||
            request.ActiveToHour is < 0 or > 24 || (request.ActiveFromHour is { } from && from == request.ActiveToHour))
        {
            errors["active_hours"] = ["active_from_hour (0-23) and active_to_hour (0-24) come together and differ."];
        }

        if (errors.Count == 0 && request is
            { AllowedProviders: null, AllowedModels: null, MaxTokensPerCall: null, MaxCallsPerMinute: null, ActiveFromHour: null })
        {
            errors["policy"] = ["A policy sets at least one rule."];
        }

        return errors;
    }

    private static void List(Dictionary<string, string[]> errors, string field, string[]? values, int maxLength)
    {
        if (values is not null && (values.Length is 0 or > MaxListEntries || values.Any(v => string.IsNullOrWhiteSpace(v) || v.Length > maxLength)))
        {
            errors[field] = [$"{field} holds 1 to {MaxListEntries} names of at most {maxLength} characters."];
        }
    }

    /// <summary>Calls are reported with lower-case providers and models (the price table's spelling); rules match that.</summary>
    private static string[]? Normalised(string[]? names) => names?.Select(n => n.Trim().ToLowerInvariant()).Distinct().ToArray();

    private static PolicyResponse ToResponse(Policy policy) => new(policy.Id, policy.Name, policy.AgentId, policy.AllowedProviders,
        policy.AllowedModels, policy.MaxTokensPerCall, policy.MaxCallsPerMinute, policy.ActiveFromHour, policy.ActiveToHour,
        policy.Violations, policy.CreatedAt);
}

/// <param name="ActiveFromHour">With <see cref="ActiveToHour"/>: the UTC hours [from, to) calls are allowed in; may wrap midnight.</param>
public sealed record CreatePolicyRequest(string? Name, Guid? AgentId, string[]? AllowedProviders, string[]? AllowedModels,
    int? MaxTokensPerCall, int? MaxCallsPerMinute, int? ActiveFromHour, int? ActiveToHour);

public sealed record PolicyResponse(Guid Id, string Name, Guid? AgentId, string[]? AllowedProviders, string[]? AllowedModels,
    int? MaxTokensPerCall, int? MaxCallsPerMinute, int? ActiveFromHour, int? ActiveToHour, long Violations, DateTimeOffset CreatedAt);
