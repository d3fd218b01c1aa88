using Cognive.ApiService;
using Cognive.RateLimits;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiServices();

var app = builder.Build();

app.UseTrustedProxies();
app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseRateLimits();
app.UseAuthorization();
app.MapApiEndpoints();

app.Run();
