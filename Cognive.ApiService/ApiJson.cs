using System.Text.Json.Serialization;
using Cognive.ApiService.Agents;
using Cognive.ApiService.Analytics;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Budgets;
using Cognive.ApiService.LlmCalls;
using Cognive.ApiService.Runs;

namespace Cognive.ApiService;

/// <summary>Source-generated JSON for the hot paths (ingestion, runs, cached reads); other types fall back to reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LlmCallRequest))]
[JsonSerializable(typeof(LlmCallBatchRequest))]
[JsonSerializable(typeof(AcceptedCall))]
[JsonSerializable(typeof(BatchResult))]
[JsonSerializable(typeof(StoredCallPage))]
[JsonSerializable(typeof(StartRunRequest))]
[JsonSerializable(typeof(StartRunResponse))]
[JsonSerializable(typeof(EndRunRequest))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(RunPage))]
[JsonSerializable(typeof(CachedAgent))]
[JsonSerializable(typeof(RunOwner))]
[JsonSerializable(typeof(StoredKey))]
[JsonSerializable(typeof(CostTrends))]
[JsonSerializable(typeof(CostSummary))]
[JsonSerializable(typeof(Overview))]
[JsonSerializable(typeof(BudgetCheckRequest))]
[JsonSerializable(typeof(BudgetCheckResponse))]
internal sealed partial class ApiJson : JsonSerializerContext;
