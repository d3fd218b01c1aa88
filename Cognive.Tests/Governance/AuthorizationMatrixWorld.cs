using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cognive.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cognive.Tests.Governance;

/// <summary>How a cell's request authenticates: an API key, a bearer token, or nothing.</summary>
public sealed record Credential(string? ApiKey = null, string? Bearer = null)
{
    public static readonly Credential None = new();

    public void ApplyTo(HttpRequestMessage request)
    {
        if (ApiKey is not null)
        {
            request.Headers.Add("X-API-Key", ApiKey);
        }

        if (Bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Bearer);
        }
    }
}

/// <summary>
/// What the matrix acts on, made once per test class (each registration and login costs a PBKDF2 hash): a team with
/// one person of each role, its agent and open run; another team with its admin; the installation's admin team with
/// an admin and a team lead; a revoked key and a logged-out token.
/// </summary>
public sealed class AuthorizationMatrixWorld(SharedApp shared) : IAsyncLifetime
{
    private readonly CogniveApp _app = shared.App;
    private readonly Dictionary<string, string> _scopedKeys = [];
    private World? _world;

    private sealed record World(HttpClient Team, string TeamKey, string[] AllPermissions, IReadOnlyDictionary<Role, Person> People,
        IReadOnlyDictionary<Role, string> Tokens, string OtherTeamKey, string OtherTeamAdminToken, string InstallationAdminToken,
        string InstallationLeadToken, string RevokedKey, string LoggedOutToken, byte[] SigningKey, Guid AgentId, Guid RunId);

    /// <summary>Sends the cells' requests; each carries its own credential.</summary>
    public HttpClient Client { get; } = shared.App.CreateApiClient(null);

    public string TeamKey => Current.TeamKey;

    public string OtherTeamKey => Current.OtherTeamKey;

    public string InstallationKey => _app.AdminApiKey;

    public string OtherTeamAdminToken => Current.OtherTeamAdminToken;

    public string InstallationAdminToken => Current.InstallationAdminToken;

    public string InstallationLeadToken => Current.InstallationLeadToken;

    public string RevokedKey => Current.RevokedKey;

    public string LoggedOutToken => Current.LoggedOutToken;

    /// <summary>The team's agent, active for the whole class.</summary>
    public Guid AgentId => Current.AgentId;

    /// <summary>A run of <see cref="AgentId"/> that stays open.</summary>
    public Guid RunId => Current.RunId;

    private World Current => _world ?? throw new InvalidOperationException("The matrix world has not been made.");

    public string TokenOf(Role role) => Current.Tokens[role];

    /// <summary>A new login of the team's person with <paramref name="role"/>, for calls that end their session.</summary>
    public async Task<string> FreshTokenAsync(Role role, CancellationToken ct) =>
        (await People.LoginAsync(_app, Current.People[role], ct)).AccessToken;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var teamKey = await Tenants.CreateTeamAsync(_app, ct);
        var otherTeamKey = await Tenants.CreateTeamAsync(_app, ct);
        var team = _app.CreateApiClient(teamKey);
        using var otherTeam = _app.CreateApiClient(otherTeamKey);
        using var installation = _app.CreateApiClient(_app.AdminApiKey);

        var roles = Enum.GetValues<Role>();
        var people = await Task.WhenAll(roles.Select(role => People.RegisterAsync(team, ApiName(role), ct)));
        var others = await Task.WhenAll(
            People.RegisterAsync(otherTeam, "admin", ct),
            People.RegisterAsync(installation, "admin", ct),
            People.RegisterAsync(installation, "team_lead", ct));
        var logins = await Task.WhenAll(people.Concat(others).Append(people[^1]).Select(p => People.LoginAsync(_app, p, ct)));

