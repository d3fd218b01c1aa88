using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Tests.Infrastructure;
using static System.Net.HttpStatusCode;

namespace Cognive.Tests.Governance;

/// <summary>
/// Sign-in limits as a hostile tenant would try them: a key does not buy guesses, a forwarded address counts only from a
/// trusted proxy, a lock slows an attacker without shutting the person out and ends by itself, and registering tells no
/// team who exists in another. The shared app trusts IPv6 loopback as its proxy and locks for 5 s doubling to 10 s
/// (<see cref="SharedApp.SignIn"/>).
/// </summary>
public sealed class SignInLimitTests(SharedApp shared)
{
    private const string WrongPassword = "wrong-password-a41c99e2";
    private const int FailuresBeforeLock = 5;
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public async Task Login_is_limited_per_account_whatever_key_it_carries()
    {
        var ct = TestContext.Current.CancellationToken;
        var teamKey = await Tenants.CreateTeamAsync(_app, ct);
        using var team = _app.CreateApiClient(teamKey);
        var person = await People.RegisterAsync(team, "developer", ct);

        var failures = new List<HttpStatusCode>();
        string? limit = null;
        for (var i = 0; i < FailuresBeforeLock; i++)
        {
            using var failed = await LoginAsync(team, person.Email, WrongPassword, ct);
            failures.Add(failed.StatusCode);
            limit = failed.Headers.GetValues("RateLimit-Limit").Single();
        }

        using var locked = await LoginAsync(team, person.Email, People.Password, ct);
        var problem = await People.ReadAsync(locked, ct);

        Assert.All(failures, status => Assert.Equal(Unauthorized, status));
        Assert.Equal("300", limit); // the address' sign-in limit, not the key's 600,000 a minute
        Assert.Equal(TooManyRequests, locked.StatusCode);
        Assert.Equal("application/problem+json", locked.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://cognive.dev/problems/sign-in-locked", problem.GetProperty("type").GetString());
        Assert.InRange(locked.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 10);
    }

    [Fact]
    public async Task A_forwarded_address_counts_only_from_a_trusted_proxy()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, "viewer", ct);
        using var untrusted = _app.CreateApiClient(null);
        using var proxy = ThroughTrustedProxy();

        using var fromUntrusted = await LoginAsync(untrusted, person.Email, People.Password, ct, forwardedFor: "203.0.113.7");
        var freshAddress = RandomDocumentationAddress();
        using var fromProxy = await LoginAsync(proxy, person.Email, People.Password, ct, forwardedFor: $"198.51.100.9, {freshAddress}");
        var sources = await LoginSourcesAsync(team, person, ct);

