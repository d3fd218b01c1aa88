using System.Collections.Concurrent;

namespace Cognive.RateLimits;

/// <summary>
/// What one process knows of each caller's window, so that a request whose caller is far from its limit need not wait
/// for Redis: it goes on at once and is counted in Redis behind it. Far means that the window's count in Redis's last
/// answer (under <see cref="Freshness"/> old), plus every request of this process not answered yet, plus this one, is at
/// most half the limit. Redis keeps every count; in one process no request passes the limit this way (the requests let
/// ahead all fit in the half it leaves), and across processes only what the others count within a second of an answer
/// can push past it. A caller near its limit, or not seen for a second, waits for Redis as before. So does every request
/// while the process is busy (more requests of all callers unanswered than it has cores): there, letting one ahead only
/// adds a task that competes for the same cores, and the gateway served fewer requests at 64 clients without this rule.
/// Redis's answers come back each on its own thread, in any order; only the answer to the latest request registered
/// says what the window holds now, so an older one arriving late does not lower it (on a starved CI machine one did, and
/// two requests too many went ahead).
/// </summary>
public sealed class AdmissionAhead
{
    public const long Freshness = 1_000;

    /// <summary>Past this many callers the memory starts over; forgetting a caller only makes its next request wait.</summary>
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new();
    private readonly int _busyAt;
    private int _unansweredInProcess;
    private long _lastTicket;

    /// <param name="busyAt">
    /// Unanswered requests of all callers together (this one included) past which no request goes ahead: a process with
    /// that many Redis answers outstanding has no core to spare, and a request let ahead there only waits for one.
    /// </param>
    public AdmissionAhead(int? busyAt = null) => _busyAt = busyAt ?? Environment.ProcessorCount;

    /// <summary>
    /// Registers a request of <paramref name="subject"/> that is about to be counted in Redis. Returns the window's count with it
    /// when it may go on now; null when it must wait for Redis's answer. <paramref name="ticket"/> names the request in
    /// <see cref="Answered"/>: tickets grow in the order requests are registered, across all callers.
    /// </summary>
    public int? Admit(string subject, int limitPerMinute, long nowMs, out long ticket)
    {
        if (_windows.Count >= MaxRemembered)
        {
            _windows.Clear();
        }

        var idle = Interlocked.Increment(ref _unansweredInProcess) <= _busyAt;
        var window = _windows.GetOrAdd(subject, _ => new Window());
        lock (window)
        {
            // Taken under the window's lock: within one caller, ticket order is exactly the order of registration.
            ticket = Interlocked.Increment(ref _lastTicket);
            var used = window.Used + window.Unanswered + 1;
            window.Unanswered++;
            var fresh = window.AnsweredAtMs is { } at && nowMs - at <= Freshness;
            return idle && fresh && 2L * used <= limitPerMinute ? used : null;
        }
    }

    /// <summary>
    /// Redis counted the request <see cref="Admit"/> registered as <paramref name="ticket"/>; its window then held
    /// <paramref name="used"/>, which stands unless a later-registered request's answer has come back already.
    /// </summary>
    public void Answered(string subject, long ticket, int used, long nowMs)
    {
        Interlocked.Decrement(ref _unansweredInProcess);
        var window = _windows.GetOrAdd(subject, _ => new Window());
        lock (window)
        {
            window.Unanswered = Math.Max(0, window.Unanswered - 1);
            if (ticket > window.UsedTicket)
            {
                (window.Used, window.UsedTicket) = (used, ticket);
            }

            window.AnsweredAtMs = nowMs;
        }
    }

    /// <summary>Redis did not answer for one of the registered requests: the caller's next requests wait for it again.</summary>
    public void Unanswered(string subject)
    {
        Interlocked.Decrement(ref _unansweredInProcess);
        var window = _windows.GetOrAdd(subject, _ => new Window());
        lock (window)
        {
            window.Unanswered = Math.Max(0, window.Unanswered - 1);
            window.AnsweredAtMs = null;
        }
    }

    private sealed class Window
    {
        public int Used;
        public long UsedTicket;
        public int Unanswered;
        public long? AnsweredAtMs;
    }
}
