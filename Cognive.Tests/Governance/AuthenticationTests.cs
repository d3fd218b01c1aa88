using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using static System.Net.HttpStatusCode;

namespace Cognive.Tests.Governance;

/// <summary>People: registration by a team's admin, login, rotating refresh, logout, who-am-I, and what the audit keeps of it.</summary>
public sealed class AuthenticationTests(SharedApp shared)
{
    private const string WrongPassword = "wrong-password-5e1d0b77";
    private const string ProblemJson = "application/problem+json";
    private readonly CogniveApp _app = shared.App;

    [Theory]
    [InlineData("not-an-email", People.Password, "viewer", "email")]
    [InlineData("@example.test", People.Password, "viewer", "email")]
    [InlineData("someone@", People.Password, "viewer", "email")]
    [InlineData(null, "short-pw", "viewer", "password")]
    [InlineData(null, People.Password, "owner", "role")]
    [InlineData(null, People.Password, null, "role")]
    public async Task Register_refuses_a_bad_field_with_problem_details(string? email, string password, string? role, string field)
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));

        using var response = await team.PostAsJsonAsync("/api/v1/auth/register",
            new { email = email ?? People.NewEmail("bad"), password, role }, ct);
        var problem = await People.ReadAsync(response, ct);
        using var users = await team.GetAsync("/api/v1/users", ct);

        Assert.Equal(BadRequest, response.StatusCode);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Empty((await People.ReadAsync(users, ct)).EnumerateArray());
    }

    /// <summary>Another team may register the address too (see <see cref="SignInLimitTests"/>): nothing tells it who exists.</summary>
    [Fact]
    public async Task An_email_registered_in_a_team_cannot_be_registered_there_again()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        using var otherTeam = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, "viewer", ct);

        using var again = await team.PostAsJsonAsync("/api/v1/auth/register",
            new { email = person.Email.ToUpperInvariant(), password = People.Password, role = "admin" }, ct);
        using var elsewhere = await otherTeam.PostAsJsonAsync("/api/v1/auth/register",
            new { email = person.Email, password = People.Password, role = "viewer" }, ct);

        Assert.Equal(Conflict, again.StatusCode);
        Assert.Equal(ProblemJson, again.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Created, elsewhere.StatusCode);
    }

    [Fact]
    public async Task A_developer_cannot_register_people()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var developer = await People.RegisterAsync(team, "developer", ct);
        using var asDeveloper = People.BearerClient(_app, (await People.LoginAsync(_app, developer, ct)).AccessToken);

        using var response = await asDeveloper.PostAsJsonAsync("/api/v1/auth/register",
            new { email = People.NewEmail("viewer"), password = People.Password, role = "viewer" }, ct);
        using var users = await team.GetAsync("/api/v1/users", ct);

        Assert.Equal(Forbidden, response.StatusCode);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        Assert.Single((await People.ReadAsync(users, ct)).EnumerateArray());
    }

    [Fact]
    public async Task A_key_holding_only_admin_cannot_register_a_role_with_more_than_it_holds()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        using var created = await team.PostAsJsonAsync("/api/v1/api-keys", new { name = "admin only", scopes = new[] { "admin" } }, ct);
        using var adminOnly = _app.CreateApiClient((await People.ReadAsync(created, ct)).GetProperty("key").GetString());

        using var escalation = await adminOnly.PostAsJsonAsync("/api/v1/auth/register",
            new { email = People.NewEmail("admin"), password = People.Password, role = "admin" }, ct);
        using var users = await team.GetAsync("/api/v1/users", ct);

        Assert.Equal(Forbidden, escalation.StatusCode);
        Assert.Equal(ProblemJson, escalation.Content.Headers.ContentType?.MediaType);
        Assert.Empty((await People.ReadAsync(users, ct)).EnumerateArray());
    }

    [Fact]
    public async Task Login_answers_a_short_lived_signed_token_and_a_refresh_token()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, "team_lead", ct);
        using var anonymous = _app.CreateApiClient(null);

        using var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login",
            new { email = $"  {person.Email.ToUpperInvariant()} ", password = People.Password }, ct);
        var answer = await People.ReadAsync(response, ct);
        var claims = JwtForge.PayloadOf(answer.GetProperty("access_token").GetString()!);

        Assert.Equal(OK, response.StatusCode);
        Assert.Equal("Bearer", answer.GetProperty("token_type").GetString());
        Assert.Equal(600, answer.GetProperty("expires_in").GetInt32());
        Assert.StartsWith("cgr_", answer.GetProperty("refresh_token").GetString());
        Assert.InRange(answer.GetProperty("refresh_expires_at").GetDateTimeOffset() - DateTimeOffset.UtcNow,
            TimeSpan.FromDays(14) - TimeSpan.FromMinutes(5), TimeSpan.FromDays(14));
        Assert.Equal("cognive", (string?)claims["iss"]);
        Assert.Equal("cognive-api", (string?)claims["aud"]);
        Assert.Equal(person.Id.ToString(), (string?)claims["sub"]);
        Assert.Equal(person.TeamId.ToString(), (string?)claims["cognive:team_id"]);
        Assert.Equal("team_lead", (string?)claims["role"]);
        Assert.Equal(600, (long)claims["exp"]! - (long)claims["iat"]!);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_like_an_unknown_email_and_audited_without_the_password()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, "viewer", ct);
        var admin = await People.RegisterAsync(team, "admin", ct);
        using var asAdmin = People.BearerClient(_app, (await People.LoginAsync(_app, admin, ct)).AccessToken);
        using var anonymous = _app.CreateApiClient(null);

        using var wrong = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = person.Email, password = WrongPassword }, ct);
        using var unknown = await anonymous.PostAsJsonAsync("/api/v1/auth/login",
            new { email = People.NewEmail("nobody"), password = WrongPassword }, ct);
        using var huge = await anonymous.PostAsJsonAsync("/api/v1/auth/login",
            new { email = person.Email, password = new string('x', 100_000) }, ct);
        var wrongProblem = await People.ReadAsync(wrong, ct);
        var unknownProblem = await People.ReadAsync(unknown, ct);
        using var audit = await asAdmin.GetAsync("/api/v1/audit?action=auth.login_failed", ct);
        var trail = await audit.Content.ReadAsStringAsync(ct);
        var failures = (await People.ReadAsync(audit, ct)).GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(Unauthorized, wrong.StatusCode);
        Assert.Equal(ProblemJson, wrong.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Unauthorized, unknown.StatusCode);
        Assert.Equal(wrongProblem.GetProperty("detail").GetString(), unknownProblem.GetProperty("detail").GetString());
        Assert.Equal(Unauthorized, huge.StatusCode);
        Assert.Equal(OK, audit.StatusCode);
        Assert.Equal(2, failures.Count);
        Assert.All(failures, f => Assert.Equal($"user:{person.Id}", f.GetProperty("actor").GetString()));
        Assert.All(failures, f => Assert.Equal(person.Id.ToString(), f.GetProperty("target_id").GetString()));
        Assert.DoesNotContain(WrongPassword, trail);
        Assert.DoesNotContain("xxxxxxxx", trail);
    }

    [Fact]
    public async Task The_audit_trail_of_a_session_holds_no_password_and_no_token()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, "developer", ct);
        using var anonymous = _app.CreateApiClient(null);
        var first = await People.LoginAsync(_app, person, ct);
        using var refreshed = await People.RefreshAsync(anonymous, first.RefreshToken, ct);
        var second = People.TokensOf(await People.ReadAsync(refreshed, ct));
        using (var session = People.BearerClient(_app, second.AccessToken))
        using (var logout = await session.PostAsJsonAsync("/api/v1/auth/logout", new { refresh_token = second.RefreshToken }, ct))
        {
            Assert.Equal(NoContent, logout.StatusCode);
        }

        using var failed = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = person.Email, password = WrongPassword }, ct);
        using var audit = await team.GetAsync("/api/v1/audit?limit=500", ct);
        var trail = await audit.Content.ReadAsStringAsync(ct);
        var actions = (await People.ReadAsync(audit, ct)).GetProperty("items").EnumerateArray()
            .Select(r => r.GetProperty("action").GetString()).ToList();

        Assert.Equal(Unauthorized, failed.StatusCode);
        Assert.Equal(["auth.login_failed", "auth.logout", "auth.login", "user.register"], actions);
        foreach (var secret in (string[])[People.Password, WrongPassword, first.AccessToken, first.RefreshToken, second.AccessToken,
                     second.RefreshToken, first.RefreshToken["cgr_".Length..], second.RefreshToken["cgr_".Length..]])
        {
            Assert.DoesNotContain(secret, trail);
        }
    }

    [Fact]
    public async Task Refreshing_rotates_the_refresh_token_and_the_old_one_then_fails()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, "viewer", ct);
        var login = await People.LoginAsync(_app, person, ct);
        using var anonymous = _app.CreateApiClient(null);

        using var refreshed = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        var rotated = People.TokensOf(await People.ReadAsync(refreshed, ct));
        using var asRotated = People.BearerClient(_app, rotated.AccessToken);
        using var me = await asRotated.GetAsync("/api/v1/auth/me", ct);
        using var oldAgain = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        using var unknown = await People.RefreshAsync(anonymous, "cgr_not-a-token-anyone-was-given", ct);

        Assert.Equal(OK, refreshed.StatusCode);
        Assert.NotEqual(login.RefreshToken, rotated.RefreshToken);
        Assert.NotEqual(login.AccessToken, rotated.AccessToken);
        Assert.Equal(OK, me.StatusCode);
        Assert.Equal(person.Id, (await People.ReadAsync(me, ct)).GetProperty("user_id").GetGuid());
        Assert.Equal(Unauthorized, oldAgain.StatusCode);
        Assert.Equal(ProblemJson, oldAgain.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task Logout_ends_that_login_at_once_and_leaves_the_persons_other_logins()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, "developer", ct);
        var leaving = await People.LoginAsync(_app, person, ct);
        var staying = await People.LoginAsync(_app, person, ct);
        using var asLeaving = People.BearerClient(_app, leaving.AccessToken);
        using var asStaying = People.BearerClient(_app, staying.AccessToken);
        using var anonymous = _app.CreateApiClient(null);

        using var before = await asLeaving.GetAsync("/api/v1/auth/me", ct);
        using var logout = await asLeaving.PostAsJsonAsync("/api/v1/auth/logout", new { refresh_token = leaving.RefreshToken }, ct);
        using var after = await asLeaving.GetAsync("/api/v1/auth/me", ct);
        using var refreshAfter = await People.RefreshAsync(anonymous, leaving.RefreshToken, ct);
        using var other = await asStaying.GetAsync("/api/v1/auth/me", ct);
        using var otherRefresh = await People.RefreshAsync(anonymous, staying.RefreshToken, ct);
        using var anonymousLogout = await anonymous.PostAsJsonAsync("/api/v1/auth/logout", new { refresh_token = staying.RefreshToken }, ct);

        Assert.Equal(OK, before.StatusCode);
        Assert.Equal(NoContent, logout.StatusCode);
        Assert.Equal(Unauthorized, after.StatusCode);
        Assert.Equal(ProblemJson, after.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Unauthorized, refreshAfter.StatusCode);
        Assert.Equal(OK, other.StatusCode);
        Assert.Equal(OK, otherRefresh.StatusCode);
        Assert.Equal(Unauthorized, anonymousLogout.StatusCode);
    }

    [Theory]
    [InlineData("viewer", "agent:read cost:read")]
    [InlineData("developer", "agent:read cost:read agent:write telemetry:write")]
    [InlineData("team_lead", "agent:read cost:read agent:write telemetry:write budget:write policy:write key:write audit:read provider:write")]
    [InlineData("admin", "agent:read cost:read agent:write telemetry:write budget:write policy:write key:write audit:read provider:write admin")]
    public async Task Me_shows_a_persons_role_and_its_permissions(string role, string permissions)
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, role, ct);
        using var asPerson = People.BearerClient(_app, (await People.LoginAsync(_app, person, ct)).AccessToken);

        var me = await GetJsonAsync(asPerson, "/api/v1/auth/me", ct);

        Assert.Equal(person.Id, me.GetProperty("user_id").GetGuid());
        Assert.Equal(person.TeamId, me.GetProperty("team_id").GetGuid());
        Assert.Equal(person.Email, me.GetProperty("email").GetString());
        Assert.Equal(role, me.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("key_prefix").ValueKind);
        Assert.Equal(permissions.Split(' ').Order(), me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).Order());
    }

    [Fact]
    public async Task Me_shows_a_key_by_its_prefix_and_scopes_with_no_person()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        using var created = await team.PostAsJsonAsync("/api/v1/api-keys", new { name = "reader", scopes = new[] { "agent:read" } }, ct);
        var key = await People.ReadAsync(created, ct);
        using var asKey = _app.CreateApiClient(key.GetProperty("key").GetString());

        var me = await GetJsonAsync(asKey, "/api/v1/auth/me", ct);

        Assert.Equal(JsonValueKind.Null, me.GetProperty("user_id").ValueKind);
        Assert.Equal(JsonValueKind.Null, me.GetProperty("role").ValueKind);
        Assert.Equal(key.GetProperty("prefix").GetString(), "cgv_" + me.GetProperty("key_prefix").GetString());
        Assert.Equal(["agent:read"], me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Each_person_is_rate_limited_across_their_logins_with_the_standard_headers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var people = await Task.WhenAll(People.RegisterAsync(team, "viewer", ct), People.RegisterAsync(team, "viewer", ct));
        var logins = await Task.WhenAll(People.LoginAsync(_app, people[0], ct), People.LoginAsync(_app, people[0], ct),
            People.LoginAsync(_app, people[1], ct));
        using var firstLogin = People.BearerClient(_app, logins[0].AccessToken);
        using var secondLogin = People.BearerClient(_app, logins[1].AccessToken);
        using var otherPerson = People.BearerClient(_app, logins[2].AccessToken);

        using var first = await firstLogin.GetAsync("/api/v1/teams/me", ct);
        using var samePersonAgain = await secondLogin.GetAsync("/api/v1/teams/me", ct);
        using var someoneElse = await otherPerson.GetAsync("/api/v1/teams/me", ct);
        var limit = int.Parse(first.Headers.GetValues("RateLimit-Limit").Single());

        Assert.Equal(OK, first.StatusCode);
        Assert.True(limit > 0);
        Assert.Equal(limit - 1, Remaining(first));
        Assert.Equal(limit - 2, Remaining(samePersonAgain));
        Assert.Equal(limit - 1, Remaining(someoneElse));
        Assert.True(int.Parse(first.Headers.GetValues("RateLimit-Reset").Single()) is > 0 and <= 60);
    }

    private static int Remaining(HttpResponseMessage response) => int.Parse(response.Headers.GetValues("RateLimit-Remaining").Single());

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        Assert.Equal(OK, response.StatusCode);
        return await People.ReadAsync(response, ct);
    }
}
