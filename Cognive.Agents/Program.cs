var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.UseProblemDetailsForErrors();
app.MapDefaultEndpoints();

app.Run();
