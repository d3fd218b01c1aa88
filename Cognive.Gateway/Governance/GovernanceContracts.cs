namespace Cognive.Gateway.Governance;

public sealed record RunAnswer(Guid RunId, Guid AgentId, string? Status);

public sealed record StartRunBody(Guid AgentId, RunMetadata Metadata);

public sealed record RunMetadata(string StartedBy);
