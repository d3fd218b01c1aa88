using Cognive.Client.Api;

namespace Cognive.Client.Reporting;

/// <summary>What the queue holds: a call, or the end of a run (queued behind its calls, so none arrives after the end).</summary>
internal readonly record struct Outgoing(LlmCall Call, RunEnd? End);

internal sealed record RunEnd(Guid RunId, RunStatus Status, string? Error);

/// <summary>What the reporter has done so far: every report queued is at last sent, rejected, dropped or lost.</summary>
/// <param name="Queued">Reports handed to the queue (calls and run ends).</param>
/// <param name="Pending">Reports waiting in the queue now.</param>
/// <param name="Sent">Calls the API accepted.</param>
/// <param name="Rejected">Calls (and run ends) the API refused as invalid; each was logged.</param>
/// <param name="Dropped">Reports dropped, oldest first, because the queue was full.</param>
/// <param name="Lost">Reports not sent when the reporter stopped (its flush deadline passed).</param>
/// <param name="Retries">Sends that failed and were tried again.</param>
public readonly record struct ReporterStatistics(long Queued, long Pending, long Sent, long Rejected, long Dropped, long Lost, long Retries);
