using System.Net;
using Cognive.Tests.Infrastructure;
using static System.Net.HttpStatusCode;
using static Cognive.Tests.Governance.Role;

namespace Cognive.Tests.Governance;

/// <summary>A person's role; each includes the ones before it. The requirement's order, written here, not read from the product.</summary>
public enum Role
{
    Viewer,
    Developer,
    TeamLead,
    Admin,
}

/// <summary>What one cell sends: a path under /api/v1 (with its query) and a JSON body (none when null).</summary>
public sealed record MatrixRequest(string Path, object? Body = null);

/// <summary>
/// One endpoint of the authorization matrix. <paramref name="FirstRole"/>: the least role that may call it (null: only
/// the installation's admin team). <paramref name="Permission"/>: what an API key needs (null: any caller).
/// <paramref name="Success"/>: the answer to every caller allowed. <paramref name="OtherTeam"/>: what another team's
/// credential gets when the request names this team's object (null: it names none). <paramref name="Prepare"/> makes
/// each cell's request, creating what a successful call would use up.
/// </summary>
public sealed record MatrixEndpoint(string Method, string Path, Role? FirstRole, string? Permission, HttpStatusCode Success,
    HttpStatusCode? OtherTeam, Func<AuthorizationMatrixWorld, CancellationToken, Task<MatrixRequest>> Prepare)
{
    /// <summary>What an API key allowed to call gets, when that differs from <see cref="Success"/>.</summary>
    public HttpStatusCode? ByKey { get; init; }

    /// <summary>What a key holding <see cref="Permission"/> alone gets, when the call needs more (registering a person
    /// needs the role's permissions too).</summary>
    public HttpStatusCode? ByKeyWithOnlyThePermission { get; init; }

    /// <summary>The call ends the caller's session, so each person's cell logs in afresh.</summary>
    public bool EndsSession { get; init; }

    public override string ToString() => $"{Method} {Path}";
}

