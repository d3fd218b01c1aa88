using Cognive.RateLimits;
using Cognive.SwarmQueen;
using Cognive.SwarmQueen.Quotas;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSwarmQueenServices();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseRateLimits();
app.UseRequestBodyQuota();
app.UseAuthorization();
app.MapSwarmEndpoints();

app.Run();
