using Cognive.Web.Api;
using Cognive.Web.SignIn;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cognive.Web.Components.Pages.Costs;

/// <summary>
/// The Costs page's "Export CSV" link: the browser asks the console with its cookie, the console asks the API's
/// <c>/analytics/cost-trends.csv</c> with the person's access token (which never reaches the browser) and passes the
/// CSV through as it streams in.
/// </summary>
public static class CostExport
{
    public const string Path = "/costs/export.csv";

    public static IEndpointRouteBuilder MapCostExport(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, ExportAsync).RequireAuthorization();
        return endpoints;
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> ExportAsync(HttpContext http, ConsoleSessions sessions,
        IHttpClientFactory clients, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            var token = await sessions.AccessTokenAsync(ConsoleCaller.From(http.User).SessionId, ct);
            using var request = ApiExchange.Request(HttpMethod.Get, $"/api/v1/analytics/cost-trends.csv{http.Request.QueryString}", token, null);
            response = await ApiExchange.SendAsync(clients.CreateClient(nameof(CogniveApi)), request, "API", HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (ApiProblemException e)
        {
            return TypedResults.Problem(title: e.Problem.Title, detail: e.Problem.Detail, statusCode: e.Problem.Status, type: e.Problem.Type);
        }

        http.Response.RegisterForDispose(response);
        var name = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName ?? "cost-trends.csv";
        return TypedResults.Stream(await response.Content.ReadAsStreamAsync(ct), "text/csv; charset=utf-8", name.Trim('"'));
    }
}