/// <summary>
/// Every authenticated endpoint, one line each. Login and refresh take no credential and are covered by
/// <see cref="AuthenticationTests"/>; a new endpoint fails <c>Every_endpoint_of_the_API_has_a_row</c> until it has a line here.
/// </summary>
public static class AuthorizationMatrix
{
    public static readonly IReadOnlyList<MatrixEndpoint> Endpoints =
    [
        new("POST", "/agents", Developer, "agent:write", Created, null, (_, _) => Call("/agents", NewAgent())),
        new("GET", "/agents", Viewer, "agent:read", OK, null, (_, _) => Call("/agents")),
        new("GET", "/agents/{id}", Viewer, "agent:read", OK, NotFound, (w, _) => Call($"/agents/{w.AgentId}")),
        new("PATCH", "/agents/{id}", Developer, "agent:write", OK, NotFound,
            (w, _) => Call($"/agents/{w.AgentId}", new { description = "patched by the matrix" })),
        new("DELETE", "/agents/{id}", Developer, "agent:write", NoContent, NotFound,
            async (w, ct) => new($"/agents/{await w.NewAgentAsync(ct)}")),

        new("GET", "/api-keys", TeamLead, "key:write", OK, null, (_, _) => Call("/api-keys")),
        new("POST", "/api-keys", TeamLead, "key:write", Created, null, (_, _) => Call("/api-keys", new { name = Unique("key") })),
        new("DELETE", "/api-keys/{id}", TeamLead, "key:write", NoContent, NotFound,
            async (w, ct) => new($"/api-keys/{await w.NewKeyIdAsync(ct)}")),

        new("GET", "/teams/me", Viewer, null, OK, null, (_, _) => Call("/teams/me")),
        new("POST", "/teams", null, "admin", Created, null, (_, _) => Call("/teams", new { name = Unique("team") })),

        new("POST", "/runs/start", Developer, "telemetry:write", Created, NotFound,
            (w, _) => Call("/runs/start", new { agent_id = w.AgentId })),
        new("POST", "/runs/{runId}/end", Developer, "telemetry:write", OK, NotFound,
            async (w, ct) => new($"/runs/{await w.NewRunAsync(ct)}/end", new { status = "succeeded" })),
        new("GET", "/runs/{runId}", Viewer, "agent:read", OK, NotFound, (w, _) => Call($"/runs/{w.RunId}")),
        new("GET", "/agents/{agentId}/runs", Viewer, "agent:read", OK, NotFound, (w, _) => Call($"/agents/{w.AgentId}/runs")),

        new("POST", "/runs/{runId}/llm-calls", Developer, "telemetry:write", Accepted, NotFound,
            (w, _) => Call($"/runs/{w.RunId}/llm-calls", LlmCall())),
        // Another team's run is no run of the caller's: every item is rejected, so the batch is.
        new("POST", "/llm-calls/batch", Developer, "telemetry:write", Accepted, BadRequest,
            (w, _) => Call("/llm-calls/batch", new { events = new[] { LlmCall(w.RunId) } })),
        new("GET", "/runs/{runId}/llm-calls", Viewer, "agent:read", OK, NotFound, (w, _) => Call($"/runs/{w.RunId}/llm-calls")),

        new("GET", "/pricing", Viewer, "cost:read", OK, null, (_, _) => Call("/pricing")),
        new("GET", "/pricing/{provider}/{model}", Viewer, "cost:read", OK, null, (_, _) => Call("/pricing/openai/gpt-4o-mini")),
        // A provider of the matrix's own, so no other test's prices change.
        new("POST", "/pricing", null, "admin", Created, null, (_, _) => Call("/pricing", new
        {
            provider = "authorization-matrix", model = Unique("model"), input_per_million = 1.0m, output_per_million = 2.0m,
        })),

        new("GET", "/analytics/cost-trends", Viewer, "cost:read", OK, null, (_, _) => Call("/analytics/cost-trends?period=24h&bucket=hour")),
        new("GET", "/analytics/cost-trends.csv", Viewer, "cost:read", OK, null, (_, _) => Call("/analytics/cost-trends.csv?period=24h&bucket=hour")),
        new("GET", "/analytics/summary", Viewer, "cost:read", OK, null, (_, _) => Call("/analytics/summary?period=24h")),
        new("GET", "/analytics/overview", Viewer, "cost:read", OK, null, (_, _) => Call("/analytics/overview?group_by=agent")),

        new("GET", "/audit", TeamLead, "audit:read", OK, null, (_, _) => Call("/audit")),
        new("GET", "/audit/verify", TeamLead, "audit:read", OK, null, (_, _) => Call("/audit/verify")),
        new("GET", "/audit/checkpoints", TeamLead, "audit:read", OK, null, (_, _) => Call("/audit/checkpoints")),
        // The chain grows first, so each cell signs a new head (201) rather than getting the last one back (200).
        new("POST", "/audit/checkpoints", TeamLead, "audit:read", Created, null, async (w, ct) =>
        {
            await w.NewAgentAsync(ct);
            return new("/audit/checkpoints");
        }),
        // A checkpoint signed for this team: another team presenting it gets it refused as not signed for them.
        new("POST", "/audit/verify", TeamLead, "audit:read", OK, UnprocessableEntity,
            async (w, ct) => new("/audit/verify", await w.NewCheckpointAsync(ct))),

        // Nobody hands out permissions they lack: a key with admin alone cannot register even a viewer (agent:read, cost:read).
        new("POST", "/auth/register", Admin, "admin", Created, null, (_, _) => Call("/auth/register", new
        {
            email = People.NewEmail("viewer"), password = People.Password, role = "viewer",
        }))
        {
            ByKeyWithOnlyThePermission = Forbidden,
        },
        new("GET", "/auth/me", Viewer, null, OK, null, (_, _) => Call("/auth/me")),
        // A key has no session to end: it is revoked instead.
        new("POST", "/auth/logout", Viewer, null, NoContent, null, (_, _) => Call("/auth/logout", new { }))
        {
            ByKey = BadRequest, EndsSession = true,
        },
        new("GET", "/users", Admin, "admin", OK, null, (_, _) => Call("/users")),
        // Each acts on a new viewer of the team: a key with admin alone lacks the viewer's permissions, so it may not.
        new("PATCH", "/users/{id}", Admin, "admin", OK, NotFound, async (w, ct) => new($"/users/{await NewViewerAsync(w, ct)}", new { role = "developer" }))
        {
            ByKeyWithOnlyThePermission = Forbidden,
        },
        new("DELETE", "/users/{id}", Admin, "admin", NoContent, NotFound, async (w, ct) => new($"/users/{await NewViewerAsync(w, ct)}"))
        {
            ByKeyWithOnlyThePermission = Forbidden,
        },
        new("POST", "/users/{id}/sessions/revoke", Admin, "admin", NoContent, NotFound,
            async (w, ct) => new($"/users/{await NewViewerAsync(w, ct)}/sessions/revoke"))
        {
            ByKeyWithOnlyThePermission = Forbidden,
        },
        new("POST", "/users/{id}/password", Admin, "admin", NoContent, NotFound,
            async (w, ct) => new($"/users/{await NewViewerAsync(w, ct)}/password", new { password = People.Password }))
        {
            ByKeyWithOnlyThePermission = Forbidden,
        },
        // Only a person has a password; changing it to the same keeps the matrix' people able to log in.
        new("POST", "/auth/password", Viewer, null, NoContent, null,
            (_, _) => Call("/auth/password", new { current_password = People.Password, new_password = People.Password }))
        {
            ByKey = BadRequest, EndsSession = true,
        },

        new("POST", "/budgets", TeamLead, "budget:write", Created, null, (_, _) => Call("/budgets", Budget())),
        new("GET", "/budgets", Viewer, "cost:read", OK, null, (_, _) => Call("/budgets")),
        new("GET", "/budgets/{id}", Viewer, "cost:read", OK, NotFound,
            async (w, ct) => new($"/budgets/{await w.NewObjectAsync("/budgets", Budget(), ct)}")),
        new("PATCH", "/budgets/{id}", TeamLead, "budget:write", OK, NotFound,
            async (w, ct) => new($"/budgets/{await w.NewObjectAsync("/budgets", Budget(), ct)}", new { amount_usd = 2_000_000m })),
        new("DELETE", "/budgets/{id}", TeamLead, "budget:write", NoContent, NotFound,
            async (w, ct) => new($"/budgets/{await w.NewObjectAsync("/budgets", Budget(), ct)}")),
        new("POST", "/budgets/check", Developer, "telemetry:write", OK, NotFound,
            (w, _) => Call("/budgets/check", new { agent_id = w.AgentId, estimated_cost_usd = 0.01m })),

        // Policies of an agent of their own, so the matrix's calls of its shared agent stay within every rule.
        new("POST", "/policies", TeamLead, "policy:write", Created, null,
            async (w, ct) => new("/policies", Policy(await w.NewAgentAsync(ct)))),
        new("GET", "/policies", Viewer, "agent:read", OK, null, (_, _) => Call("/policies")),
        new("GET", "/policies/{id}", Viewer, "agent:read", OK, NotFound,
            async (w, ct) => new($"/policies/{await w.NewObjectAsync("/policies", Policy(await w.NewAgentAsync(ct)), ct)}")),
        new("PUT", "/policies/{id}", TeamLead, "policy:write", OK, NotFound, async (w, ct) =>
            new($"/policies/{await w.NewObjectAsync("/policies", Policy(await w.NewAgentAsync(ct)), ct)}",
                new { name = Unique("policy"), max_tokens_per_call = 500_000 })),
        new("DELETE", "/policies/{id}", TeamLead, "policy:write", NoContent, NotFound,
            async (w, ct) => new($"/policies/{await w.NewObjectAsync("/policies", Policy(await w.NewAgentAsync(ct)), ct)}")),

        new("POST", "/providers", TeamLead, "provider:write", Created, null, (_, _) => Call("/providers", Provider())),
        new("GET", "/providers", Viewer, "cost:read", OK, null, (_, _) => Call("/providers")),
        new("GET", "/providers/{id}", Viewer, "cost:read", OK, NotFound,
            async (w, ct) => new($"/providers/{await w.NewObjectAsync("/providers", Provider(), ct)}")),
        new("PATCH", "/providers/{id}", TeamLead, "provider:write", OK, NotFound,
            async (w, ct) => new($"/providers/{await w.NewObjectAsync("/providers", Provider(), ct)}", new { base_url = "http://127.0.0.1:9/v2" })),
        new("DELETE", "/providers/{id}", TeamLead, "provider:write", NoContent, NotFound,
            async (w, ct) => new($"/providers/{await w.NewObjectAsync("/providers", Provider(), ct)}")),

        new("POST", "/webhooks", TeamLead, "budget:write", Created, null, (_, _) => Call("/webhooks", Webhook())),
        new("GET", "/webhooks", TeamLead, "budget:write", OK, null, (_, _) => Call("/webhooks")),
        new("DELETE", "/webhooks/{id}", TeamLead, "budget:write", NoContent, NotFound,
            async (w, ct) => new($"/webhooks/{await w.NewObjectAsync("/webhooks", Webhook(), ct)}")),
        new("GET", "/alerts", Viewer, "cost:read", OK, null, (_, _) => Call("/alerts")),
    ];

