using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cognive.Credentials;
using Cognive.Gateway.Providers;

namespace Cognive.Gateway.OpenAi;

/// <summary>
/// <c>GET /v1/models</c>: what each of the team's connections' upstreams lists, named as callers pick them
/// (<c>&lt;connection&gt;/&lt;model&gt;</c>). An upstream that does not answer in <see cref="UpstreamWait"/> is left out.
/// </summary>
public sealed class ModelCatalog(ConnectionDirectory connections, Upstream upstreams, ILogger<ModelCatalog> logger)
{
    private static readonly TimeSpan UpstreamWait = TimeSpan.FromSeconds(5);

    public async Task ListAsync(HttpContext http)
    {
        var team = await connections.ConnectionsAsync(Callers.TeamIdOf(http.User), http.RequestAborted);
        var lists = await Task.WhenAll(team.Select(c => ModelsOfAsync(c, http.RequestAborted)));
        await http.Response.WriteAsJsonAsync(new ModelList("list", lists.SelectMany(m => m).ToList()), GatewayJson.Default.ModelList,
            cancellationToken: http.RequestAborted);
    }

    private async Task<IEnumerable<ModelEntry>> ModelsOfAsync(Connection connection, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(UpstreamWait);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(connection.BaseUrl, "models"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.ApiKey);
        try
        {
            using var response = await upstreams.SendAsync(request, timeout.Token);
            response.EnsureSuccessStatusCode();
            var listed = await response.Content.ReadFromJsonAsync(GatewayJson.Default.ModelList, timeout.Token);
            return listed?.Data.Select(m => m with { Id = $"{connection.Name}/{m.Id}", OwnedBy = m.OwnedBy ?? connection.Provider }) ?? [];
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Connection {Connection} did not list its models: {Reason}", connection.Name, e.Message);
            return [];
        }
    }
}

public sealed record ModelList(string Object, List<ModelEntry> Data);

public sealed record ModelEntry(string Id, string? Object, long? Created, string? OwnedBy);
