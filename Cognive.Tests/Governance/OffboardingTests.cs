using System.Net;
using System.Net.Http.Json;
using Cognive.Tests.Infrastructure;
using Npgsql;
using static System.Net.HttpStatusCode;

namespace Cognive.Tests.Governance;

/// <summary>
/// People leave: an admin disables, deletes, signs out, re-roles or re-passwords a person, and the person's access ends
/// at once (access and refresh tokens alike); each change is audited. A login ends at its absolute lifetime however
/// often it is refreshed.
/// </summary>
public sealed class OffboardingTests(SharedApp shared) : IDisposable
{
    private const string NewPassword = "a-new-password-4d2e8f1c";
    private readonly CogniveApp _app = shared.App;
    private readonly List<HttpClient> _teams = [];

    public void Dispose() => _teams.ForEach(team => team.Dispose());

    [Fact]
    public async Task A_disabled_person_is_refused_at_once_and_gets_in_again_once_enabled()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, person, login) = await PersonWithLoginAsync("developer", ct);
        using var asPerson = People.BearerClient(_app, login.AccessToken);
        using var anonymous = _app.CreateApiClient(null);

        using var disable = await team.PatchAsJsonAsync($"/api/v1/users/{person.Id}", new { disabled = true }, ct);
        var disabled = await People.ReadAsync(disable, ct);
        using var me = await asPerson.GetAsync("/api/v1/auth/me", ct);
        using var refresh = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        using var loginWhileDisabled = await LoginAsync(anonymous, person.Email, People.Password, ct);
        using var enable = await team.PatchAsJsonAsync($"/api/v1/users/{person.Id}", new { disabled = false }, ct);
        using var loginAgain = await LoginAsync(anonymous, person.Email, People.Password, ct);

        Assert.Equal(OK, disable.StatusCode);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, disabled.GetProperty("disabled_at").ValueKind);
        Assert.Equal(Unauthorized, me.StatusCode);
        Assert.Equal(Unauthorized, refresh.StatusCode);
        Assert.Equal(Unauthorized, loginWhileDisabled.StatusCode);
        Assert.Equal(OK, enable.StatusCode);
        Assert.Equal(OK, loginAgain.StatusCode);
        Assert.Equal(["user.update", "user.update"], await ActionsOnAsync(team, person, "user.", ct));
    }

    [Fact]
    public async Task A_deleted_person_can_use_neither_token_nor_password()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, person, login) = await PersonWithLoginAsync("admin", ct);
        using var asPerson = People.BearerClient(_app, login.AccessToken);
        using var anonymous = _app.CreateApiClient(null);

        using var delete = await team.DeleteAsync($"/api/v1/users/{person.Id}", ct);
        using var me = await asPerson.GetAsync("/api/v1/auth/me", ct);
        using var refresh = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        using var loginAfter = await LoginAsync(anonymous, person.Email, People.Password, ct);
        using var again = await team.DeleteAsync($"/api/v1/users/{person.Id}", ct);
        var users = await team.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/users", ct);

        Assert.Equal(NoContent, delete.StatusCode);
        Assert.Equal(Unauthorized, me.StatusCode);
        Assert.Equal(Unauthorized, refresh.StatusCode);
        Assert.Equal(Unauthorized, loginAfter.StatusCode);
        Assert.Equal(NotFound, again.StatusCode);
        Assert.Empty(users.EnumerateArray());
        Assert.Equal(["user.delete"], await ActionsOnAsync(team, person, "user.", ct));
    }

    [Fact]
    public async Task Revoking_sessions_ends_every_login_of_the_person_at_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, person, first) = await PersonWithLoginAsync("viewer", ct);
        var second = await People.LoginAsync(_app, person, ct);
        using var asFirst = People.BearerClient(_app, first.AccessToken);
        using var asSecond = People.BearerClient(_app, second.AccessToken);
        using var anonymous = _app.CreateApiClient(null);

        using var revoke = await team.PostAsync($"/api/v1/users/{person.Id}/sessions/revoke", null, ct);
        using var firstMe = await asFirst.GetAsync("/api/v1/auth/me", ct);
        using var secondMe = await asSecond.GetAsync("/api/v1/auth/me", ct);
        using var firstRefresh = await People.RefreshAsync(anonymous, first.RefreshToken, ct);
        using var secondRefresh = await People.RefreshAsync(anonymous, second.RefreshToken, ct);
        var fresh = await People.LoginAsync(_app, person, ct);
        using var asFresh = People.BearerClient(_app, fresh.AccessToken);
        using var freshMe = await asFresh.GetAsync("/api/v1/auth/me", ct);

        Assert.Equal(NoContent, revoke.StatusCode);
        Assert.Equal([Unauthorized, Unauthorized, Unauthorized, Unauthorized],
            [firstMe.StatusCode, secondMe.StatusCode, firstRefresh.StatusCode, secondRefresh.StatusCode]);
        Assert.Equal(OK, freshMe.StatusCode);
        Assert.Equal(["user.sessions_revoke"], await ActionsOnAsync(team, person, "user.", ct));
    }

    [Fact]
    public async Task A_role_change_holds_at_once_and_a_refresh_carries_the_new_role()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, person, login) = await PersonWithLoginAsync("developer", ct);
        using var asBefore = People.BearerClient(_app, login.AccessToken);
        using var anonymous = _app.CreateApiClient(null);

        using var demote = await team.PatchAsJsonAsync($"/api/v1/users/{person.Id}", new { role = "viewer" }, ct);
        using var oldToken = await asBefore.GetAsync("/api/v1/auth/me", ct);
        using var refreshed = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        using var asAfter = People.BearerClient(_app, People.TokensOf(await People.ReadAsync(refreshed, ct)).AccessToken);
        using var register = await asAfter.PostAsJsonAsync("/api/v1/agents", new { name = $"agent-{Guid.NewGuid():N}", framework = "x" }, ct);
        var me = await asAfter.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/auth/me", ct);

        Assert.Equal(OK, demote.StatusCode);
        Assert.Equal("viewer", (await People.ReadAsync(demote, ct)).GetProperty("role").GetString());
        Assert.Equal(Unauthorized, oldToken.StatusCode);
        Assert.Equal(OK, refreshed.StatusCode);
        Assert.Equal("viewer", me.GetProperty("role").GetString());
        Assert.Equal(Forbidden, register.StatusCode);
        Assert.Equal(["user.update"], await ActionsOnAsync(team, person, "user.", ct));
    }

    [Fact]
    public async Task A_password_reset_ends_every_session_and_only_the_new_password_opens()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, person, login) = await PersonWithLoginAsync("team_lead", ct);
        using var asPerson = People.BearerClient(_app, login.AccessToken);
        using var anonymous = _app.CreateApiClient(null);

        using var tooShort = await team.PostAsJsonAsync($"/api/v1/users/{person.Id}/password", new { password = "short" }, ct);
        using var reset = await team.PostAsJsonAsync($"/api/v1/users/{person.Id}/password", new { password = NewPassword }, ct);
        using var me = await asPerson.GetAsync("/api/v1/auth/me", ct);
        using var refresh = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        using var oldPassword = await LoginAsync(anonymous, person.Email, People.Password, ct);
        using var newPassword = await LoginAsync(anonymous, person.Email, NewPassword, ct);
        var trail = await team.GetStringAsync("/api/v1/audit", ct);

        Assert.Equal(BadRequest, tooShort.StatusCode);
        Assert.Equal(NoContent, reset.StatusCode);
        Assert.Equal(Unauthorized, me.StatusCode);
        Assert.Equal(Unauthorized, refresh.StatusCode);
        Assert.Equal(Unauthorized, oldPassword.StatusCode);
        Assert.Equal(OK, newPassword.StatusCode);
        Assert.Equal(["user.password_reset"], await ActionsOnAsync(team, person, "user.", ct));
        Assert.DoesNotContain(NewPassword, trail);
    }

    [Fact]
    public async Task A_person_changes_their_own_password_only_knowing_the_current_one()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, person, login) = await PersonWithLoginAsync("viewer", ct);
        using var asPerson = People.BearerClient(_app, login.AccessToken);
        using var anonymous = _app.CreateApiClient(null);

        using var wrong = await asPerson.PostAsJsonAsync("/api/v1/auth/password",
            new { current_password = "not-the-current-password", new_password = NewPassword }, ct);
        using var changed = await asPerson.PostAsJsonAsync("/api/v1/auth/password",
            new { current_password = People.Password, new_password = NewPassword }, ct);
        using var refresh = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        using var oldPassword = await LoginAsync(anonymous, person.Email, People.Password, ct);
        using var newPassword = await LoginAsync(anonymous, person.Email, NewPassword, ct);

        Assert.Equal(BadRequest, wrong.StatusCode);
        Assert.Equal(NoContent, changed.StatusCode);
        Assert.Equal(Unauthorized, refresh.StatusCode);
        Assert.Equal(Unauthorized, oldPassword.StatusCode);
        Assert.Equal(OK, newPassword.StatusCode);
        Assert.Equal(["auth.password_change"], await ActionsOnAsync(team, person, "auth.password", ct));
    }

    [Fact]
    public async Task Another_team_cannot_touch_a_person_and_an_admin_key_cannot_touch_one_holding_more()
    {
        var ct = TestContext.Current.CancellationToken;
        var (team, person, _) = await PersonWithLoginAsync("admin", ct);
        using var otherTeam = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        using var created = await team.PostAsJsonAsync("/api/v1/api-keys", new { name = "admin only", scopes = new[] { "admin" } }, ct);
        using var adminOnly = _app.CreateApiClient((await People.ReadAsync(created, ct)).GetProperty("key").GetString());

        using var fromOtherTeam = await otherTeam.DeleteAsync($"/api/v1/users/{person.Id}", ct);
        using var byLesserKey = await adminOnly.PostAsync($"/api/v1/users/{person.Id}/sessions/revoke", null, ct);
        using var disableBeyond = await adminOnly.PatchAsJsonAsync($"/api/v1/users/{person.Id}", new { disabled = true }, ct);
        var users = await team.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/users", ct);

        Assert.Equal(NotFound, fromOtherTeam.StatusCode);
        Assert.Equal(Forbidden, byLesserKey.StatusCode);
        Assert.Equal(Forbidden, disableBeyond.StatusCode);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, Assert.Single(users.EnumerateArray()).GetProperty("disabled_at").ValueKind);
    }

    /// <summary>
    /// Time travel in the data: the login is made to have started long ago (its absolute end now near, then past), as a
    /// 30-day-old login whose newest refresh token is still fresh would be.
    /// </summary>
    [Fact]
    public async Task A_login_ends_at_its_absolute_lifetime_however_often_refreshed()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, person, login) = await PersonWithLoginAsync("viewer", ct);
        using var anonymous = _app.CreateApiClient(null);
        await using var db = NpgsqlDataSource.Create(await _app.GetConnectionStringAsync("cognive", ct));

        await SetSessionEndAsync(db, person, "now() + interval '1 hour'", ct);
        using var nearEnd = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        var refreshed = await People.ReadAsync(nearEnd, ct);
        await SetSessionEndAsync(db, person, "now() - interval '1 second'", ct);
        using var pastEnd = await People.RefreshAsync(anonymous, People.TokensOf(refreshed).RefreshToken, ct);

        Assert.Equal(OK, nearEnd.StatusCode);
        Assert.InRange(refreshed.GetProperty("refresh_expires_at").GetDateTimeOffset() - DateTimeOffset.UtcNow,
            TimeSpan.FromMinutes(55), TimeSpan.FromHours(1));
        Assert.Equal(Unauthorized, pastEnd.StatusCode);
        Assert.Contains("absolute lifetime", (await People.ReadAsync(pastEnd, ct)).GetProperty("detail").GetString());
    }

    private static async Task SetSessionEndAsync(NpgsqlDataSource db, Person person, string end, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"UPDATE refresh_tokens SET session_ends_at = {end} WHERE user_id = $1");
        command.Parameters.AddWithValue(person.Id);
        Assert.True(await command.ExecuteNonQueryAsync(ct) > 0);
    }

    private async Task<(HttpClient Team, Person Person, LoginTokens Login)> PersonWithLoginAsync(string role, CancellationToken ct)
    {
        var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        _teams.Add(team);
        var person = await People.RegisterAsync(team, role, ct);
        return (team, person, await People.LoginAsync(_app, person, ct));
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password, CancellationToken ct) =>
        client.PostAsJsonAsync("/api/v1/auth/login", new { email, password }, ct);

    /// <summary>The audit actions starting with <paramref name="prefix"/> that target the person, oldest first.</summary>
    private static async Task<List<string?>> ActionsOnAsync(HttpClient team, Person person, string prefix, CancellationToken ct)
    {
        var trail = await team.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/audit", ct);
        return trail.GetProperty("items").EnumerateArray()
            .Where(r => r.GetProperty("target_id").GetString() == person.Id.ToString())
            .Select(r => r.GetProperty("action").GetString())
            .Where(a => a!.StartsWith(prefix, StringComparison.Ordinal) && a != "user.register")
            .Reverse().ToList();
    }
}
