using Cognive.Gateway.OpenAi;

namespace Cognive.Gateway.Calls;

/// <summary>
/// A forwarded call's recording, made once: by the forwarder just before an answer's last bytes where it can (a whole
/// answer before its body, a stream before its <c>[DONE]</c>), so a client that has its whole answer knows the call is
/// spooled; otherwise once the forwarder is done, before the response completes. Gives the call's cost when its model
/// is priced and its usage known.
/// </summary>
public sealed class CallSettlement(Func<Outcome, ValueTask> record, CallPrice? price)
{
    private bool _settled;

    public async ValueTask<string?> SettleAsync(Outcome outcome)
    {
        if (!_settled)
        {
            _settled = true;
            await record(outcome);
        }

        return outcome.Usage is { } usage ? price?.CostOf(usage) : null;
    }
}