        Assert.Equal(OK, fromUntrusted.StatusCode);
        Assert.Equal(OK, fromProxy.StatusCode);
        Assert.Equal(2, sources.Count);
        Assert.NotEqual("203.0.113.7", sources[0]); // oldest first: the untrusted peer's claim was ignored
        Assert.Equal(freshAddress, sources[1]); // the nearest hop the proxy vouches for; what the client wrote before it is not
        Assert.Equal("299", fromProxy.Headers.GetValues("RateLimit-Remaining").Single()); // a bucket of its own
    }

    [Fact]
    public async Task A_lock_never_shuts_out_an_address_the_person_signed_in_from_and_ends_by_itself()
    {
        var ct = TestContext.Current.CancellationToken;
        using var team = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var person = await People.RegisterAsync(team, "viewer", ct);
        using var proxy = ThroughTrustedProxy();
        string home = RandomDocumentationAddress(), attacker = RandomDocumentationAddress(), elsewhere = RandomDocumentationAddress();

        using var fromHome = await LoginAsync(proxy, person.Email, People.Password, ct, home);
        await FailAsync(proxy, person, attacker, ct);
        using var attackerLocked = await LoginAsync(proxy, person.Email, WrongPassword, ct, attacker);
        using var elsewhereLocked = await LoginAsync(proxy, person.Email, People.Password, ct, elsewhere);
        using var homeDuringLock = await LoginAsync(proxy, person.Email, People.Password, ct, home);

        Assert.Equal(OK, fromHome.StatusCode);
        Assert.Equal(TooManyRequests, attackerLocked.StatusCode);
        Assert.Equal(TooManyRequests, elsewhereLocked.StatusCode);
        Assert.Equal(OK, homeDuringLock.StatusCode);

        // Locked again (the person's success ended the first lock): it ends by itself, within the longest lock.
        await FailAsync(proxy, person, attacker, ct);
        using (var lockedAgain = await LoginAsync(proxy, person.Email, People.Password, ct, elsewhere))
        {
            Assert.Equal(TooManyRequests, lockedAgain.StatusCode);
        }

        await Eventually.HoldsAsync(async () =>
        {
            using var login = await LoginAsync(proxy, person.Email, People.Password, ct, elsewhere);
            return login.StatusCode == OK;
        }, "the lock ended and the right password from a new address got in", ct, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Register_answers_alike_for_an_address_taken_in_another_team()
    {
        var ct = TestContext.Current.CancellationToken;
        using var owner = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        using var prober = _app.CreateApiClient(await Tenants.CreateTeamAsync(_app, ct));
        var victim = await People.RegisterAsync(owner, "admin", ct);
        const string ProberPassword = "the-probers-own-password-1";

        using var taken = await prober.PostAsJsonAsync("/api/v1/auth/register",
            new { email = victim.Email, password = ProberPassword, role = "viewer" }, ct);
        using var free = await prober.PostAsJsonAsync("/api/v1/auth/register",
            new { email = People.NewEmail("viewer"), password = ProberPassword, role = "viewer" }, ct);
        using var victimLogin = await LoginAsync(owner, victim.Email, People.Password, ct);
        using var proberLogin = await LoginAsync(owner, victim.Email, ProberPassword, ct);
        using var victimAgain = await owner.PostAsJsonAsync("/api/v1/auth/register",
            new { email = victim.Email, password = People.Password, role = "viewer" }, ct);

        Assert.Equal(Created, taken.StatusCode);
        Assert.Equal(free.StatusCode, taken.StatusCode);
        Assert.Equal(Shape(await People.ReadAsync(free, ct)), Shape(await People.ReadAsync(taken, ct)));
        // Each password opens its own team's account: the victim's sign-in is untouched, the prober gets only its own.
        Assert.Equal(victim.TeamId, (await People.ReadAsync(victimLogin, ct)).TeamOfToken());
        Assert.Equal((await People.ReadAsync(taken, ct)).GetProperty("team_id").GetGuid(), (await People.ReadAsync(proberLogin, ct)).TeamOfToken());
        Assert.Equal(Conflict, victimAgain.StatusCode); // within its own team a team sees its people anyway
    }

    private static string Shape(JsonElement answer) => string.Join(',', answer.EnumerateObject().Select(p => $"{p.Name}:{p.Value.ValueKind}"));

    private static async Task FailAsync(HttpClient client, Person person, string from, CancellationToken ct)
    {
        for (var i = 0; i < FailuresBeforeLock; i++)
        {
            using var failed = await LoginAsync(client, person.Email, WrongPassword, ct, from);
            Assert.Equal(Unauthorized, failed.StatusCode);
        }
    }

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password, CancellationToken ct,
        string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { email, password }) };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await client.SendAsync(request, ct);
    }

    /// <summary>The source address of each of the person's logins, oldest first, from the team's audit trail.</summary>
    private static async Task<List<string?>> LoginSourcesAsync(HttpClient team, Person person, CancellationToken ct)
    {
        var trail = await team.GetFromJsonAsync<JsonElement>("/api/v1/audit", ct);
        return trail.GetProperty("items").EnumerateArray()
            .Where(r => r.GetProperty("action").GetString() == "auth.login" && r.GetProperty("target_id").GetString() == person.Id.ToString())
            .Select(r => r.GetProperty("source_ip").GetString()).Reverse().ToList();
    }

    /// <summary>An address of the documentation ranges, new to every test: its sign-in bucket and lock are its own.</summary>
    private static string RandomDocumentationAddress() => $"2001:db8::{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}";

    /// <summary>
    /// A client reaching the API past DCP's proxy on IPv6 loopback, the shared app's trusted proxy: what it forwards
    /// is believed.
    /// </summary>
    private HttpClient ThroughTrustedProxy()
    {
        var urls = ServerProcesses.EnvironmentVariable(_app.ServiceProcessIds("api")[0], "ASPNETCORE_URLS")
            ?? throw new InvalidOperationException("The API process has no ASPNETCORE_URLS");
        return new HttpClient { BaseAddress = new UriBuilder(urls.Split(';')[0]) { Host = "[::1]" }.Uri };
    }
}

internal static class TokenAnswers
{
    /// <summary>The team an answer's access token was issued for.</summary>
    public static Guid TeamOfToken(this JsonElement answer) =>
        Guid.Parse((string)JwtForge.PayloadOf(answer.GetProperty("access_token").GetString()!)["cognive:team_id"]!);
}
