using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cognive.Credentials;
using Cognive.Data.Access;
using Cognive.SwarmQueen.Authentication;
using Cognive.SwarmQueen.Quotas;
using Cognive.SwarmQueen.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Cognive.SwarmQueen.Memory;

/// <summary>The team's shared memory: <c>/api/v1/swarm/memory/{namespace}/{key}</c>, with compare-and-set on writes.</summary>
public static partial class MemoryEndpoints
{
    private const int MaxValueBytes = 256 * 1024;
    private const int MaxTtlSeconds = 30 * 24 * 3600;
    private const int MaxBatch = 100;

    public static RouteGroupBuilder MapMemoryEndpoints(this RouteGroupBuilder swarm)
    {
        var memory = swarm.MapGroup("/memory").WithTags("Swarm memory");
        memory.MapPut("/{ns}/{key}", PutAsync).RequireAuthorization(Permissions.TelemetryWrite);
        memory.MapGet("/{ns}/{key}", GetAsync).RequireAuthorization(Permissions.AgentRead);
        memory.MapDelete("/{ns}/{key}", DeleteAsync).RequireAuthorization(Permissions.TelemetryWrite);
        memory.MapGet("/{ns}", ListAsync).RequireAuthorization(Permissions.AgentRead);
        memory.MapPost("/batch", BatchAsync).RequireAuthorization(Permissions.AgentRead);
        return swarm;
    }

    private static async Task<Results<Ok<MemoryEntry>, ValidationProblem, ProblemHttpResult>> PutAsync(string ns, string key,
        PutMemoryRequest request, ClaimsPrincipal user, MemoryStore memory, QuotaRefusals refusals, CancellationToken ct)
    {
        var errors = Names(ns, key);
        CheckWrite(errors, "", request.Value, request.ExpectedVersion, request.TtlSeconds, request.Tags);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await OverQuotaAsync(user, memory, refusals, request.Value!.Value.GetRawText().Length, ct) is { } refused)
        {
            return refused;
        }

