using Cognive.Workers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddWorkerServices();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();

app.Run();
