using Cognive.Agents.Handlers;
using Cognive.Agents.Swarm;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddHttpClient();
builder.Services.AddSingleton<ITaskHandler, NoopHandler>();
builder.Services.AddSingleton<ITaskHandler, PricingHandler>();
builder.Services.AddHostedService<SwarmMember>();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();

app.Run();
