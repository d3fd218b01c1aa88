using Cognive.Data.Access;

namespace Cognive.Gateway.OpenAi;

/// <summary>OpenAI's wire format under <c>/v1</c>: any OpenAI SDK pointed at the gateway works unchanged.</summary>
public static class OpenAiEndpoints
{
    public static WebApplication MapOpenAiEndpoints(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization();
        v1.MapGet("/models", () => TypedResults.Ok(new { @object = "list", data = Array.Empty<object>() }))
            .RequireAuthorization(Permissions.TelemetryWrite);
        return app;
    }
}
