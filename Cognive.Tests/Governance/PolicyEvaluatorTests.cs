using Cognive.Governance.Policies;

namespace Cognive.Tests.Governance;

/// <summary>The policy rules that need no counting, as pure logic.</summary>
public sealed class PolicyEvaluatorTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(9, 17, 12, true)]
    [InlineData(9, 17, 17, false)]
    [InlineData(22, 6, 23, true)]
    [InlineData(22, 6, 3, true)]
    [InlineData(22, 6, 12, false)]
    public void Hours_windows_are_half_open_and_may_wrap_midnight(int from, int to, int hour, bool within) =>
        Assert.Equal(within, PolicyEvaluator.IsWithin(hour, from, to));

    [Fact]
    public void The_first_broken_rule_is_reported_and_unnamed_providers_are_not_held_against_the_list()
    {
        var policy = new PolicyView(Guid.NewGuid(), null, "p", ["openai"], ["gpt-4o-mini"], 1000, null, 9, 17);

        Assert.Null(PolicyEvaluator.Evaluate([policy], "openai", "gpt-4o-mini", 1000, Noon));
        Assert.Null(PolicyEvaluator.Evaluate([policy], null, "gpt-4o-mini", 10, Noon));
        Assert.Equal("allowed_providers", PolicyEvaluator.Evaluate([policy], "anthropic", "gpt-4o-mini", 10, Noon)?.Rule);
        Assert.Equal("allowed_models", PolicyEvaluator.Evaluate([policy], "openai", "gpt-4o", 10, Noon)?.Rule);
        Assert.Equal("max_tokens_per_call", PolicyEvaluator.Evaluate([policy], "openai", "gpt-4o-mini", 1001, Noon)?.Rule);
        Assert.Equal("active_hours", PolicyEvaluator.Evaluate([policy], "openai", "gpt-4o-mini", 10, Noon.AddHours(8))?.Rule);
    }
}
