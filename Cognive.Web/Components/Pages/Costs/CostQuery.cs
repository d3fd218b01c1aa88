namespace Cognive.Web.Components.Pages.Costs;

/// <summary>
/// The cost-trends explorer's question (period, bucket, grouping, and a filter by agent, provider or model) as the query
/// string both the API's JSON and the console's CSV download take.
/// </summary>
public sealed class CostQuery
{
    public static readonly string[] Periods = ["24h", "7d", "30d"];
    public static readonly string[] Buckets = ["hour", "day"];
    public static readonly string[] Groupings = ["model", "agent", "provider"];

    public string Period { get; set; } = "7d";
    public string Bucket { get; set; } = "day";
    public string GroupBy { get; set; } = "model";
    public Guid? AgentId { get; set; }
    public string Provider { get; set; } = "";
    public string Model { get; set; } = "";

    public string QueryString()
    {
        var query = $"period={Uri.EscapeDataString(Period)}&bucket={Uri.EscapeDataString(Bucket)}&group_by={Uri.EscapeDataString(GroupBy)}";
        query += AgentId is { } agent ? $"&agent_id={agent}" : "";
        query += Provider.Trim() is { Length: > 0 } provider ? $"&provider={Uri.EscapeDataString(provider)}" : "";
        query += Model.Trim() is { Length: > 0 } model ? $"&model={Uri.EscapeDataString(model)}" : "";
        return query;
    }
}
