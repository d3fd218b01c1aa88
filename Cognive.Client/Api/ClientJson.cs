using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cognive.Client.Api;

/// <summary>The API's wire format (snake_case, nulls left out), source-generated: no reflection on any path.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Agent))]
[JsonSerializable(typeof(AgentPage))]
[JsonSerializable(typeof(RegisterAgent))]
[JsonSerializable(typeof(StartRunRequest))]
[JsonSerializable(typeof(StartedRun))]
[JsonSerializable(typeof(EndRunRequest))]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(RunPage))]
[JsonSerializable(typeof(LlmCall))]
[JsonSerializable(typeof(LlmCallBatch))]
[JsonSerializable(typeof(AcceptedCall))]
[JsonSerializable(typeof(BatchResult))]
[JsonSerializable(typeof(StoredCallPage))]
[JsonSerializable(typeof(BudgetCheck))]
[JsonSerializable(typeof(BudgetCheckResult))]
[JsonSerializable(typeof(List<Policy>))]
[JsonSerializable(typeof(Policy))]
[JsonSerializable(typeof(CostTrends))]
[JsonSerializable(typeof(CostSummary))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ClientJson : JsonSerializerContext;
