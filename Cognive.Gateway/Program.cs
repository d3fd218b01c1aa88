using Cognive.Gateway;
using Cognive.Gateway.OpenAi;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapOpenAiEndpoints();
// Other wire formats map beside it, each one extension method (OTLP/HTTP: POST /v1/traces).

app.Run();
