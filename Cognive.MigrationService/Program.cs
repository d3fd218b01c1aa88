using Cognive.Data;
using Cognive.MigrationService;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<CogniveDbContext>("cognive");
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<AdminBootstrap>();
builder.Services.AddSingleton<SwarmBootstrap>();
builder.Services.AddSingleton<AuditAnchors>();
builder.Services.AddHostedService<DatabaseMigrator>();

builder.Build().Run();
