using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.ApiService.Analytics;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Telemetry;

/// <summary>The cost-trends explorer's CSV export: the JSON answer's numbers, filtered alike, safe to open in a spreadsheet.</summary>
public sealed class CostExportTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Csv_export_holds_the_json_numbers_of_the_teams_own_calls_with_hostile_names_defused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);
        const string hostile = "=HYPERLINK(\"http://evil\",\"x\"), hi";
        var agentId = await team.RegisterAgentAsync(hostile, ct);
        var runId = await team.StartRunAsync(agentId, ct);
        var quietRun = await team.StartRunOfNewAgentAsync(ct);
        var otherRun = await other.StartRunOfNewAgentAsync(ct);
        using var batch = await team.PostBatchAsync(
        [
            TeamSession.Call(input: 1000, output: 100, runId: runId),
            TeamSession.Call(model: "gpt-4o", input: 3000, output: 500, status: "error", runId: runId),
            TeamSession.Call(provider: "@acme", model: "mystery", input: 10, output: 10, runId: runId),
            TeamSession.Call(input: 7000, output: 700, runId: quietRun),
        ], ct);
        using var elsewhere = await other.PostCallAsync(otherRun, TeamSession.Call(input: 99_000, output: 9_000), ct);
        await team.WaitForRunCallsAsync(runId, 3, ct);
        await team.WaitForRunCallsAsync(quietRun, 1, ct);

        var json = await team.GetJsonAsync("/api/v1/analytics/cost-trends?period=24h&bucket=hour&group_by=agent", ct);
        var csv = await CsvAsync(team, "/api/v1/analytics/cost-trends.csv?period=24h&bucket=hour&group_by=agent", ct);
        var byModel = await CsvAsync(team, "/api/v1/analytics/cost-trends.csv?period=24h&group_by=model&agent_id=" + agentId, ct);
        var oneModel = await CsvAsync(team, "/api/v1/analytics/cost-trends.csv?period=24h&group_by=model&model=GPT-4o", ct);

        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, elsewhere.StatusCode);
        Assert.Equal("bucket_start,group_by,key,label,calls,input_tokens,output_tokens,cost_usd,unpriced_calls,errors", csv.Header);
        var expected = json.GetProperty("series").EnumerateArray()
            .SelectMany(s => s.GetProperty("points").EnumerateArray().Select(p => new[]
            {
                p.GetProperty("bucket_start").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                "agent", s.GetProperty("key").GetString()!, s.GetProperty("label").GetString() is hostile ? "'" + hostile : s.GetProperty("label").GetString()!,
                p.GetProperty("calls").GetInt64().ToString(CultureInfo.InvariantCulture),
                p.GetProperty("input_tokens").GetInt64().ToString(CultureInfo.InvariantCulture),
                p.GetProperty("output_tokens").GetInt64().ToString(CultureInfo.InvariantCulture),
                p.GetProperty("cost").GetDecimal().ToString(CultureInfo.InvariantCulture),
                p.GetProperty("unpriced_calls").GetInt64().ToString(CultureInfo.InvariantCulture),
                p.GetProperty("errors").GetInt64().ToString(CultureInfo.InvariantCulture),
            }))
            .OrderBy(r => r[2], StringComparer.Ordinal).ThenBy(r => r[0], StringComparer.Ordinal).ToList();
        Assert.Equal(2, json.GetProperty("series").GetArrayLength());
        Assert.Equal(expected.Select(r => string.Join('|', r)),
            csv.Rows.OrderBy(r => r[2], StringComparer.Ordinal).ThenBy(r => r[0], StringComparer.Ordinal).Select(r => string.Join('|', r)));
        Assert.Contains($",\"'{hostile.Replace("\"", "\"\"", StringComparison.Ordinal)}\",", csv.Text, StringComparison.Ordinal);
        Assert.Equal(["'@acme/mystery", "openai/gpt-4o", "openai/gpt-4o-mini"], byModel.Rows.Select(r => r[2]).Order(StringComparer.Ordinal));
        Assert.Equal(3000, oneModel.Rows.Sum(r => long.Parse(r[5], CultureInfo.InvariantCulture)));
        Assert.All(oneModel.Rows, r => Assert.Equal("openai/gpt-4o", r[2]));
    }

    [Fact]
    public async Task Csv_export_refuses_an_unknown_grouping_and_a_caller_without_cost_read()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var bad = await team.Client.GetAsync("/api/v1/analytics/cost-trends.csv?group_by=weather", ct);
        using var keyless = _app.CreateApiClient(null);
        using var anonymous = await keyless.GetAsync("/api/v1/analytics/cost-trends.csv", ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await TeamSession.ReadAsync(bad, ct)).GetProperty("errors").TryGetProperty("group_by", out _));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Theory]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-2", "'-2")]
    [InlineData("@sum(A1)", "'@sum(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=a,b", "\"'=a,b\"")]
    [InlineData("", "")]
    public void Csv_text_cells_are_defused_then_quoted(string text, string cell) => Assert.Equal(cell, CsvCells.Text(text));

    private static async Task<Csv> CsvAsync(TeamSession team, string path, CancellationToken ct)
    {
        using var response = await team.Client.GetAsync(path, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return Csv.Parse(await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>A small RFC 4180 reader, enough to read back what the export wrote.</summary>
    private sealed record Csv(string Text, string Header, List<string[]> Rows)
    {
        public static Csv Parse(string text)
        {
            var records = new List<string[]>();
            var (fields, cell, quoted) = (new List<string>(), new System.Text.StringBuilder(), false);
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                    else if (c == '"') { quoted = false; }
                    else { cell.Append(c); }
                }
                else if (c == '"') { quoted = true; }
                else if (c == ',') { fields.Add(cell.ToString()); cell.Clear(); }
                else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    fields.Add(cell.ToString());
                    cell.Clear();
                    records.Add([.. fields]);
                    fields.Clear();
                    i++;
                }
                else { cell.Append(c); }
            }

            return new Csv(text, string.Join(',', records[0]), records.Skip(1).ToList());
        }
    }
}
