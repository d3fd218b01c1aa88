using System.Text.Json.Serialization;

namespace Cognive.Ingestion;

/// <summary>Source-generated JSON for the queue's messages: the hot path serialises them without reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LlmCallMessage))]
public sealed partial class IngestionJson : JsonSerializerContext;
