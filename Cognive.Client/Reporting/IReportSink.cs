using Cognive.Client.Api;

namespace Cognive.Client.Reporting;

/// <summary>Where the reporter sends: the API (<see cref="CogniveApi"/>), or a stand-in in unit tests.</summary>
internal interface IReportSink
{
    Task<BatchResult> SendCallsAsync(IReadOnlyList<LlmCall> calls, CancellationToken ct);

    Task EndRunAsync(RunEnd end, CancellationToken ct);
}
