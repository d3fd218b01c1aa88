using System.Text.Json.Serialization;
using Cognive.Gateway.Governance;
using Cognive.Gateway.OpenAi;
using Cognive.Ingestion;

namespace Cognive.Gateway;

/// <summary>Source-generated JSON for what the gateway writes and reads on every call (snake_case, as OpenAI and the API).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(RunAnswer))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(CallMetadata))]
[JsonSerializable(typeof(LlmCallEvent))]
public sealed partial class GatewayJson : JsonSerializerContext;