        var loggedOut = logins[^1];
        using (var leaving = People.BearerClient(_app, loggedOut.AccessToken))
        using (var logout = await leaving.PostAsJsonAsync("/api/v1/auth/logout", new { refresh_token = loggedOut.RefreshToken }, ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        var revokedKey = await CreateKeyAsync(team, null, ct);
        using (var revoke = await team.DeleteAsync($"/api/v1/api-keys/{revokedKey.Id}", ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        var agentId = await NewAgentAsync(team, ct);
        _world = new World(team, teamKey, await PermissionsOfAsync(team, ct),
            roles.Zip(people).ToDictionary(p => p.First, p => p.Second),
            roles.Zip(logins).ToDictionary(p => p.First, p => p.Second.AccessToken),
            otherTeamKey, logins[roles.Length].AccessToken, logins[roles.Length + 1].AccessToken, logins[roles.Length + 2].AccessToken,
            revokedKey.Key, loggedOut.AccessToken, await SigningKeyAsync(ct), agentId, await NewRunAsync(team, agentId, ct));
    }

    /// <summary>A new agent of the team, for a cell that archives one.</summary>
    public Task<Guid> NewAgentAsync(CancellationToken ct) => NewAgentAsync(Current.Team, ct);

    /// <summary>A new open run of the team's agent, for a cell that ends one.</summary>
    public Task<Guid> NewRunAsync(CancellationToken ct) => NewRunAsync(Current.Team, Current.AgentId, ct);

    /// <summary>A checkpoint of the team's audit chain, signed now, as a team would have saved it.</summary>
    public async Task<JsonElement> NewCheckpointAsync(CancellationToken ct)
    {
        using var response = await Current.Team.PostAsync("/api/v1/audit/checkpoints", null, ct);
        Assert.True(response.IsSuccessStatusCode, $"taking a checkpoint: {(int)response.StatusCode}");
        return await People.ReadAsync(response, ct);
    }

    /// <summary>A new key of the team, for a cell that revokes one.</summary>
    public async Task<Guid> NewKeyIdAsync(CancellationToken ct) => (await CreateKeyAsync(Current.Team, null, ct)).Id;

    /// <summary>A new object of the team made by POSTing <paramref name="body"/> to <paramref name="path"/>, for a cell that
    /// changes or deletes one; its id is the answer's <c>id</c>.</summary>
    public async Task<Guid> NewObjectAsync(string path, object body, CancellationToken ct)
    {
        using var response = await Current.Team.PostAsJsonAsync($"/api/v1{path}", body, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await People.ReadAsync(response, ct)).GetProperty("id").GetGuid();
    }

    /// <summary>A key of the team holding only <paramref name="permission"/>.</summary>
    public Task<string> KeyWithOnlyAsync(string permission, CancellationToken ct) => ScopedKeyAsync([permission], ct);

    /// <summary>A key of the team holding every permission but <paramref name="permission"/>.</summary>
    public Task<string> KeyWithoutAsync(string permission, CancellationToken ct) =>
        ScopedKeyAsync(Current.AllPermissions.Where(p => p != permission).ToArray(), ct);

    public Task<string> KeyWithNoScopesAsync(CancellationToken ct) => ScopedKeyAsync([], ct);

    /// <summary>
    /// Tokens made outside Cognive for the team's admin, each broken in one way, fresh for every cell (a logout would
    /// revoke a shared one). <see cref="Forgery.Valid"/> is the control: the same claims, signed right, must work.
    /// </summary>
    public IReadOnlyList<Forgery> Forge()
    {
        var now = DateTimeOffset.UtcNow;
        var admin = Current.People[Role.Admin];
        JsonObject Claims(DateTimeOffset issued) => JwtForge.ClaimsOf(admin, issued);
        JsonObject Edited(Action<JsonObject> edit, DateTimeOffset? issued = null)
        {
            var claims = Claims(issued ?? now);
            edit(claims);
            return claims;
        }

        var viewerClaimingAdmin = JwtForge.PayloadOf(Current.Tokens[Role.Viewer]);
        viewerClaimingAdmin["role"] = "admin";
        viewerClaimingAdmin["cognive:installation_admin"] = "true";
        var key = Current.SigningKey;
        return
        [
            new("self-signed with the app's key (control)", JwtForge.SignHs256(Claims(now), key), Valid: true),
            new("expired beyond the clock skew", JwtForge.SignHs256(Claims(now.AddMinutes(-12)), key)),
            new("not valid yet", JwtForge.SignHs256(Claims(now.AddMinutes(2)), key)),
            new("without an expiry", JwtForge.SignHs256(Edited(c => c.Remove("exp")), key)),
            new("tampered: the viewer's token edited to admin", JwtForge.WithPayload(Current.Tokens[Role.Viewer], viewerClaimingAdmin)),
            new("alg:none", JwtForge.Unsigned(Claims(now))),
            new("signed with another key", JwtForge.SignHs256(Claims(now), RandomNumberGenerator.GetBytes(key.Length))),
            new("for another audience", JwtForge.SignHs256(Edited(c => c["aud"] = "someone-else"), key)),
            new("from another issuer", JwtForge.SignHs256(Edited(c => c["iss"] = "someone-else"), key)),
            new("without the team claim", JwtForge.SignHs256(Edited(c => c.Remove("cognive:team_id")), key)),
        ];
    }

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        _world?.Team.Dispose();
        return ValueTask.CompletedTask;
    }

    public static string ApiName(Role role) => role switch
    {
        Role.Viewer => "viewer",
        Role.Developer => "developer",
        Role.TeamLead => "team_lead",
        _ => "admin",
    };

    private async Task<string> ScopedKeyAsync(string[] scopes, CancellationToken ct)
    {
        var name = scopes.Length == 0 ? "no scopes" : string.Join(',', scopes);
        if (!_scopedKeys.TryGetValue(name, out var key))
        {
            _scopedKeys[name] = key = (await CreateKeyAsync(Current.Team, scopes, ct)).Key;
        }

        return key;
    }

    private static async Task<(Guid Id, string Key)> CreateKeyAsync(HttpClient team, string[]? scopes, CancellationToken ct)
    {
        using var response = await team.PostAsJsonAsync("/api/v1/api-keys", new { name = $"key-{Guid.NewGuid():N}", scopes }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = await People.ReadAsync(response, ct);
        return (key.GetProperty("id").GetGuid(), key.GetProperty("key").GetString()!);
    }

    private static async Task<Guid> NewAgentAsync(HttpClient team, CancellationToken ct)
    {
        using var response = await team.PostAsJsonAsync("/api/v1/agents", new { name = $"agent-{Guid.NewGuid():N}", framework = "langgraph" }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await People.ReadAsync(response, ct)).GetProperty("agent_id").GetGuid();
    }

    private static async Task<Guid> NewRunAsync(HttpClient team, Guid agentId, CancellationToken ct)
    {
        using var response = await team.PostAsJsonAsync("/api/v1/runs/start", new { agent_id = agentId }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await People.ReadAsync(response, ct)).GetProperty("run_id").GetGuid();
    }

    /// <summary>The team's first key holds every permission there is: the "every permission but one" keys start from it.</summary>
    private static async Task<string[]> PermissionsOfAsync(HttpClient team, CancellationToken ct)
    {
        using var response = await team.GetAsync("/api/v1/auth/me", ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await People.ReadAsync(response, ct)).GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).ToArray();
    }

    private async Task<byte[]> SigningKeyAsync(CancellationToken ct)
    {
        var parameter = _app.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(p => p.Name == "jwt-signing-key");
        return Encoding.UTF8.GetBytes(await parameter.GetValueAsync(ct) ?? throw new InvalidOperationException("jwt-signing-key has no value"));
    }
}

/// <summary>A token made outside Cognive; only <see cref="Valid"/> ones may be accepted.</summary>
public sealed record Forgery(string Name, string Token, bool Valid = false);
