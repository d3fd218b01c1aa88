namespace Cognive.Governance.Policies;

public sealed record PolicyView(Guid Id, Guid? AgentId, string Name, string[]? AllowedProviders, string[]? AllowedModels,
    int? MaxTokensPerCall, int? MaxCallsPerMinute, int? ActiveFromHour, int? ActiveToHour);
