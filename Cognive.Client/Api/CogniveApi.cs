using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cognive.Client.Reporting;

namespace Cognive.Client.Api;

/// <summary>
/// The typed client for the part of Cognive's API that agents use: agents, runs, LLM calls (single and batch), budget
/// checks, policies (read) and analytics. Errors become <see cref="CogniveApiException"/> and its typed kinds.
/// </summary>
public sealed class CogniveApi(IHttpClientFactory clients) : IReportSink
{
    /// <summary>The named <see cref="HttpClient"/> every request goes through (its base address and key are set at registration).</summary>
    public const string HttpClientName = "Cognive.Client";

    /// <summary>Registers an agent (201), or throws 409 <c>agent-name-taken</c> when the team has one of that name.</summary>
    public Task<Agent> RegisterAgentAsync(RegisterAgent agent, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/agents", agent, ClientJson.Default.RegisterAgent, ClientJson.Default.Agent, ct)!;

    /// <summary>An agent of the team.</summary>
    public Task<Agent> GetAgentAsync(Guid agentId, CancellationToken ct = default) =>
        GetAsync($"/api/v1/agents/{agentId}", ClientJson.Default.Agent, ct);

    /// <summary>The team's agents, a page at a time (optionally those of one exact name).</summary>
    public Task<AgentPage> ListAgentsAsync(string? name = null, Guid? cursor = null, int? limit = null, CancellationToken ct = default) =>
        GetAsync($"/api/v1/agents{Query(("name", name), ("cursor", cursor?.ToString()), ("limit", limit?.ToString()))}",
            ClientJson.Default.AgentPage, ct);

    /// <summary>Starts a run of an agent. <see cref="CogniveClient.StartRunAsync"/> also makes it the ambient run.</summary>
    public Task<StartedRun> StartRunAsync(Guid agentId, JsonElement? metadata = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/runs/start", new StartRunRequest(agentId, metadata), ClientJson.Default.StartRunRequest,
            ClientJson.Default.StartedRun, ct)!;

    /// <summary>Ends a run. Calls reported after this are refused (409 <c>run-ended</c>).</summary>
    public Task EndRunAsync(Guid runId, RunStatus status, string? error = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/runs/{runId}/end", new EndRunRequest(StatusText(status), error),
            ClientJson.Default.EndRunRequest, (JsonTypeInfo<JsonElement>?)null, ct);

    /// <summary>A run with the totals of its stored calls.</summary>
    public Task<Run> GetRunAsync(Guid runId, CancellationToken ct = default) => GetAsync($"/api/v1/runs/{runId}", ClientJson.Default.Run, ct);

    /// <summary>An agent's runs, newest first.</summary>
    public Task<RunPage> ListRunsAsync(Guid agentId, Guid? cursor = null, int? limit = null, CancellationToken ct = default) =>
        GetAsync($"/api/v1/agents/{agentId}/runs{Query(("cursor", cursor?.ToString()), ("limit", limit?.ToString()))}",
            ClientJson.Default.RunPage, ct);

    /// <summary>A run's stored (priced) calls.</summary>
    public Task<StoredCallPage> ListCallsAsync(Guid runId, string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        GetAsync($"/api/v1/runs/{runId}/llm-calls{Query(("cursor", cursor), ("limit", limit?.ToString()))}",
            ClientJson.Default.StoredCallPage, ct);

    /// <summary>
    /// Reports one call now (202). A call against a policy or a spent budget is stored flagged and answered with
    /// <see cref="CognivePolicyViolationException"/> or <see cref="CogniveBudgetExceededException"/>. Most callers want
    /// the non-blocking reporting of <see cref="CogniveClient.Report"/> instead.
    /// </summary>
    public Task<AcceptedCall> ReportCallAsync(LlmCall call, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"/api/v1/runs/{call.RunId}/llm-calls", call, ClientJson.Default.LlmCall,
            ClientJson.Default.AcceptedCall, ct)!;

    /// <summary>
    /// Reports up to 1,000 calls of any open runs at once; each item is accepted or rejected on its own. A batch with calls
    /// against a policy or a spent budget is still stored (flagged), so its result is returned, not thrown.
    /// </summary>
    public async Task<BatchResult> ReportCallsAsync(IReadOnlyList<LlmCall> calls, CancellationToken ct = default)
    {
        using var http = clients.CreateClient(HttpClientName);
        using var content = JsonContent.Create(new LlmCallBatch(calls), ClientJson.Default.LlmCallBatch);
        using var response = await http.PostAsync("/api/v1/llm-calls/batch", content, ct);
        if (response.IsSuccessStatusCode)
        {
            return (await response.Content.ReadFromJsonAsync(ClientJson.Default.BatchResult, ct))!;
        }

        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var problem = body.Length > 0 ? TryParse(body) : default;
        // 403 and 429 carrying item results: recorded and flagged (a rate-limit 429 has none and was not recorded).
        if (problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("results", out _))
        {
            return problem.Deserialize(ClientJson.Default.BatchResult)!;
        }

        throw Problems.From(response.StatusCode, problem);
    }

    /// <summary>
    /// Asks for budget before a call. Allowed: the reservation to report the call with. Refused:
    /// <see cref="CogniveBudgetExceededException"/> or <see cref="CognivePolicyViolationException"/>.
    /// </summary>
    public Task<BudgetCheckResult> CheckBudgetAsync(BudgetCheck check, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "/api/v1/budgets/check", check, ClientJson.Default.BudgetCheck, ClientJson.Default.BudgetCheckResult, ct)!;

    /// <summary>The team's policies.</summary>
    public async Task<IReadOnlyList<Policy>> ListPoliciesAsync(CancellationToken ct = default) =>
        await GetAsync("/api/v1/policies", ClientJson.Default.ListPolicy, ct);

    /// <summary>One policy of the team.</summary>
    public Task<Policy> GetPolicyAsync(Guid policyId, CancellationToken ct = default) =>
        GetAsync($"/api/v1/policies/{policyId}", ClientJson.Default.Policy, ct);

    /// <summary>Spend over time: <paramref name="period"/> 24h, 7d or 30d; <paramref name="bucket"/> hour or day; grouped by agent, model or provider.</summary>
    public Task<CostTrends> GetCostTrendsAsync(string period = "7d", string? bucket = null, string groupBy = "agent", CancellationToken ct = default) =>
        GetAsync($"/api/v1/analytics/cost-trends{Query(("period", period), ("bucket", bucket), ("group_by", groupBy))}",
            ClientJson.Default.CostTrends, ct);

    /// <summary>The team's calls, tokens, errors and cost over a period (24h, 7d or 30d).</summary>
    public Task<CostSummary> GetCostSummaryAsync(string period = "24h", CancellationToken ct = default) =>
        GetAsync($"/api/v1/analytics/summary{Query(("period", period))}", ClientJson.Default.CostSummary, ct);

    Task<BatchResult> IReportSink.SendCallsAsync(IReadOnlyList<LlmCall> calls, CancellationToken ct) => ReportCallsAsync(calls, ct);

    Task IReportSink.EndRunAsync(RunEnd end, CancellationToken ct) => EndRunAsync(end.RunId, end.Status, end.Error, ct);

    internal static string StatusText(RunStatus status) => status switch
    {
        RunStatus.Succeeded => "succeeded",
        RunStatus.Failed => "failed",
        _ => "cancelled",
    };

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> answer, CancellationToken ct)
    {
        using var http = clients.CreateClient(HttpClientName);
        using var response = await http.GetAsync(path, ct);
        await ThrowIfErrorAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync(answer, ct))!;
    }

    private async Task<TAnswer?> SendAsync<TBody, TAnswer>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType,
        JsonTypeInfo<TAnswer>? answerType, CancellationToken ct)
    {
        using var http = clients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, bodyType) };
        using var response = await http.SendAsync(request, ct);
        await ThrowIfErrorAsync(response, ct);
        return answerType is null || response.StatusCode == HttpStatusCode.NoContent
            ? default
            : await response.Content.ReadFromJsonAsync(answerType, ct);
    }

    private static async Task ThrowIfErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await Problems.ReadAsync(response, ct);
        }
    }

    private static JsonElement TryParse(byte[] body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join("&", given);
    }
}
