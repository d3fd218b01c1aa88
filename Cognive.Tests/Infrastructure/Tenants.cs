using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cognive.Tests.Infrastructure;

/// <summary>Tests isolate themselves by data: each makes teams of its own through the admin key.</summary>
public static class Tenants
{
    /// <summary>Creates a team and returns its first API key.</summary>
    public static async Task<string> CreateTeamAsync(CogniveApp app, CancellationToken ct)
    {
        using var admin = app.CreateApiClient(app.AdminApiKey);
        using var response = await admin.PostAsJsonAsync("/api/v1/teams", new { name = $"team-{Guid.NewGuid():N}" }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return created.RootElement.GetProperty("api_key").GetProperty("key").GetString()!;
    }
}
