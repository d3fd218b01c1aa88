using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cognive.Data;
using Cognive.Data.Audit;
using Cognive.Tests.Infrastructure;
using Cognive.Tests.Telemetry;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cognive.Tests.Governance;

/// <summary>
/// The audit chain against a database superuser (the app's own connection is one): triggers switched off, records edited
/// and resealed the only way they can without the audit key, the tail cut, checkpoints forged. Verify tells each.
/// </summary>
public sealed class AuditSuperuserTests(SharedApp shared)
{
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task A_record_edited_and_every_later_hash_recomputed_is_named_by_verify()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("rewritten", ct);
        await PatchAsync(team, agentId, 3, ct);
        var teamId = await team.TeamIdAsync(ct);
        var ids = await RecordIdsAsync(team, ct);
        var edited = ids[1];

        await using (var db = await SuperuserAsync(ct))
        {
            await ResealTheOldWayAsync(db, teamId, edited, ct);
        }

        var whole = await team.GetJsonAsync("/api/v1/audit/verify?full=true", ct);
        var fromCheckpoint = await team.GetJsonAsync("/api/v1/audit/verify", ct);

        Assert.False(whole.GetProperty("intact").GetBoolean());
        Assert.Equal(edited, whole.GetProperty("first_broken_id").GetInt64());
        Assert.False(fromCheckpoint.GetProperty("intact").GetBoolean());
        Assert.Equal(edited, fromCheckpoint.GetProperty("first_broken_id").GetInt64());
    }

    [Fact]
    public async Task Cutting_the_newest_records_is_reported_against_the_last_checkpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("cut", ct);
        await PatchAsync(team, agentId, 3, ct);
        var teamId = await team.TeamIdAsync(ct);
        var saved = await CheckpointAsync(team, ct);
        var lastId = saved.GetProperty("last_id").GetInt64();

        await using (var db = await SuperuserAsync(ct))
        await using (var cut = new NpgsqlBatch(db)
        {
            BatchCommands =
            {
                new("SET session_replication_role = replica"),
                new("DELETE FROM audit_records WHERE id IN (SELECT id FROM audit_records WHERE team_id = $1 ORDER BY id DESC LIMIT 2)")
                {
                    Parameters = { new() { Value = teamId } },
                },
                new("RESET session_replication_role"),
            },
        })
        {
            await cut.ExecuteNonQueryAsync(ct);
        }

        var againstSaved = await VerifyFromAsync(team, saved, ct);
        var againstStored = await team.GetJsonAsync("/api/v1/audit/verify", ct);
        // The service goes on appending to the cut chain, soundly sealed: only the checkpoint still tells.
        await PatchAsync(team, agentId, 1, ct);
        var afterMoreRecords = await VerifyFromAsync(team, saved, ct);

        Assert.All(new[] { againstSaved, againstStored, afterMoreRecords }, verification =>
        {
            Assert.False(verification.GetProperty("intact").GetBoolean());
            Assert.Equal(lastId, verification.GetProperty("first_broken_id").GetInt64());
            Assert.StartsWith("truncated", verification.GetProperty("reason").GetString());
        });
    }

    [Fact]
    public async Task A_checkpoint_Cognive_did_not_sign_for_the_team_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        using var other = await TeamSession.CreateAsync(_app, ct);
        await team.RegisterAgentAsync("signed", ct);
        await other.RegisterAgentAsync("signed", ct);
        var saved = await CheckpointAsync(team, ct);
        var othersCheckpoint = await CheckpointAsync(other, ct);
        var signature = saved.GetProperty("signature").GetString()!;
        var forgedSignature = With(saved, "signature", (signature[0] == '0' ? "1" : "0") + signature[1..]);
        var recounted = With(saved, "count", saved.GetProperty("count").GetInt64() + 1);
        var teamId = await team.TeamIdAsync(ct);

        var answers = new List<(HttpStatusCode, string?)>();
        foreach (var presented in new[] { forgedSignature, recounted, With(othersCheckpoint, "team_id", teamId) })
        {
            using var response = await team.Client.PostAsJsonAsync("/api/v1/audit/verify", presented, ct);
            answers.Add((response.StatusCode, (await TeamSession.ReadAsync(response, ct)).GetProperty("type").GetString()));
        }

        // A superuser who stores a checkpoint of their own making finds verify refusing it.
        await using (var db = await SuperuserAsync(ct))
        await using (var forge = new NpgsqlCommand("""
            INSERT INTO audit_checkpoints (team_id, last_id, hash, record_count, created_at, signature)
            SELECT team_id, last_id, hash, record_count + 1, now(), signature FROM audit_checkpoints WHERE team_id = $1
            ORDER BY last_id DESC LIMIT 1
            """, db) { Parameters = { new() { Value = teamId } } })
        {
            await forge.ExecuteNonQueryAsync(ct);
        }

        var withForgedStored = await team.GetJsonAsync("/api/v1/audit/verify", ct);

        Assert.All(answers, answer =>
            Assert.Equal((HttpStatusCode.UnprocessableEntity, "https://cognive.dev/problems/audit-checkpoint-not-signed"), answer));
        Assert.False(withForgedStored.GetProperty("intact").GetBoolean());
        Assert.Contains("not signed with the audit key", withForgedStored.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Verify_checks_only_the_records_after_the_checkpoint_unless_asked_for_all()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var agentId = await team.RegisterAgentAsync("incremental", ct);
        var saved = await CheckpointAsync(team, ct);
        await PatchAsync(team, agentId, 3, ct);
        var total = (await RecordIdsAsync(team, ct)).Count;

        var fromSaved = await VerifyFromAsync(team, saved, ct);
        var fromStored = await team.GetJsonAsync("/api/v1/audit/verify", ct);
        var whole = await team.GetJsonAsync("/api/v1/audit/verify?full=true", ct);

        Assert.True(fromSaved.GetProperty("intact").GetBoolean());
        Assert.Equal(3, fromSaved.GetProperty("records_checked").GetInt64());
        Assert.Equal(saved.GetProperty("last_id").GetInt64(), fromSaved.GetProperty("checked_after_id").GetInt64());
        // The app's own rounds may have signed a newer head meanwhile: never more than the records since the saved one.
        Assert.True(fromStored.GetProperty("intact").GetBoolean());
        Assert.InRange(fromStored.GetProperty("records_checked").GetInt64(), 0, 3);
        Assert.True(fromStored.GetProperty("checked_after_id").GetInt64() >= saved.GetProperty("last_id").GetInt64());
        Assert.True(whole.GetProperty("intact").GetBoolean());
        Assert.Equal(total, whole.GetProperty("records_checked").GetInt64());
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("checked_after_id").ValueKind);
    }

    [Fact]
    public async Task A_checkpoint_is_published_to_the_log_with_its_signature()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        await team.RegisterAgentAsync("logged", ct);
        var saved = await CheckpointAsync(team, ct);
        var api = await _app.App.ResourceNotifications.WaitForResourceAsync("api", e => e.Snapshot.State?.Text == KnownResourceStates.Running, ct);
        var signature = $"signature {saved.GetProperty("signature").GetString()}";

        var log = await ResourceLog.ReadAsync(_app.App, api.ResourceId, signature, TimeSpan.FromSeconds(30), ct);

        Assert.Contains(log.Split('\n'), line => line.Contains(signature, StringComparison.Ordinal) &&
            line.Contains($"team {saved.GetProperty("team_id").GetGuid()}, last id {saved.GetProperty("last_id").GetInt64()}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Records_sealed_before_the_key_existed_hold_once_anchored_and_nowhere_after_it()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = await TeamSession.CreateAsync(_app, ct);
        var teamId = await team.TeamIdAsync(ct);
        await using var db = await SuperuserAsync(ct);
        // The chain as the previous version of Cognive left it: plain SHA-256 seals.
        var (first, head) = await AppendTheOldWayAsync(db, teamId, AuditChain.Genesis, ct);
        await AppendTheOldWayAsync(db, teamId, head, ct);
        var unanchored = await team.GetJsonAsync("/api/v1/audit/verify?full=true", ct);

        // What the migrations do once, with the key, before any service appends.
        await using var context = new CogniveDbContext(new DbContextOptionsBuilder<CogniveDbContext>()
            .UseNpgsql(await _app.GetConnectionStringAsync("cognive", ct)).Options);
        var key = await AuditKeys.OfAsync(_app, ct);
        var toAnchor = await AuditCheckpoints.UnanchoredAsync(context, ct);
        var anchor = await AuditCheckpoints.SealHeadAsync(context, key, teamId, DateTimeOffset.UtcNow, ct, anchorUnkeyed: true);
        await team.RegisterAgentAsync("after-the-key", ct);
        var anchored = await team.GetJsonAsync("/api/v1/audit/verify?full=true", ct);
        var (late, _) = await AppendTheOldWayAsync(db, teamId, await NewestSealAsync(db, teamId, ct), ct);
        var afterTheKey = await team.GetJsonAsync("/api/v1/audit/verify?full=true", ct);

        Assert.False(unanchored.GetProperty("intact").GetBoolean());
        Assert.Equal(first, unanchored.GetProperty("first_broken_id").GetInt64());
        Assert.Contains(teamId, toAnchor);
        Assert.True(anchor.Created);
        Assert.Equal(2, anchor.Checkpoint!.Count);
        Assert.True(anchored.GetProperty("intact").GetBoolean());
        Assert.Equal(3, anchored.GetProperty("records_checked").GetInt64());
        Assert.False(afterTheKey.GetProperty("intact").GetBoolean());
        Assert.Equal(late, afterTheKey.GetProperty("first_broken_id").GetInt64());
    }

    private static async Task PatchAsync(TeamSession team, Guid agentId, int times, CancellationToken ct)
    {
        for (var i = 0; i < times; i++)
        {
            using var patched = await team.Client.PatchAsJsonAsync($"/api/v1/agents/{agentId}", new { description = $"version {i}" }, ct);
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }
    }

    /// <summary>The team's record ids, oldest first.</summary>
    private static async Task<List<long>> RecordIdsAsync(TeamSession team, CancellationToken ct) =>
        (await team.GetJsonAsync("/api/v1/audit?limit=500", ct)).GetProperty("items").EnumerateArray()
        .Select(r => r.GetProperty("id").GetInt64()).Order().ToList();

    private static async Task<JsonElement> CheckpointAsync(TeamSession team, CancellationToken ct)
    {
        using var response = await team.Client.PostAsync("/api/v1/audit/checkpoints", null, ct);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"checkpoint: {response.StatusCode}");
        return await TeamSession.ReadAsync(response, ct);
    }

    private static async Task<JsonElement> VerifyFromAsync(TeamSession team, JsonElement checkpoint, CancellationToken ct)
    {
        using var response = await team.Client.PostAsJsonAsync("/api/v1/audit/verify", checkpoint, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TeamSession.ReadAsync(response, ct);
    }

    private static JsonElement With<T>(JsonElement checkpoint, string field, T value)
    {
        var fields = checkpoint.Deserialize<Dictionary<string, JsonElement>>()!;
        fields[field] = JsonSerializer.SerializeToElement(value);
        return JsonSerializer.SerializeToElement(fields);
    }

    private async Task<NpgsqlConnection> SuperuserAsync(CancellationToken ct)
    {
        var connection = new NpgsqlConnection(await _app.GetConnectionStringAsync("cognive", ct));
        await connection.OpenAsync(ct);
        return connection;
    }

    private static byte[] OldHash(byte[] previous, Guid teamId, DateTimeOffset at, IEnumerable<string> fields, string? sourceIp) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n',
            new[] { Convert.ToHexString(previous), teamId.ToString("N"), at.UtcTicks.ToString(CultureInfo.InvariantCulture) }
                .Concat(fields).Append(sourceIp ?? ""))));

    /// <summary>A record sealed the way Cognive did before the audit key: its id and seal.</summary>
    private static async Task<(long Id, byte[] Hash)> AppendTheOldWayAsync(NpgsqlConnection db, Guid teamId, byte[] previous, CancellationToken ct)
    {
        var at = AuditChain.StoredPrecision(DateTimeOffset.UtcNow);
        string[] fields = ["key:old", "agent.update", "agent", "42", "{}", "old-request"];
        var hash = OldHash(previous, teamId, at, fields, null);
        await using var insert = new NpgsqlCommand("""
            INSERT INTO audit_records (team_id, occurred_at, actor, action, target_type, target_id, summary, request_id,
                                       previous_hash, hash, seal_version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id
            """, db);
        foreach (var value in new object[] { teamId, at }.Concat(fields).Concat([previous, hash]))
        {
            insert.Parameters.Add(new() { Value = value });
        }

        return ((long)(await insert.ExecuteScalarAsync(ct))!, hash);
    }

    private static async Task<byte[]> NewestSealAsync(NpgsqlConnection db, Guid teamId, CancellationToken ct)
    {
        await using var newest = new NpgsqlCommand("SELECT hash FROM audit_records WHERE team_id = $1 ORDER BY id DESC LIMIT 1", db)
        {
            Parameters = { new() { Value = teamId } },
        };
        return (byte[])(await newest.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// What a superuser without the audit key can do: change a record, mark it sealed the old way, and recompute that plain
    /// SHA-256 over the fields joined with newlines for it and every later record, each linked to the one before.
    /// </summary>
    private static async Task ResealTheOldWayAsync(NpgsqlConnection db, Guid teamId, long fromId, CancellationToken ct)
    {
        var rows = new List<(long Id, DateTimeOffset At, string[] Fields, string? SourceIp)>();
        byte[] previous;
        await using (var read = new NpgsqlCommand("""
            SELECT id, occurred_at, actor, action, target_type, target_id, summary, request_id, source_ip,
                   (SELECT hash FROM audit_records p WHERE p.team_id = r.team_id AND p.id < $2 ORDER BY p.id DESC LIMIT 1)
            FROM audit_records r WHERE team_id = $1 AND id >= $2 ORDER BY id
            """, db) { Parameters = { new() { Value = teamId }, new() { Value = fromId } } })
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            previous = [];
            while (await reader.ReadAsync(ct))
            {
                previous = reader.GetFieldValue<byte[]>(9);
                rows.Add((reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1),
                    [reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)],
                    reader.IsDBNull(8) ? null : reader.GetString(8)));
            }
        }

        rows[0].Fields[4] = """{"after":{"description":"what the superuser wants it to say"}}""";
        await using var batch = new NpgsqlBatch(db) { BatchCommands = { new("SET session_replication_role = replica") } };
        foreach (var row in rows)
        {
            var hash = OldHash(previous, teamId, row.At, row.Fields, row.SourceIp);
            batch.BatchCommands.Add(new("UPDATE audit_records SET summary = $2, previous_hash = $3, hash = $4, seal_version = 1 WHERE id = $1")
            {
                Parameters = { new() { Value = row.Id }, new() { Value = row.Fields[4] }, new() { Value = previous }, new() { Value = hash } },
            });
            previous = hash;
        }

        batch.BatchCommands.Add(new("RESET session_replication_role"));
        await batch.ExecuteNonQueryAsync(ct);
    }
}
