namespace Cognive.Web.Components.Pages.Agents;

/// <summary>The agents list's filters as the API's query string: search by part of the name, status, framework.</summary>
public sealed class AgentQuery
{
    public const int PageSize = 25;

    public string Search { get; set; } = "";
    public string Status { get; set; } = "active";
    public string Framework { get; set; } = "";

    public string Path()
    {
        var query = $"/api/v1/agents?limit={PageSize}";
        query += Search.Trim() is { Length: > 0 } q ? $"&q={Uri.EscapeDataString(q)}" : "";
        query += Status is { Length: > 0 } s ? $"&status={Uri.EscapeDataString(s)}" : "";
        query += Framework.Trim() is { Length: > 0 } f ? $"&framework={Uri.EscapeDataString(f)}" : "";
        return query;
    }
}
