using Cognive.Data.Access;

namespace Cognive.Gateway.OpenAi;

/// <summary>OpenAI's wire format under <c>/v1</c>: any OpenAI SDK pointed at the gateway works unchanged.</summary>
public static class OpenAiEndpoints
{
    public static WebApplication MapOpenAiEndpoints(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization(Permissions.TelemetryWrite).WithTags("OpenAI");
        v1.MapPost("/chat/completions", (HttpContext http, GatewayCalls calls) => calls.HandleAsync(http, Operation.Chat));
        v1.MapPost("/embeddings", (HttpContext http, GatewayCalls calls) => calls.HandleAsync(http, Operation.Embeddings));
        v1.MapGet("/models", (HttpContext http, ModelCatalog catalog) => catalog.ListAsync(http));
        return app;
    }
}
