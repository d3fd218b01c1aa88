using Cognive.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddConsole();

var app = builder.Build();

app.UseConsole();
app.MapDefaultEndpoints();
app.MapConsole();

app.Run();