        var teamId = Callers.TeamIdOf(user);
        var written = await memory.PutAsync(teamId, ns, key, request.Value!.Value, request.ExpectedVersion, Ttl(request.TtlSeconds),
            request.Tags?.Distinct().ToArray() ?? [], ct);
        return written is not null ? TypedResults.Ok(written) : await ConflictAsync(memory, teamId, ns, key, ct);
    }

    /// <summary>
    /// Up to <see cref="MaxBatch"/> reads, writes and deletes in one request (<see cref="MemoryStore.ApplyAsync"/>): the
    /// writes commit together and the reads see them. Each operation is checked as its single-entry endpoint would check it.
    /// </summary>
    private static async Task<Results<Ok<MemoryBatchResult>, ValidationProblem, ProblemHttpResult>> BatchAsync(MemoryBatchRequest request,
        ClaimsPrincipal user, MemoryStore memory, QuotaRefusals refusals, CancellationToken ct)
    {
        if (request.Operations is not { Length: > 0 and <= MaxBatch } operations)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["operations"] = [$"operations holds 1 to {MaxBatch} operations."] });
        }

        var errors = new Dictionary<string, string[]>();
        var parsed = operations.Select((operation, i) => Parse(errors, $"operations[{i}].", operation)).ToList();
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (parsed.Any(o => o is not MemoryRead) && !user.HasClaim(IntrospectionHandler.PermissionClaim, Permissions.TelemetryWrite))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"Writes and deletes need the {Permissions.TelemetryWrite} permission.");
        }

        var written = parsed.OfType<MemoryWrite>().Sum(w => (long)w.Value.GetRawText().Length);
        if (written > 0 && await OverQuotaAsync(user, memory, refusals, written, ct) is { } refused)
        {
            return refused;
        }

        var outcomes = await memory.ApplyAsync(Callers.TeamIdOf(user), parsed.OfType<MemoryOperation>().ToList(), ct);
        return TypedResults.Ok(new MemoryBatchResult(outcomes));
    }

    private static MemoryOperation? Parse(Dictionary<string, string[]> errors, string field, MemoryBatchOperation operation)
    {
        var before = errors.Count;
        foreach (var (name, messages) in Names(operation.Namespace ?? "", operation.Key ?? ""))
        {
            errors[field + name] = messages;
        }

        if (operation.Op is "put")
        {
            CheckWrite(errors, field, operation.Value, operation.ExpectedVersion, operation.TtlSeconds, operation.Tags);
        }
        else if (operation.Op is not ("get" or "delete"))
        {
            errors[field + "op"] = ["op is get, put or delete."];
        }

        return errors.Count > before ? null : operation.Op switch
        {
            "get" => new MemoryRead(operation.Namespace!, operation.Key!),
            "delete" => new MemoryDelete(operation.Namespace!, operation.Key!, operation.ExpectedVersion),
            _ => new MemoryWrite(operation.Namespace!, operation.Key!, operation.Value!.Value, operation.ExpectedVersion, Ttl(operation.TtlSeconds),
                operation.Tags?.Distinct().ToArray() ?? []),
        };
    }

    private static void CheckWrite(Dictionary<string, string[]> errors, string field, JsonElement? value, long? expectedVersion, int? ttlSeconds,
        string[]? tags)
    {
        if (value is not { } json || json.GetRawText().Length > MaxValueBytes)
        {
            errors[field + "value"] = [$"value is required: any JSON of at most {MaxValueBytes} bytes."];
        }

        if (expectedVersion is < 0)
        {
            errors[field + "expected_version"] = ["expected_version is 0 (create only) or the version read."];
        }

        if (ttlSeconds is not null and not (>= 1 and <= MaxTtlSeconds))
        {
            errors[field + "ttl_seconds"] = [$"ttl_seconds is 1 to {MaxTtlSeconds}."];
        }

        NameLists.Check(errors, field + "tags", tags, 20);
    }

    /// <summary>The team's <see cref="Quota.MemoryBytes"/>: a write that would take the stored bytes past it is refused whole (429).</summary>
    private static async Task<ProblemHttpResult?> OverQuotaAsync(ClaimsPrincipal user, MemoryStore memory, QuotaRefusals refusals, long bytes,
        CancellationToken ct)
    {
        var (fits, used, limit) = await memory.RoomForAsync(Callers.TeamIdOf(user), bytes, ct);
        return fits ? null : await refusals.RefuseAsync(user, Quota.MemoryBytes, limit, used, ct);
    }

    private static TimeSpan? Ttl(int? seconds) => seconds is { } ttl ? TimeSpan.FromSeconds(ttl) : null;

    private static async Task<Results<Ok<MemoryEntry>, NotFound>> GetAsync(string ns, string key, ClaimsPrincipal user, MemoryStore memory,
        CancellationToken ct) =>
        await memory.GetAsync(Callers.TeamIdOf(user), ns, key, ct) is { } entry ? TypedResults.Ok(entry) : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(string ns, string key,
        [FromQuery(Name = "expected_version")] long? expectedVersion, ClaimsPrincipal user, MemoryStore memory, CancellationToken ct)
    {
        var teamId = Callers.TeamIdOf(user);
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
            : TypedResults.Ok(new MemoryPage(await memory.ListAsync(Callers.TeamIdOf(user), ns, prefix, tag, limit ?? 100, ct)));
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
        if (ns.Length is 0 or > 100 || !Name().IsMatch(ns))
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

public sealed record MemoryBatchRequest(MemoryBatchOperation[]? Operations);

/// <param name="Op">get, put or delete; the other fields as the single-entry endpoints take them.</param>
public sealed record MemoryBatchOperation(string? Op, string? Namespace, string? Key, JsonElement? Value, long? ExpectedVersion, int? TtlSeconds,
    string[]? Tags);

/// <param name="Results">One per operation, in order.</param>
public sealed record MemoryBatchResult(IReadOnlyList<MemoryOutcome> Results);
