using System.Net.Http.Json;
using System.Text.Json;

namespace Cognive.Agents.Specialists;

/// <summary>
/// Reads the team's recent runs and their stored calls through the API (agents → runs, newest first → calls), for the
/// specialists that need single calls rather than rollups. Runs started before <c>since</c> are not read, so a call
/// reported into an older, still open run is missed.
/// </summary>
public static class TeamTelemetry
{
    private const int PageSize = 200;
    private const int CallPageSize = 1000;

    /// <returns>The runs read, and whether <paramref name="maxRuns"/> stopped the reading early.</returns>
    public static async Task<(IReadOnlyList<RunRecord> Runs, bool Truncated)> ReadAsync(HttpClient api, DateTimeOffset since, int maxRuns,
        CancellationToken ct)
    {
        var runs = new List<RunRecord>();
        await foreach (var agent in PagesAsync(api, $"/api/v1/agents?limit={PageSize}", ct))
        {
            var name = agent.GetProperty("name").GetString()!;
            await foreach (var run in PagesAsync(api, $"/api/v1/agents/{agent.GetProperty("agent_id").GetGuid()}/runs?limit={PageSize}", ct))
            {
                if (run.GetProperty("started_at").GetDateTimeOffset() < since)
                {
                    break;
                }

                if (runs.Count == maxRuns)
                {
                    return (runs, true);
                }

                runs.Add(await ReadRunAsync(api, run, name, ct));
            }
        }

        return (runs, false);
    }

    private static async Task<RunRecord> ReadRunAsync(HttpClient api, JsonElement run, string agent, CancellationToken ct)
    {
        var runId = run.GetProperty("run_id").GetGuid();
        var calls = new List<CallRecord>();
        await foreach (var call in PagesAsync(api, $"/api/v1/runs/{runId}/llm-calls?limit={CallPageSize}", ct))
        {
            calls.Add(call.Deserialize<CallRecord>(SpecialistReport.Json)!);
        }

        var totals = run.GetProperty("totals");
        return new RunRecord(runId, agent, run.GetProperty("started_at").GetDateTimeOffset(),
            run.GetProperty("ended_at") is { ValueKind: JsonValueKind.String } ended ? ended.GetDateTimeOffset() : null,
            run.GetProperty("duration_seconds").GetDouble(), totals.GetProperty("calls").GetInt64(),
            totals.GetProperty("input_tokens").GetInt64(), totals.GetProperty("output_tokens").GetInt64(), calls);
    }

    /// <summary>Every item of a listing with <c>items</c> and <c>next_cursor</c>, page by page.</summary>
    private static async IAsyncEnumerable<JsonElement> PagesAsync(HttpClient api, string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var page = await api.GetFromJsonAsync<JsonElement>(cursor is null ? path : $"{path}&cursor={Uri.EscapeDataString(cursor)}", ct);
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                yield return item;
            }

            cursor = page.GetProperty("next_cursor") is { ValueKind: JsonValueKind.String } next ? next.GetString() : null;
        }
        while (cursor is not null);
    }
}
