using Cognive.SwarmQueen;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSwarmQueenServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();

app.Run();
