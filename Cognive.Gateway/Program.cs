using Cognive.Gateway;
using Cognive.Gateway.OpenAi;
using Cognive.Gateway.Otlp;
using Cognive.RateLimits;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();
builder.AddOtlpIngestion();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseRateLimits();
app.UseAuthorization();
app.MapOpenAiEndpoints();
app.MapOtlpEndpoints();

app.Run();
