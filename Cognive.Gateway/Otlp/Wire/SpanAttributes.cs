namespace Cognive.Gateway.Otlp.Wire;

/// <summary>
/// The attributes of a span or resource that Cognive maps, by their OpenTelemetry names (GenAI semantic conventions
/// and Cognive's own <c>cognive.agent_id</c>). Every other attribute is skipped while decoding, so a span costs what
/// Cognive reads of it, not what the instrumentation put on it.
/// </summary>
public sealed class SpanAttributes
{
    public const string OperationNameKey = "gen_ai.operation.name";
    public const string ProviderNameKey = "gen_ai.provider.name";
    public const string SystemKey = "gen_ai.system";
    public const string ResponseModelKey = "gen_ai.response.model";
    public const string RequestModelKey = "gen_ai.request.model";
    public const string InputTokensKey = "gen_ai.usage.input_tokens";
    public const string OutputTokensKey = "gen_ai.usage.output_tokens";
    public const string CacheReadTokensKey = "gen_ai.usage.cache_read.input_tokens";
    public const string CacheCreationTokensKey = "gen_ai.usage.cache_creation.input_tokens";
    public const string CacheWriteTokensKey = "gen_ai.usage.cache_write.input_tokens";
    public const string AgentIdKey = "cognive.agent_id";
    public const string ServiceNameKey = "service.name";

    public string? OperationName { get; private set; }
    public string? ProviderName { get; private set; }
    public string? System { get; private set; }
    public string? ResponseModel { get; private set; }
    public string? RequestModel { get; private set; }
    public long? InputTokens { get; private set; }
    public long? OutputTokens { get; private set; }
    public long? CacheReadTokens { get; private set; }
    public long? CacheWriteTokens { get; private set; }
    public string? AgentId { get; private set; }
    public string? ServiceName { get; private set; }

    /// <summary>Whether the decoder should read the value of an attribute with this key at all.</summary>
    public static bool IsKnown(string key) => key switch
    {
        OperationNameKey or ProviderNameKey or SystemKey or ResponseModelKey or RequestModelKey or InputTokensKey
            or OutputTokensKey or CacheReadTokensKey or CacheCreationTokensKey or CacheWriteTokensKey or AgentIdKey
            or ServiceNameKey => true,
        _ => false,
    };

    public void Set(string key, AttributeValue value)
    {
        switch (key)
        {
            case OperationNameKey: OperationName = value.AsText(); break;
            case ProviderNameKey: ProviderName = value.AsText(); break;
            case SystemKey: System = value.AsText(); break;
            case ResponseModelKey: ResponseModel = value.AsText(); break;
            case RequestModelKey: RequestModel = value.AsText(); break;
            case InputTokensKey: InputTokens = value.AsCount(); break;
            case OutputTokensKey: OutputTokens = value.AsCount(); break;
            case CacheReadTokensKey: CacheReadTokens = value.AsCount(); break;
            // Both spellings name the same count; semantic conventions renamed cache_creation to cache_write.
            case CacheCreationTokensKey or CacheWriteTokensKey: CacheWriteTokens = value.AsCount(); break;
            case AgentIdKey: AgentId = value.AsText(); break;
            case ServiceNameKey: ServiceName = value.AsText(); break;
        }
    }
}

/// <summary>An AnyValue of the scalar kinds (arrays, maps and bytes are never read).</summary>
public readonly record struct AttributeValue(string? Text, long? Integer, double? Real, bool? Flag)
{
    public string? AsText() => Text ?? Integer?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A token count, whatever scalar an exporter chose: an int, a whole double, or digits in a string.</summary>
    public long? AsCount() => this switch
    {
        { Integer: { } whole } => whole,
        { Real: { } real } when real == Math.Floor(real) && Math.Abs(real) < 9e15 => (long)real,
        { Text: { } text } when long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign,
            System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };
}
