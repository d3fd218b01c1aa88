using Cognive.Web.Api;
using Cognive.Web.Components.Pages.Audit;
using Cognive.Web.Components.Pages.Policies;
using Cognive.Web.Components.Pages.Settings;
using Cognive.Web.Components.Pages.Swarm;
using Cognive.Web.Components.Shared;

namespace Cognive.Tests.Console.Admin;

/// <summary>The logic inside the admin pages' forms and pagers: what they send the API, and how they page.</summary>
public sealed class AdminFormTests
{
    [Fact]
    public void A_policy_form_sends_blank_rules_as_none_and_lists_as_trimmed_names()
    {
        var form = new PolicyForm { Name = " cheap ", AllowedProviders = "openai, , anthropic ", AllowedModels = "  ", MaxTokensPerCall = 8000 };

        var request = form.ToRequest();

        Assert.Equal("cheap", request.Name);
        Assert.Null(request.AgentId);
        Assert.Equal(["openai", "anthropic"], request.AllowedProviders!);
        Assert.Null(request.AllowedModels);
        Assert.Equal(8000, request.MaxTokensPerCall);
        Assert.Null(request.ActiveFromHour);
    }

    [Fact]
    public void Editing_a_policy_starts_from_its_rules_and_sends_them_back_unchanged()
    {
        var agent = Guid.NewGuid();
        var policy = new PolicyRow(Guid.NewGuid(), "night", agent, ["openai"], ["gpt-4o-mini", "gpt-4o"], null, 120, 22, 6, 3, DateTimeOffset.UtcNow);

        var request = PolicyForm.From(policy).ToRequest();

        Assert.Equal(("night", agent, (int?)null, (int?)120, (int?)22, (int?)6),
            (request.Name, request.AgentId, request.MaxTokensPerCall, request.MaxCallsPerMinute, request.ActiveFromHour, request.ActiveToHour));
        Assert.Equal(["openai"], request.AllowedProviders!);
        Assert.Equal(["gpt-4o-mini", "gpt-4o"], request.AllowedModels!);
        Assert.Equal("providers openai; models gpt-4o-mini, gpt-4o; ≤ 120 calls a minute; 22:00–06:00 UTC", PolicyForm.Describe(policy));
    }

    [Fact]
    public void The_audit_filter_leaves_out_blank_filters_and_sends_times_as_utc()
    {
        var filter = new AuditFilter { Action = "policy.update", Actor = "user:1 2", From = "2026-11-30T08:15", To = "not a time" };

        var query = filter.Query(50, "812");

        Assert.Equal("/api/v1/audit?limit=50&action=policy.update&actor=user%3A1%202&from=2026-11-30T08%3A15%3A00Z&to=not%20a%20time&cursor=812",
            query);
        Assert.Equal("/api/v1/audit?limit=50", new AuditFilter().Query(50, null));
    }

    [Fact]
    public void A_cursor_trail_goes_on_back_and_to_the_first_page()
    {
        var trail = new CursorTrail();

        var first = trail.At("/api/v1/x?limit=5");
        trail.Next("a");
        trail.Next("b");
        var third = (trail.Current, trail.PageNumber, trail.At("/api/v1/x?limit=5"));
        trail.Previous();
        var second = (trail.Current, trail.PageNumber);
        trail.Reset();

        Assert.Equal("/api/v1/x?limit=5", first);
        Assert.Equal(("b", 3, "/api/v1/x?limit=5&cursor=b"), third);
        Assert.Equal(("a", 2), second);
        Assert.Null(trail.Current);
        Assert.False(trail.HasPrevious);
    }

    [Fact]
    public void The_next_page_is_read_from_the_link_header()
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("Link", "</api/v1/users?limit=2&cursor=abc>; rel=\"next\"");
        using var last = new HttpResponseMessage();

        Assert.Equal("/api/v1/users?limit=2&cursor=abc", LinkedPages.NextOf(response.Headers));
        Assert.Null(LinkedPages.NextOf(last.Headers));
    }

    [Fact]
    public void A_task_payload_that_is_not_json_is_named_before_the_queen_is_asked()
    {
        var bad = new TaskForm { Payload = "{\"days\": " };
        var good = new TaskForm { Type = " cost-anomaly ", Payload = "{\"days\": 3}", Priority = 7 };

        var request = good.ToRequest();

        Assert.StartsWith("The payload is not JSON", bad.PayloadProblem);
        Assert.Null(good.PayloadProblem);
        Assert.Equal("cost-anomaly", request.Type);
        Assert.Equal(3, request.Payload!.Value.GetProperty("days").GetInt32());
        Assert.Null(new TaskForm().ToRequest().Payload);
    }

    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(-5, "0 s")]
    [InlineData(245, "4 min 05 s")]
    [InlineData(3720, "1 h 02 min")]
    public void Time_left_reads_in_the_largest_units(int seconds, string text) => Assert.Equal(text, TimeLeftText.Format(seconds));

    [Fact]
    public void A_new_key_defaults_to_the_agent_scopes_its_creator_holds_and_reads_expiry_as_utc()
    {
        var form = ApiKeyForm.For(["agent:read", "cost:read", "key:write"]);
        form.Name = "ci";
        form.ExpiresAt = "2027-01-02T03:04";
        form.Toggle("key:write", true);
        form.Toggle("cost:read", false);

        var request = form.ToRequest();

        Assert.Equal(["agent:read", "key:write"], request.Scopes);
        Assert.Equal(new DateTimeOffset(2027, 1, 2, 3, 4, 0, TimeSpan.Zero), request.ExpiresAt);
        Assert.Null(new ApiKeyForm().ToRequest().ExpiresAt);
    }
}
