using System.Net;
using System.Text.Json;
using Cognive.Client.Api;
using Cognive.Client.Hosting;
using Cognive.Client.Reporting;
using Cognive.Client.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cognive.Client;

/// <summary>
/// Cognive for an agent: runs (ambient, <see cref="StartRunAsync"/>), budget checks that fail open or closed as set when
/// Cognive is away, non-blocking call reports (<see cref="Report"/>), and the typed <see cref="Api"/> for the rest.
/// Registered by <c>AddCogniveClient</c>; one per process.
/// </summary>
public sealed class CogniveClient(CogniveApi api, CallReporter reporter, IOptions<CogniveClientOptions> options, TimeProvider time,
    ILogger<CogniveClient> logger) : IAsyncDisposable
{
    private readonly CogniveClientOptions _options = options.Value;
    private readonly ReporterMetrics _metrics = reporter.Metrics;

    /// <summary>The typed API client.</summary>
    public CogniveApi Api { get; } = api;

    /// <summary>The background reporter (its <see cref="CallReporter.Statistics"/> say what was sent, dropped or lost).</summary>
    public CallReporter Reporter { get; } = reporter;

    /// <summary>The clock reports are stamped with.</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>
    /// Starts a run of the agent and makes it the ambient run of the calling flow:
    /// <c>using var run = await cognive.StartRunAsync(agentId);</c>. Disposing it ends the run.
    /// </summary>
    public Task<CogniveRun> StartRunAsync(Guid agentId, JsonElement? metadata = null, CancellationToken ct = default)
    {
        // Not async itself: the ambient value is set in the caller's frame (an async method's would be undone on return).
        var run = new CogniveRun(Reporter, agentId);
        return StartAsync(run, metadata, ct);
    }

    /// <summary>Runs <paramref name="work"/> as a run of the agent: ended succeeded, or failed (or cancelled) when it throws.</summary>
    public async Task<T> RunAsync<T>(Guid agentId, Func<CogniveRun, Task<T>> work, JsonElement? metadata = null, CancellationToken ct = default)
    {
        using var run = await StartRunAsync(agentId, metadata, ct);
        try
        {
            return await work(run);
        }
        catch (OperationCanceledException)
        {
            run.Cancel();
            throw;
        }
        catch (Exception e)
        {
            run.Fail(e);
            throw;
        }
    }

    /// <summary>Queues a call report: never blocks; sent in the background in batches.</summary>
    public void Report(in LlmCall call) => Reporter.Enqueue(call);

    /// <summary>Waits until what was reported before now is sent, at most <paramref name="timeout"/> (the flush timeout when null).</summary>
    public Task<bool> FlushAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        Reporter.FlushAsync(timeout ?? _options.FlushTimeout, ct);

    /// <summary>
    /// Asks for budget for the agent's next call. Refused: <see cref="CogniveBudgetExceededException"/> or
    /// <see cref="CognivePolicyViolationException"/>. Cognive unreachable (or 5xx): null (fail open) or
    /// <see cref="CogniveUnavailableException"/> (fail closed), as <see cref="CogniveClientOptions.WhenUnreachable"/> says.
    /// </summary>
    /// <returns>The allowed check, or null when it failed open.</returns>
    public async Task<BudgetCheckResult?> CheckBudgetAsync(BudgetCheck check, CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.BudgetCheckTimeout);
        try
        {
            return await Api.CheckBudgetAsync(check, timeout.Token);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && IsUnreachable(e))
        {
            _metrics.Unreachable.Add(1);
            if (_options.WhenUnreachable == UnreachableBehavior.FailClosed)
            {
                throw new CogniveUnavailableException(
                    $"The budget check could not reach Cognive ({e.Message}); failing closed, so the model was not called.", e);
            }

            logger.LogWarning("The budget check could not reach Cognive ({Reason}); failing open: the call goes ahead unchecked", e.Message);
            return null;
        }
    }

    /// <summary>Sends what is queued (within the flush timeout) and stops the reporter.</summary>
    public ValueTask DisposeAsync() => Reporter.DisposeAsync();

    private static bool IsUnreachable(Exception e) => e is HttpRequestException or OperationCanceledException ||
        e is CogniveApiException { Status: >= HttpStatusCode.InternalServerError };

    private async Task<CogniveRun> StartAsync(CogniveRun run, JsonElement? metadata, CancellationToken ct)
    {
        try
        {
            run.Started((await Api.StartRunAsync(run.AgentId, metadata, ct)).RunId);
            return run;
        }
        catch
        {
            run.Abandon();
            throw;
        }
    }
}
