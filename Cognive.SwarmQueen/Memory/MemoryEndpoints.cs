using System.Security.Claims;
using System.Text.RegularExpressions;
using Cognive.Data.Access;
using Cognive.SwarmQueen.Authentication;
using Cognive.SwarmQueen.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Cognive.SwarmQueen.Memory;

/// <summary>The team's shared memory: <c>/api/v1/swarm/memory/{namespace}/{key}</c>, with compare-and-set on writes.</summary>
public static partial class MemoryEndpoints
{
    private const int MaxValueBytes = 256 * 1024;
    private const int MaxTtlSeconds = 30 * 24 * 3600;

    public static RouteGroupBuilder MapMemoryEndpoints(this RouteGroupBuilder swarm)
    {
        var memory = swarm.MapGroup("/memory").WithTags("Swarm memory");
        memory.MapPut("/{ns}/{key}", PutAsync).RequireAuthorization(Permissions.TelemetryWrite);
        memory.MapGet("/{ns}/{key}", GetAsync).RequireAuthorization(Permissions.AgentRead);
        memory.MapDelete("/{ns}/{key}", DeleteAsync).RequireAuthorization(Permissions.TelemetryWrite);
        memory.MapGet("/{ns}", ListAsync).RequireAuthorization(Permissions.AgentRead);
        return swarm;
    }

    private static async Task<Results<Ok<MemoryEntry>, ValidationProblem, ProblemHttpResult>> PutAsync(string ns, string key,
        PutMemoryRequest request, ClaimsPrincipal user, MemoryStore memory, CancellationToken ct)
    {
        var errors = Names(ns, key);
        if (request.Value is not { } value || value.GetRawText().Length > MaxValueBytes)
        {
            errors["value"] = [$"value is required: any JSON of at most {MaxValueBytes} bytes."];
        }

        if (request.ExpectedVersion is < 0)
        {
            errors["expected_version"] = ["expected_version is 0 (create only) or the version read."];
        }

        if (request.TtlSeconds is not null and not (>= 1 and <= MaxTtlSeconds))
        {
            errors["ttl_seconds"] = [$"ttl_seconds is 1 to {MaxTtlSeconds}."];
        }

        NameLists.Check(errors, "tags", request.Tags, 20);

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var teamId = SwarmAuthentication.TeamIdOf(user);
        var written = await memory.PutAsync(teamId, ns, key, request.Value!.Value, request.ExpectedVersion,
            request.TtlSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : null, request.Tags?.Distinct().ToArray() ?? [], ct);
        return written is not null ? TypedResults.Ok(written) : await ConflictAsync(memory, teamId, ns, key, ct);
    }

    private static async Task<Results<Ok<MemoryEntry>, NotFound>> GetAsync(string ns, string key, ClaimsPrincipal user, MemoryStore memory,
        CancellationToken ct) =>
        await memory.GetAsync(SwarmAuthentication.TeamIdOf(user), ns, key, ct) is { } entry ? TypedResults.Ok(entry) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(string ns, string key,
        [FromQuery(Name = "expected_version")] long? expectedVersion, ClaimsPrincipal user, MemoryStore memory, CancellationToken ct)
    {
        var teamId = SwarmAuthentication.TeamIdOf(user);
        if (await memory.DeleteAsync(teamId, ns, key, expectedVersion, ct))
        {
            return TypedResults.NoContent();
        }

        return await memory.StoredVersionAsync(teamId, ns, key, ct) is null ? TypedResults.NotFound() : await ConflictAsync(memory, teamId, ns, key, ct);
    }

    private static async Task<Results<Ok<MemoryPage>, ValidationProblem>> ListAsync(string ns, string? prefix, string? tag, int? limit,
        ClaimsPrincipal user, MemoryStore memory, CancellationToken ct)
    {
        var errors = Names(ns, null);
        if (limit is not null and not (>= 1 and <= 1000))
        {
            errors["limit"] = ["limit is 1 to 1000."];
        }

        return errors.Count > 0
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(new MemoryPage(await memory.ListAsync(SwarmAuthentication.TeamIdOf(user), ns, prefix, tag, limit ?? 100, ct)));
    }

    private static async Task<ProblemHttpResult> ConflictAsync(MemoryStore memory, Guid teamId, string ns, string key, CancellationToken ct)
    {
        var current = await memory.StoredVersionAsync(teamId, ns, key, ct);
        return TypedResults.Problem(type: "https://cognive.dev/problems/version-conflict", title: "Version conflict",
            statusCode: StatusCodes.Status409Conflict, detail: "The entry is not at the expected version; read it and try again.",
            extensions: new Dictionary<string, object?> { ["current_version"] = current });
    }

    private static Dictionary<string, string[]> Names(string ns, string? key)
    {
        var errors = new Dictionary<string, string[]>();
        if (ns.Length > 100 || !Name().IsMatch(ns))
        {
            errors["namespace"] = ["namespace has 1 to 100 letters, digits, '.', '_', ':' or '-'."];
        }

        if (key is not null && (key.Length > 200 || !Name().IsMatch(key)))
        {
            errors["key"] = ["key has 1 to 200 letters, digits, '.', '_', ':' or '-'."];
        }

        return errors;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]+$")]
    private static partial Regex Name();
}

public sealed record MemoryPage(IReadOnlyList<MemoryEntry> Items);
