using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Sdk;

/// <summary>
/// The Python SDK (sdk/python) against the shared app: each test runs one of the package's unittest tests in a
/// python3 process, with a team of its own. The class runs alone (<see cref="StopsSharedResources"/>), so restarting
/// the shared API here disturbs no other class; it is healthy again before the test ends.
/// </summary>
[Collection(StopsSharedResources.Name)]
public sealed class PythonSdkTests(SharedApp shared)
{
    private const string Live = "tests.test_live.LiveTests.";
    private readonly CogniveApp _app = shared.App;

    [Fact]
    public Task A_run_of_1000_calls_logged_through_the_SDK_arrives_exactly_once() =>
        RunAsync(Live + "test_a_run_of_1000_logged_calls_arrives_exactly_once");

    [Fact]
    public Task An_API_crash_and_restart_in_the_middle_of_a_run_loses_no_call_and_duplicates_none() =>
        RunAsync(Live + "test_an_api_restart_in_the_middle_loses_nothing", async (signal, ct) =>
        {
            switch (signal)
            {
                case "kill-api":
                    await _app.CrashAsync("api", ct);
                    return "api-down";
                case "start-api":
                    await _app.StartResourceAsync("api", ct);
                    return "api-up";
                default:
                    throw new InvalidOperationException($"Unknown signal from the Python test: {signal}");
            }
        });

    [Fact]
    public Task A_refused_budget_raises_in_Python_before_the_wrapped_model_is_called() =>
        RunAsync(Live + "test_a_refused_budget_raises_before_the_model_is_called");

    [Fact]
    public Task A_policy_violation_raises_in_Python_naming_its_rule() =>
        RunAsync(Live + "test_a_policy_violation_names_its_rule");

    [Fact]
    public Task Wrapped_OpenAI_calls_streams_included_are_reported_with_their_cached_tokens() =>
        RunAsync(Live + "test_wrapped_openai_calls_are_checked_and_reported_with_cached_tokens_streams_included");

    [Fact]
    public Task The_Python_queue_bound_drops_the_oldest_calls_and_counts_them() =>
        RunAsync(Live + "test_the_queue_bound_drops_the_oldest_and_counts_them");

    [Fact]
    public Task A_Python_run_that_raises_ends_failed() =>
        RunAsync(Live + "test_an_exception_ends_the_run_failed");

    [Fact]
    public Task The_SDK_logic_tests_pass_budget_checks_failing_open_by_default_and_closed_when_set() =>
        RunAsync("tests.test_offline");

    private async Task RunAsync(string test, Func<string, CancellationToken, Task<string>>? onSignal = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await Tenants.CreateTeamAsync(_app, ct);
        using var api = _app.CreateHttpClient("api");
        var result = await PythonTests.RunAsync(test, api.BaseAddress!, key, onSignal, ct);
        Assert.True(result.ExitCode == 0 && !result.Output.Contains("skipped", StringComparison.OrdinalIgnoreCase),
            $"python3 -m unittest {test} exited {result.ExitCode}:\n{result.Output}");
    }
}
