using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Npgsql;

namespace Cognive.Tests.Governance;

/// <summary>The audit trail: every mutating call recorded, append-only in the database, hash-chained and verifiable.</summary>
public sealed class AuditTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Mutating_calls_are_recorded_in_order_with_their_request_and_no_secret()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var createdKey = await team.Client.PostAsJsonAsync("/api/v1/api-keys", new { name = "ci" }, ct);
        var key = await TeamSession.ReadAsync(createdKey, ct);
        var agentId = await team.RegisterAgentAsync("audited", ct);
        using var update = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/agents/{agentId}")
        {
            Content = JsonContent.Create(new { description = "now described", config = new { token = "sk-do-not-audit" } }),
            Headers = { { "X-Request-Id", "audit-test-request" } },
        };
        using var updated = await team.Client.SendAsync(update, ct);
        using var archived = await team.Client.DeleteAsync($"/api/v1/agents/{agentId}", ct);
        using var revoked = await team.Client.DeleteAsync($"/api/v1/api-keys/{key.GetProperty("id").GetGuid()}", ct);
        using var listing = await team.Client.GetAsync("/api/v1/audit", ct);
        var trail = await listing.Content.ReadAsStringAsync(ct);
        var records = (await TeamSession.ReadAsync(listing, ct)).GetProperty("items").EnumerateArray().ToList();
        var verification = await team.GetJsonAsync("/api/v1/audit/verify?full=true", ct);

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, archived.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(["api_key.revoke", "agent.archive", "agent.update", "agent.create", "api_key.create"],
            records.Select(r => r.GetProperty("action").GetString()));
        Assert.All(records, r => Assert.StartsWith("key:", r.GetProperty("actor").GetString()));
        var agentUpdate = records.Single(r => r.GetProperty("action").GetString() == "agent.update");
        Assert.Equal("audit-test-request", agentUpdate.GetProperty("request_id").GetString());
        Assert.Equal(agentId.ToString(), agentUpdate.GetProperty("target_id").GetString());
        Assert.Null(agentUpdate.GetProperty("summary").GetProperty("before").GetProperty("description").GetString());
        Assert.Equal("now described", agentUpdate.GetProperty("summary").GetProperty("after").GetProperty("description").GetString());
        Assert.True(agentUpdate.GetProperty("summary").GetProperty("config_changed").GetBoolean());
        Assert.DoesNotContain(key.GetProperty("key").GetString()!, trail);
        Assert.DoesNotContain("sk-do-not-audit", trail);
        Assert.True(verification.GetProperty("intact").GetBoolean());
        Assert.Equal(5, verification.GetProperty("records_checked").GetInt64());
    }

    [Fact]
    public async Task The_database_refuses_to_change_records_and_verify_finds_a_superusers_tampering()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("watched", ct);
        using var patched = await team.Client.PatchAsJsonAsync($"/api/v1/agents/{agentId}", new { framework = "crewai" }, ct);
        var teamId = await team.TeamIdAsync(ct);
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));
        var updateError = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(db,
            "UPDATE audit_records SET action = 'agent.nothing' WHERE team_id = $1", teamId, ct));
        var deleteError = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(db,
            "DELETE FROM audit_records WHERE team_id = $1", teamId, ct));
        var intact = await team.GetJsonAsync("/api/v1/audit/verify", ct);

        // A superuser can switch triggers off for a session; the chain still tells.
        await using (var superuser = await db.OpenConnectionAsync(ct))
        await using (var tamper = new NpgsqlBatch(superuser)
        {
            BatchCommands =
            {
                new("SET session_replication_role = replica"),
                new("""
                    UPDATE audit_records SET summary = '{"after":{"framework":"langgraph"}}'
                    WHERE id = (SELECT max(id) FROM audit_records WHERE team_id = $1)
                    """) { Parameters = { new() { Value = teamId } } },
                new("RESET session_replication_role"),
            },
        })
        {
            await tamper.ExecuteNonQueryAsync(ct);
        }

        var tampered = await team.GetJsonAsync("/api/v1/audit/verify?full=true", ct);
        var newest = (await team.GetJsonAsync("/api/v1/audit", ct)).GetProperty("items")[0].GetProperty("id").GetInt64();
        var othersTrail = await other.GetJsonAsync($"/api/v1/audit?target_id={agentId}", ct);

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, updateError.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, deleteError.SqlState);
        Assert.True(intact.GetProperty("intact").GetBoolean());
        Assert.False(tampered.GetProperty("intact").GetBoolean());
        Assert.Equal(newest, tampered.GetProperty("first_broken_id").GetInt64());
        Assert.Empty(othersTrail.GetProperty("items").EnumerateArray());
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, Guid teamId, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new() { Value = teamId });
        await command.ExecuteNonQueryAsync(ct);
    }
}
