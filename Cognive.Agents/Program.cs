using Cognive.Agents.Swarm;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddHttpClient();
builder.AddSwarmMember();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();

app.Run();
