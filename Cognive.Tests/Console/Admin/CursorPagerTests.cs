using Bunit;
using Cognive.Web.Components.Pages.Swarm;
using Cognive.Web.Components.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;

namespace Cognive.Tests.Console.Admin;

/// <summary>bUnit: the pager the admin pages share, and the quarantine countdown.</summary>
public sealed class CursorPagerTests : IDisposable
{
    private readonly BunitContext _context = new();

    public CursorPagerTests()
    {
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Services.AddFluentUIComponents();
    }

    [Fact]
    public void A_single_page_shows_no_pager()
    {
        var pager = _context.Render<CursorPager>(p => p.Add(c => c.Trail, new CursorTrail()).Add(c => c.NextCursor, null));

        Assert.Empty(pager.FindAll("nav"));
    }

    [Fact]
    public void Next_moves_the_trail_to_the_pages_cursor_and_asks_for_a_reload()
    {
        var trail = new CursorTrail();
        var reloads = 0;
        var pager = _context.Render<CursorPager>(p => p.Add(c => c.Trail, trail).Add(c => c.NextCursor, "812")
            .Add(c => c.Changed, () => reloads++));

        var previousDisabled = pager.Find("[data-testid=page-previous]").HasAttribute("disabled");
        pager.Find("[data-testid=page-next]").Click();

        Assert.True(previousDisabled);
        Assert.Equal("812", trail.Current);
        Assert.Equal(1, reloads);
        Assert.Contains("Page 2", pager.Markup);
    }

    [Fact]
    public void A_quarantine_shows_the_time_it_has_left()
    {
        var left = _context.Render<TimeLeft>(p => p.Add(c => c.SecondsLeft, 125));

        Assert.Equal("2 min 05 s", left.Find("[data-testid=time-left]").TextContent);
    }

    public void Dispose() => _context.Dispose();
}