    /// <summary>Soft and large: budgets made by the matrix never refuse its other cells' calls.</summary>
    private static object Budget() => new { name = Unique("budget"), amount_usd = 1_000_000m, period = "monthly", mode = "soft" };

    private static object Policy(Guid agentId) => new { name = Unique("policy"), agent_id = agentId, max_tokens_per_call = 1_000_000 };

    /// <summary>Nothing listens there; the matrix never calls through the gateway.</summary>
    private static object Provider() => new
    {
        name = Unique("p"), provider = "openai", base_url = "http://127.0.0.1:9/v1", api_key = "sk-matrix-upstream-key",
    };

    /// <summary>Nothing listens there; no alert is ever sent to it (the matrix's budgets stay far from their thresholds).</summary>
    private static object Webhook() => new { url = "http://127.0.0.1:9/matrix" };

    private static Task<Guid> NewViewerAsync(AuthorizationMatrixWorld world, CancellationToken ct) =>
        world.NewObjectAsync("/auth/register", new { email = People.NewEmail("viewer"), password = People.Password, role = "viewer" }, ct);

    private static Task<MatrixRequest> Call(string path, object? body = null) => Task.FromResult(new MatrixRequest(path, body));

    private static string Unique(string what) => $"{what}-{Guid.NewGuid():N}";

    private static object NewAgent() => new { name = Unique("agent"), framework = "langgraph" };

    private static object LlmCall(Guid? runId = null) => new
    {
        run_id = runId, provider = "openai", model = "gpt-4o-mini", input_tokens = 100, output_tokens = 20, latency_ms = 300,
        status = "success",
    };
}
