using Microsoft.Extensions.Configuration;
using Cognive.Hosting;
using Cognive.Hosting.Kubernetes;

const string ReadinessPath = "/health/readiness";

var builder = DistributedApplication.CreateBuilder(args);

var servers = builder.AddCogniveServers();
builder.AddCognivePublishing();
builder.FailFastOnBusyPorts();

var migrations = builder.AddProject<Projects.Cognive_MigrationService>("migrations")
    .WithReference(servers.Database).WaitFor(servers.Database)
    .WithBootstrapKeyFile(servers)
    .WithSwarmKeyFile(servers, "Cognive__SwarmKeyFile");

var jwtSigningKey = builder.AddSharedSecret(servers, "jwt-signing-key");

var api = builder.AddProject<Projects.Cognive_ApiService>("api")
    .WithReplicas(builder.Configuration.GetValue("Cognive:ApiReplicas", 1))
    .WithExternalHttpEndpoints()
    .WithEnvironment("Cognive__Jwt__SigningKey", jwtSigningKey)
    .WithReference(servers.Database).WaitForCompletion(migrations)
    .WithReference(servers.Redis).WaitFor(servers.Redis)
    .WithReference(servers.Messaging).WaitFor(servers.Messaging)
    .WithHttpHealthCheck(ReadinessPath);

builder.AddProject<Projects.Cognive_Workers>("workers")
    .WithSmtpSettings(builder.Configuration)
    .WithLocalWebhookReceivers()
    .WithReference(servers.Database).WaitForCompletion(migrations)
    .WithReference(servers.Redis).WaitFor(servers.Redis)
    .WithReference(servers.Messaging).WaitFor(servers.Messaging)
    .WithHttpHealthCheck(ReadinessPath);

var swarmQueen = builder.AddProject<Projects.Cognive_SwarmQueen>("swarm-queen")
    .WithReference(servers.Database).WaitForCompletion(migrations)
    .WithReference(servers.Redis).WaitFor(servers.Redis)
    .WithReference(api)
    .WithHttpHealthCheck(ReadinessPath);

builder.AddProject<Projects.Cognive_Agents>("agents")
    .WithReplicas(2)
    .WithSwarmKeyFile(servers, "Cognive__Agents__ApiKeyFile")
    .WithReference(api).WaitFor(api)
    .WithReference(swarmQueen).WaitFor(swarmQueen)
    .WithHttpHealthCheck(ReadinessPath);

builder.Build().Run();
