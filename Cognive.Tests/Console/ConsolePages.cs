using Cognive.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Cognive.Tests.Console;

/// <summary>What the tests of the Agents, Runs, Costs and Budgets pages do in the browser: open a page, type into Fluent fields.</summary>
internal static class ConsolePages
{
    /// <summary>Opens <paramref name="path"/> in the signed-in page and waits for its circuit.</summary>
    public static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await ConsoleBrowser.WaitForCircuitAsync(page);
    }

    /// <summary>Types into a Fluent text field (its input lives in the web component's shadow root).</summary>
    public static async Task FillAsync(IPage page, string testId, string value) =>
        await page.Locator($"[data-testid={testId}] input, [data-testid={testId}] textarea").First.FillAsync(value);

    public static async Task<List<string>> TextsAsync(IPage page, string selector) =>
        [.. await page.Locator(selector).AllInnerTextsAsync()];

    /// <summary>Waits until the texts under <paramref name="selector"/> satisfy <paramref name="condition"/>.</summary>
    public static Task UntilAsync(IPage page, string selector, Func<List<string>, bool> condition, string what, CancellationToken ct) =>
        Eventually.HoldsAsync(async () => condition(await TextsAsync(page, selector)), what, ct);
}
