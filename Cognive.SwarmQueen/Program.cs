using Cognive.SwarmQueen;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSwarmQueenServices();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();
app.UseAuthentication();
app.UseAuthorization();
app.MapSwarmEndpoints();

app.Run();
