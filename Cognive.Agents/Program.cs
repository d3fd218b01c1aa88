using Cognive.Agents.Specialists;
using Cognive.Agents.Swarm;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddHttpClient();
builder.AddSpecialists();
builder.Services.AddHostedService<SwarmMember>();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();

app.Run();
