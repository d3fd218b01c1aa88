using System.Text.Json;

namespace Cognive.Web.Api;

/// <summary>The API's wire format: snake_case JSON (DESIGN.md, wire conventions).</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
    };
}
