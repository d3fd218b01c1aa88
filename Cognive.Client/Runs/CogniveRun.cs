using Cognive.Client.Api;
using Cognive.Client.Reporting;

namespace Cognive.Client.Runs;

/// <summary>
/// A run of an agent, ambient while it lasts: model calls made through <c>UseCognive</c> in its scope (this async flow)
/// are checked against the agent's budgets and reported as calls of this run. Disposing it ends the run with its status
/// (<see cref="RunStatus.Succeeded"/> unless <see cref="Fail(string?)"/> or <see cref="Cancel"/> was called); the end is queued
/// behind the run's calls, so it never blocks and never overtakes them.
/// </summary>
public sealed class CogniveRun : IDisposable, IAsyncDisposable
{
    private static readonly AsyncLocal<CogniveRun?> Ambient = new();

    private readonly CallReporter _reporter;
    private readonly CogniveRun? _outer;
    private Guid _runId;
    private bool _abandoned, _ended;
    private RunStatus _status = RunStatus.Succeeded;
    private string? _error;

    internal CogniveRun(CallReporter reporter, Guid agentId)
    {
        (_reporter, AgentId, _outer) = (reporter, agentId, Ambient.Value);
        // Set here, in the caller's synchronous frame, so that the value flows on in the caller after its await.
        Ambient.Value = this;
    }

    /// <summary>The run of the current async flow, if any.</summary>
    public static CogniveRun? Current
    {
        get
        {
            var run = Ambient.Value;
            while (run is { _runId: var id } && (id == Guid.Empty || run._ended))
            {
                run = run._outer;
            }

            return run;
        }
    }

    /// <summary>The run's id, as the API minted it.</summary>
    public Guid RunId => _runId;

    /// <summary>The agent the run belongs to; budget checks are made for it.</summary>
    public Guid AgentId { get; }

    /// <summary>Ends the run as failed when disposed, with <paramref name="error"/> (up to 4,000 characters) as its reason.</summary>
    public void Fail(string? error = null) => (_status, _error) = (RunStatus.Failed, error is { Length: > 4000 } ? error[..4000] : error);

    /// <summary>Ends the run as failed with the exception's type and message.</summary>
    public void Fail(Exception exception) => Fail($"{exception.GetType().Name}: {exception.Message}");

    /// <summary>Ends the run as cancelled when disposed.</summary>
    public void Cancel() => (_status, _error) = (RunStatus.Cancelled, null);

    /// <summary>Ends the run with its status (queued: this never blocks) and restores the ambient run before it.</summary>
    public void Dispose()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        if (Ambient.Value == this)
        {
            Ambient.Value = _outer;
        }

        if (!_abandoned)
        {
            _reporter.EndRun(new RunEnd(_runId, _status, _error));
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    internal void Started(Guid runId) => _runId = runId;

    /// <summary>The start failed: the run never existed, and <see cref="Current"/> passes over it.</summary>
    internal void Abandon() => (_abandoned, _ended) = (true, true);
}
