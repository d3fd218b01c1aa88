using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using static System.Net.HttpStatusCode;

namespace Cognive.Tests.Governance;

/// <summary>
/// Every endpoint of <see cref="AuthorizationMatrix"/> against every kind of caller: each role, scoped API keys, other
/// teams, no credential, a revoked key, and tokens expired, tampered, unsigned, re-signed or logged out. Each cell
/// expects one exact status; an endpoint's test lists every cell that got another.
/// </summary>
public sealed class AuthorizationMatrixTests(SharedApp shared, AuthorizationMatrixWorld world) : IClassFixture<AuthorizationMatrixWorld>
{
    private readonly CogniveApp _app = shared.App;

    private sealed record Cell(string Caller, Credential Credential, HttpStatusCode Expected);

    public static TheoryData<string> Endpoints => new(AuthorizationMatrix.Endpoints.Select(e => e.ToString()));

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_caller_gets_the_exact_status(string endpoint)
    {
        var ct = TestContext.Current.CancellationToken;
        var row = AuthorizationMatrix.Endpoints.Single(e => e.ToString() == endpoint);
        var mismatches = new List<string>();

        foreach (var cell in await CellsOfAsync(row, ct))
        {
            var prepared = await row.Prepare(world, ct);
            using var request = new HttpRequestMessage(new HttpMethod(row.Method), "/api/v1" + prepared.Path)
            {
                Content = prepared.Body is null ? null : JsonContent.Create(prepared.Body),
            };
            cell.Credential.ApplyTo(request);
            using var response = await world.Client.SendAsync(request, ct);

            if (response.StatusCode != cell.Expected)
            {
                mismatches.Add($"{row} as {cell.Caller}: expected {(int)cell.Expected} {cell.Expected}, got {(int)response.StatusCode} {response.StatusCode}");
            }
            else if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                mismatches.Add($"{row} as {cell.Caller}: {(int)response.StatusCode} as {response.Content.Headers.ContentType?.MediaType ?? "no body"}, not problem details");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} cells differ:\n{string.Join('\n', mismatches)}");
    }

    [Fact]
    public async Task Every_endpoint_of_the_API_has_a_row()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = _app.CreateApiClient(null);
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", ct));
        string[] anonymousEndpoints = ["POST /auth/login", "POST /auth/refresh"];

        var mapped = document.RootElement.GetProperty("paths").EnumerateObject()
            .Where(path => path.Name.StartsWith("/api/v1/", StringComparison.Ordinal))
            .SelectMany(path => path.Value.EnumerateObject().Select(method =>
                $"{method.Name.ToUpperInvariant()} {path.Name["/api/v1".Length..].TrimEnd('/')}"))
            .Except(anonymousEndpoints)
            .ToHashSet();
        var rows = AuthorizationMatrix.Endpoints.Select(e => e.ToString()).ToHashSet();
        var withoutRow = mapped.Except(rows).Order().ToList();
        var withoutEndpoint = rows.Except(mapped).Order().ToList();

        Assert.True(withoutRow.Count + withoutEndpoint.Count == 0,
            $"Endpoints without a row: {string.Join(", ", withoutRow)}\nRows without an endpoint: {string.Join(", ", withoutEndpoint)}");
    }

    [Fact]
    public async Task Reusing_a_rotated_refresh_token_is_refused_and_ends_its_whole_login()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, "developer", ct);
        var login = await People.LoginAsync(_app, person, ct);
        var otherLogin = await People.LoginAsync(_app, person, ct);
        using var anonymous = _app.CreateApiClient(null);

        using var rotated = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        var newest = People.TokensOf(await People.ReadAsync(rotated, ct));
        using var reused = await People.RefreshAsync(anonymous, login.RefreshToken, ct);
        var reuseProblem = await reused.Content.ReadAsStringAsync(ct);
        using var newestAfterReuse = await People.RefreshAsync(anonymous, newest.RefreshToken, ct);
        using var otherLoginRefresh = await People.RefreshAsync(anonymous, otherLogin.RefreshToken, ct);
        using var audit = await team.GetAsync("/api/v1/audit?action=auth.refresh_reused", ct);
        var reuses = (await People.ReadAsync(audit, ct)).GetProperty("items").EnumerateArray().ToList();

        Assert.Equal(OK, rotated.StatusCode);
        Assert.NotEqual(login.RefreshToken, newest.RefreshToken);
        Assert.Equal(Unauthorized, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("used before", reuseProblem);
        Assert.Equal(Unauthorized, newestAfterReuse.StatusCode);
        Assert.Equal("application/problem+json", newestAfterReuse.Content.Headers.ContentType?.MediaType);
        Assert.Equal(OK, otherLoginRefresh.StatusCode);
        var record = Assert.Single(reuses);
        Assert.Equal($"user:{person.Id}", record.GetProperty("actor").GetString());
    }

    private async Task<List<Cell>> CellsOfAsync(MatrixEndpoint row, CancellationToken ct)
    {
        var installationOnly = row.FirstRole is null;
        var byKey = installationOnly ? Forbidden : row.ByKey ?? row.Success;
        var cells = new List<Cell>();
        foreach (var role in Enum.GetValues<Role>())
        {
            var token = row.EndsSession ? await world.FreshTokenAsync(role, ct) : world.TokenOf(role);
            var allowed = row.FirstRole is { } first && role >= first;
            cells.Add(new($"the team's {AuthorizationMatrixWorld.ApiName(role)} (JWT)", new(Bearer: token), allowed ? row.Success : Forbidden));
        }

        cells.Add(new("the team's first key", new(ApiKey: world.TeamKey), byKey));
        if (row.Permission is { } permission)
        {
            cells.Add(new($"a key with only {permission}", new(ApiKey: await world.KeyWithOnlyAsync(permission, ct)),
                row.ByKeyWithOnlyThePermission ?? byKey));
            cells.Add(new($"a key with all but {permission}", new(ApiKey: await world.KeyWithoutAsync(permission, ct)), Forbidden));
        }
        else
        {
            cells.Add(new("a key with no scopes", new(ApiKey: await world.KeyWithNoScopesAsync(ct)), byKey));
        }

        if (installationOnly)
        {
            cells.Add(new("the installation's admin key", new(ApiKey: world.InstallationKey), row.Success));
            cells.Add(new("the installation's admin (JWT)", new(Bearer: world.InstallationAdminToken), row.Success));
            cells.Add(new("the installation's team_lead (JWT)", new(Bearer: world.InstallationLeadToken), Forbidden));
        }

        if (row.OtherTeam is { } otherTeam)
        {
            cells.Add(new("another team's first key", new(ApiKey: world.OtherTeamKey), otherTeam));
            cells.Add(new("another team's admin (JWT)", new(Bearer: world.OtherTeamAdminToken), otherTeam));
            cells.Add(new("the installation's admin key, another team", new(ApiKey: world.InstallationKey), otherTeam));
        }

        cells.Add(new("no credential", Credential.None, Unauthorized));
        cells.Add(new("a revoked key", new(ApiKey: world.RevokedKey), Unauthorized));
        cells.Add(new("a logged-out token", new(Bearer: world.LoggedOutToken), Unauthorized));
        var adminExpected = installationOnly ? Forbidden : row.Success;
        cells.AddRange(world.Forge().Select(f => new Cell($"a token {f.Name}", new(Bearer: f.Token), f.Valid ? adminExpected : Unauthorized)));
        return cells;
    }
}
