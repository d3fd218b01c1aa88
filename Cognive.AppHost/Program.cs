using Microsoft.Extensions.Configuration;
using Cognive.Hosting;
using Cognive.Hosting.Kubernetes;
using Cognive.Hosting.Publishing;
using Cognive.Hosting.Swarm;

const string ReadinessPath = "/health/readiness";

var builder = DistributedApplication.CreateBuilder(args);

var servers = builder.AddCogniveServers();
builder.AddCognivePublishing();
builder.AddServiceEnvironmentRules();
builder.DropOtlpExportWithoutDashboard();
builder.ReportHealthPromptly();
builder.AddManifestReplicas();
builder.FailFastOnBusyPorts();

// Seals audit records and signs their checkpoints; outside the database, so a database superuser cannot reseal a change.
var auditSigningKey = builder.AddSharedSecret(servers, "audit-signing-key");
var swarmKey = SwarmKey.Add(builder, servers);

// The services start beside it and report ready once the schema is current (Cognive.Data's SchemaGate), as in Kubernetes.
var migrations = builder.AddProject<Projects.Cognive_MigrationService>("migrations")
    .WithEnvironment("Cognive__Audit__SigningKey", auditSigningKey)
    .WithReference(servers.Database).WaitFor(servers.Database)
    .WithBootstrapKeyFile(servers)
    .WithSwarmKey(swarmKey, fileVariable: "Cognive__SwarmKeyFile", keyVariable: "Cognive__Swarm__AgentKey")
    .StaysUpInTheAspireManifest();

var jwtSigningKey = builder.AddSharedSecret(servers, "jwt-signing-key");
// Encrypts the upstream keys of provider connections; outside the database, so a copy of the database holds no usable key.
var providerKeyEncryptionKey = builder.AddSharedSecret(servers, "provider-key-encryption-key");

var api = builder.AddProject<Projects.Cognive_ApiService>("api")
    .WithReplicas(builder.Configuration.GetValue("Cognive:ApiReplicas", 1))
    .WithPublicRoutes("/api", "/openapi", "/docs")
    .WithAutoscaling(minReplicas: 3, maxReplicas: 20)
    .WithEnvironment("Cognive__Jwt__SigningKey", jwtSigningKey)
    .WithSettings(builder.Configuration, "Cognive:SignIn")
    .WithSettings(builder.Configuration, "Cognive:Network")
    .WithEnvironment("Cognive__Audit__SigningKey", auditSigningKey)
    .WithEnvironment("Cognive__Providers__EncryptionKey", providerKeyEncryptionKey)
    .WithReference(servers.Database).WaitFor(servers.Database)
    .WithReference(servers.Redis).WaitFor(servers.Redis)
    .WithReference(servers.Messaging).WaitFor(servers.Messaging)
    .WithHttpHealthCheck(ReadinessPath);

// OpenAI's wire format in front of the team's providers: credentials and runs through the api; budgets and policies
// checked in its own process (Cognive.Governance) over the database and Redis, per-key rates in Redis.
builder.AddProject<Projects.Cognive_Gateway>("gateway")
    .WithPublicRoutes("/v1")
    .WithAutoscaling(minReplicas: 3, maxReplicas: 20)
    .WithSettings(builder.Configuration, "Cognive:Gateway")
    .WithCallSpool(servers)
    .WithEnvironment("Cognive__Providers__EncryptionKey", providerKeyEncryptionKey)
    .WithEnvironment("Cognive__Audit__SigningKey", auditSigningKey)
    .WithReference(servers.Database).WaitFor(servers.Database)
    .WithReference(servers.Redis).WaitFor(servers.Redis)
    .WithReference(servers.Messaging).WaitFor(servers.Messaging)
    .WithReference(api)
    .WithHttpHealthCheck(ReadinessPath);

builder.AddProject<Projects.Cognive_Workers>("workers")
    .WithReplicas(builder.Configuration.GetValue("Cognive:WorkerReplicas", 1))
    .WithQueueScaling("cognive.llm-calls") // the ingestion queue (Cognive.Ingestion.IngestionTopology)
    .WithSmtpSettings(builder.Configuration)
    .WithSettings(builder.Configuration, "Cognive:Webhooks")
    .WithLocalWebhookReceivers()
    .WithReference(servers.Database).WaitFor(servers.Database)
    .WithReference(servers.Redis).WaitFor(servers.Redis)
    .WithReference(servers.Messaging).WaitFor(servers.Messaging)
    .WithHttpHealthCheck(ReadinessPath);

var swarmQueen = builder.AddProject<Projects.Cognive_SwarmQueen>("swarm-queen")
    .WithSettings(builder.Configuration, "Cognive:Swarm")
    .WithEnvironment("Cognive__Audit__SigningKey", auditSigningKey)
    .WithReference(servers.Database).WaitFor(servers.Database)
    .WithReference(servers.Redis).WaitFor(servers.Redis)
    .WithReference(api)
    .WithHttpHealthCheck(ReadinessPath);

// The console for people: it talks to the api and the queen over HTTP only, as the signed-in person.
builder.AddProject<Projects.Cognive_Web>("web")
    .WithPublicRoutes("/")
    .WithSettings(builder.Configuration, "Cognive:Console")
    .WithSettings(builder.Configuration, "Cognive:Network")
    .WithReference(api)
    .WithReference(swarmQueen)
    .WithHttpHealthCheck(ReadinessPath);

// The agent kind "agents": its replicas, and (locally) a spare the queen starts when recovery scales the kind up.
IResourceBuilder<ProjectResource> Agents(string name) => builder.AddProject<Projects.Cognive_Agents>(name)
    .WithEnvironment("Cognive__Agents__Kind", "agents")
    .WithSettings(builder.Configuration, "Cognive:Agents")
    .WithSwarmKey(swarmKey, fileVariable: "Cognive__Agents__ApiKeyFile", keyVariable: "Cognive__Agents__ApiKey")
    .WaitForCompletion(migrations) // the swarm's key, which the migrations issue
    .WithReference(api).WaitFor(api)
    .WithReference(swarmQueen).WaitFor(swarmQueen)
    .WithHttpHealthCheck(ReadinessPath);

var agents = Agents("agents").WithReplicas(builder.Configuration.GetValue("Cognive:AgentReplicas", 2));
// The spare shares the project's launch profile: its endpoint gets a free port rather than the replicas' 5383.
var spareAgents = builder.ExecutionContext.IsRunMode
    ? Agents("agents-spare").WithExplicitStart().WithEndpoint("http", endpoint => endpoint.Port = null)
    : null;
var agentKind = new SwarmKind("agents", agents.Resource, spareAgents?.Resource);
swarmQueen.WithSwarmControl(agentKind);
// The installation's own kinds belong to the swarm team the migrations keep; an operator grants others.
migrations.WithSwarmKinds(agentKind);

builder.Build().Run();
