using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Cognive.Bench;
using Npgsql;

// The ingestion benchmark: see README ("Benchmarks"). Options: --duration <s> per load phase (20), --agents <n> (64),
// --batch <n> events per batch (500), --sustained <events/s> for the paced batch phase (20,000), --trend-calls <n> calls behind the cost-trends query (10,000,000).
// A first argument picks another benchmark instead: `governance` the budget-check and governance overhead (bench/governance.sh);
// `swarm` the queen's (bench/swarm.sh); `gateway` what the OpenAI-compatible gateway adds (bench/gateway.sh); `otlp` OTLP
// span ingestion through the gateway (bench/otlp.sh, --exporters <n> (8)); `console` the console's (bench/console.sh,
// --trend-calls is the calls seeded); `sdk` what the .NET SDK's UseCognive costs a caller (bench/sdk.sh); `exec <command>
// [args]` runs a command against a booted Cognive (bench/sdk-python.sh); `relay <upstream>` is the gateway benchmark's
// bare relay (BareRelay), started by that benchmark as a child process.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;
if (BareRelay.IsRelayMode(args))
{
    await BareRelay.RunAsync(args[1], ct);
    return;
}

var options = BenchOptions.Parse(args);

if (args.FirstOrDefault() == "exec")
{
    await using var execApp = await BenchApp.StartAsync(ct);
    Environment.ExitCode = await ExecBench.RunAsync(execApp, args[1..], ct);
    return;
}

