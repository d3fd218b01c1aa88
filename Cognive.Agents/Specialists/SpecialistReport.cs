using System.Text.Json;
using Cognive.Agents.Swarm;
using Microsoft.Extensions.AI;

namespace Cognive.Agents.Specialists;

/// <summary>
/// The result every specialist returns: its findings, a model's short summary of them (asked through
/// a chat client wrapped with Cognive's <c>UseCognive</c>, so under the swarm's budgets and reported as a call of the
/// task's run), the call's usage, and what was examined.
/// </summary>
public sealed class SpecialistReport(IChatClient chat)
{
    public const int SummaryTokens = 200;

    /// <summary>Results and the API's answers are snake_case JSON.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public async Task<object> BuildAsync(string specialist, IReadOnlyList<Finding> findings, object examined, TaskContext context,
        CancellationToken ct)
    {
        var prompt = findings.Count == 0
            ? "No findings."
            : $"{findings.Count} finding(s):\n{string.Join("\n", findings.Select(f => $"- {f.Description}"))}";
        var answer = await chat.GetResponseAsync(
        [
            new ChatMessage(ChatRole.System, $"You are Cognive's {specialist} specialist. Summarise these findings for the team's " +
                "operators in at most three sentences, the most serious first."),
            new ChatMessage(ChatRole.User, prompt),
        ], new ChatOptions { MaxOutputTokens = SummaryTokens }, ct);
        var metadata = chat.GetService<ChatClientMetadata>();
        // Serialised here, with the runtime type of each finding: the agent posts results with camelCase defaults.
        return JsonSerializer.SerializeToElement(new
        {
            findings = findings.Cast<object>(), summary = answer.Text, examined,
            llm = new
            {
                Provider = metadata?.ProviderName, Model = metadata?.DefaultModelId ?? answer.ModelId,
                InputTokens = answer.Usage?.InputTokenCount ?? 0, OutputTokens = answer.Usage?.OutputTokenCount ?? 0,
            },
        }, Json);
    }
}
