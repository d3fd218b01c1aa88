namespace Cognive.Workers.Alerts;

/// <summary>
/// The deliveries this worker has on their way, counted overall and per team, so a claim takes only what there is
/// room for: nothing claimed ever waits behind a slow receiver while its lease runs down.
/// </summary>
public sealed class InFlightDeliveries(int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, int> _byTeam = [];
    private int _count;
    private TaskCompletionSource _finished = NewSignal();

    public int Room
    {
        get
        {
            lock (_gate)
            {
                return capacity - _count;
            }
        }
    }

    public IReadOnlyDictionary<Guid, int> ByTeam()
    {
        lock (_gate)
        {
            return new Dictionary<Guid, int>(_byTeam);
        }
    }

    /// <summary>Starts <paramref name="delivery"/>, which must handle its own failures, and counts it until it ends.</summary>
    public void Start(Guid teamId, Func<Task> delivery)
    {
        lock (_gate)
        {
            _count++;
            _byTeam[teamId] = _byTeam.GetValueOrDefault(teamId) + 1;
        }

        _ = RunAsync(teamId, delivery);
    }

    /// <summary>Waits until a delivery ends (at once when there is room).</summary>
    public Task WaitForRoomAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            return _count < capacity ? Task.CompletedTask : _finished.Task.WaitAsync(ct);
        }
    }

    /// <summary>Waits until every delivery started has ended.</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Task finished;
            lock (_gate)
            {
                if (_count == 0)
                {
                    return;
                }

                finished = _finished.Task;
            }

            await finished;
        }
    }

    private async Task RunAsync(Guid teamId, Func<Task> delivery)
    {
        try
        {
            await delivery();
        }
        finally
        {
            TaskCompletionSource finished;
            lock (_gate)
            {
                _count--;
                if (--_byTeam[teamId] == 0)
                {
                    _byTeam.Remove(teamId);
                }

                finished = _finished;
                _finished = NewSignal();
            }

            finished.SetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
