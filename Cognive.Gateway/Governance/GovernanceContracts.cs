namespace Cognive.Gateway.Governance;

public sealed record RunAnswer(Guid RunId, Guid AgentId, string? Status);