var exporters = int.Parse(args.SkipWhile(a => a != "--exporters").Skip(1).FirstOrDefault() ?? "8", CultureInfo.InvariantCulture);
Func<BenchApp, Task>? otherBenchmark = args.FirstOrDefault() switch
{
    "swarm" => app => SwarmBench.RunAsync(app, options.Duration, ct),
    "governance" => app => GovernanceBench.RunAsync(app, options.Duration, ct),
    "gateway" => app => GatewayBench.RunAsync(app, options.Duration, ct),
    "otlp" => app => OtlpBench.RunAsync(app, options.Duration, exporters, ct),
    "console" => app => ConsoleBench.RunAsync(app, options.TrendCalls, ct),
    "sdk" => app => SdkBench.RunAsync(app, options.Duration, ct),
    _ => null,
};
if (otherBenchmark is not null)
{
    Report.Line($"Cognive {args[0]} benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
    Report.Line("Telemetry: no dashboard, no OTLP export of the services' own traces.");
    await using var otherApp = await BenchApp.StartAsync(ct);
    await using var otherSampler = new ProcessSampler();
    await otherBenchmark(otherApp);
    Report.PeakMemory(otherSampler);
    return;
}

Report.Line($"Cognive ingestion benchmark — {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");
Report.Line("Telemetry: no dashboard, no OTLP export (services keep in-process metrics and their Prometheus endpoint only).");
var boot = Stopwatch.StartNew();
await using var app = await BenchApp.StartAsync(ct);
// The API's own process, past DCP's proxy (as a cluster's service routes to a pod): the local proxy cost a fifth of a core.
var apiAddress = await app.DirectAddressAsync("Cognive.ApiService", ct);
Report.Line($"Booted in {boot.Elapsed.TotalSeconds:F1} s; API at {apiAddress} (its process, past DCP's proxy)");
await using var sampler = new ProcessSampler();

var (key, teamId) = await app.CreateTeamAsync(ct);
using var client = app.CreateClient(key, apiAddress);
var runs = new List<Guid>();
for (var i = 0; i < options.Agents; i++)
{
    using var agent = await client.PostAsJsonAsync("/api/v1/agents", new { name = $"agent-{i}", framework = "bench" }, ct);
    var agentId = (await agent.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("agent_id").GetGuid();
    using var run = await client.PostAsJsonAsync("/api/v1/runs/start", new { agent_id = agentId }, ct);
    runs.Add((await run.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("run_id").GetGuid());
}

var database = await app.ConnectionStringAsync("cognive", ct);
var messaging = await app.ConnectionStringAsync("rabbitmq", ct);
var load = new IngestionLoad(client, runs);

Report.Section("Ceilings on this machine");
var copyCeiling = await Ceilings.CopyRowsPerSecondAsync(database, 300_000, ct);
Report.Line($"raw binary COPY into llm_calls:            {copyCeiling,12:N0} rows/s");
var publishCeiling = await Ceilings.ConfirmedPublishesPerSecondAsync(messaging, 100_000, ct);
Report.Line($"raw RabbitMQ publishes with confirms:      {publishCeiling,12:N0} msgs/s");

await load.RunClosedLoopAsync(16, 1, TimeSpan.FromSeconds(5), ct);

// What a post costs beyond any request: the same clients asking who they are, which takes the key's authentication and the
// rate limit's Redis call (as a post does) and answers from the caller's claims (where a post checks, publishes and waits).
Report.Section($"Ceiling: the cheapest authenticated request (GET /api/v1/auth/me), {options.Agents} clients, closed loop, {options.Duration.TotalSeconds:F0} s");
var ((asked, askedLatencies, _), askedSeconds, askedCores) = await Phase.WithCpuAsync(() =>
    ClosedLoop.RunAsync(options.Agents, options.Duration, (_, _) => client.GetAsync("/api/v1/auth/me", ct), ct));
var requestCeiling = asked / askedSeconds;
Report.Line($"answered: {requestCeiling,10:N0} requests/s; latency {askedLatencies.Summary()}");
Phase.PrintCpu(askedCores);

Report.Section($"Single-event posts: {options.Agents} agents, closed loop, {options.Duration.TotalSeconds:F0} s");
var single = await Phase.RunAsync(load, () => load.RunClosedLoopAsync(options.Agents, 1, options.Duration, ct));
Report.Line($"accepted: {single.EventsPerSecond,10:N0} posts/s ({single.EventsPerSecond / requestCeiling:P0} of the cheapest request, " +
    $"{single.EventsPerSecond / publishCeiling:P0} of the publish ceiling)");
Report.Line($"latency:  {single.Latencies.Summary()}");
single.PrintCpu();

// Paced once the closed loop's calls are stored, so the tail measured is the posts', not the workers' backlog's.
await StoredCalls.WaitUntilAsync(database, teamId, load.AcceptedEvents, ct);
Report.Section("Single-event posts at a fixed 1,000 posts/s, 10 s");
var (pacedConfirms, _, confirmCores) = await Phase.WithCpuAsync(() => Ceilings.PacedConfirmLatenciesAsync(messaging, 1000, TimeSpan.FromSeconds(10), ct));
Report.Line($"ceiling, raw one-message confirmed publishes at 1,000/s: {pacedConfirms.Summary()}");
Phase.PrintCpu(confirmCores);
var paced = await Phase.RunAsync(load, () => load.RunFixedRateAsync(1000, 1, TimeSpan.FromSeconds(10), ct));
Report.Line($"accepted: {paced.EventsPerSecond,10:N0} posts/s; latency {paced.Latencies.Summary()}");
paced.PrintCpu();

await StoredCalls.WaitUntilAsync(database, teamId, load.AcceptedEvents, ct);
var saturated = await BatchPhaseAsync($"Batches of {options.BatchSize}: {options.Agents / 4} agents, closed loop (saturation), {options.Duration.TotalSeconds:F0} s",
    () => load.RunClosedLoopAsync(Math.Max(1, options.Agents / 4), options.BatchSize, options.Duration, ct));
var sustained = await BatchPhaseAsync($"Batches of {options.BatchSize} at a fixed {options.SustainedEventsPerSecond:N0} events/s, {options.Duration.TotalSeconds:F0} s",
    () => load.RunFixedRateAsync(options.SustainedEventsPerSecond / options.BatchSize, options.BatchSize, options.Duration, ct));
Report.Line($"\nrefused requests over all phases: {load.RefusedRequests}");

Report.Section($"Cost trends over {options.TrendCalls:N0} calls (30 days, 10 agents, 5 models)");
var (trendKey, trendTeam) = await app.CreateTeamAsync(ct);
using var trendClient = app.CreateClient(trendKey, apiAddress);
var seeding = Stopwatch.StartNew();
await TrendQuery.SeedAsync(database, trendTeam, options.TrendCalls, ct);
Report.Line($"seeded and vacuumed in {seeding.Elapsed.TotalSeconds:F0} s");
var (uncached, cached) = await TrendQuery.TimeAsync(trendClient, await app.ConnectionStringAsync("redis", ct), trendTeam, 100, ct);
Report.Line($"GET cost-trends?period=30d&bucket=day&group_by=model, uncached: {uncached.Summary()}");
Report.Line($"the same, from the Redis cache:                              {cached.Summary()}");

Report.Section("Against the targets");
Report.Line($"end to end with batches: {sustained:N0} events/s durable at the paced rate, {saturated:N0} events/s at saturation (target ≥ 20,000)");
Report.Line($"single-event posts: {single.EventsPerSecond:N0} posts/s (target ≥ 6,000; the cheapest authenticated request {requestCeiling:N0}/s); at 1,000 posts/s p99 {paced.Latencies.Percentile(99):F1} ms (target < 20 ms; RabbitMQ's own confirm p99 {pacedConfirms.Percentile(99):F1} ms)");
Report.Line($"cost trends over {options.TrendCalls:N0} calls, uncached p99: {uncached.Percentile(99):F1} ms (target < 50 ms)");

Report.PeakMemory(sampler);

async Task<double> BatchPhaseAsync(string title, Func<Task<Latencies>> drive)
{
    var started = DateTimeOffset.UtcNow;
    var storedBefore = await StoredCalls.CountAsync(database, teamId, ct);
    Report.Section(title);
    var phase = await Phase.RunAsync(load, drive);
    var (drained, drainSeconds, drainCores) = await Phase.WithCpuAsync(() => StoredCalls.WaitUntilAsync(database, teamId, load.AcceptedEvents, ct));
    var durable = (drained.Stored - storedBefore) / (drained.At - started).TotalSeconds;
    Report.Line($"accepted: {phase.EventsPerSecond,10:N0} events/s; batch post latency {phase.Latencies.Summary()}");
    Report.Line($"durable:  {durable,10:N0} events/s in PostgreSQL, phase start to last stored ({durable / copyCeiling:P0} of the COPY ceiling)");
    Report.Line($"lag 202 → stored: {await LagAsync(database, teamId, started, ct)}");
    phase.PrintCpu();
    Phase.PrintCpu(drainCores, $" from the phase's end until all stored, {drainSeconds:F1} s");
    return durable;
}

static async Task<string> LagAsync(string database, Guid teamId, DateTimeOffset from, CancellationToken ct)
{
    await using var db = NpgsqlDataSource.Create(database);
    await using var command = db.CreateCommand("""
        SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - received_at) * 1000)
        FROM llm_calls WHERE team_id = $1 AND received_at >= $2
        """);
    command.Parameters.Add(new() { Value = teamId });
    command.Parameters.Add(new() { Value = from });
    var p = (double[])(await command.ExecuteScalarAsync(ct))!;
    return string.Create(CultureInfo.InvariantCulture, $"p50 {p[0]:F0} ms, p95 {p[1]:F0} ms, p99 {p[2]:F0} ms");
}
