using Cognive.Web.Api;
using Microsoft.AspNetCore.Components;

namespace Cognive.Web.Components.Pages.Overview;

/// <summary>
/// The landing page. While the circuit is open it asks the API again every <see cref="ConsoleSettings.OverviewRefresh"/>;
/// the API caches the overview for 2 s, so new calls show within both plus ingestion (the 5 s the issue asks for).
/// </summary>
public sealed partial class Overview
{
    private static readonly string[] Groupings = ["model", "agent", "provider"];
    private readonly CancellationTokenSource _closing = new();
    private string _groupBy = "model";
    private ApiProblem? _problem;
    private Task? _refreshing;

    /// <summary>Loaded while prerendering and handed to the circuit, so the page is not asked for twice.</summary>
    [PersistentState]
    public OverviewData? Data { get; set; }

    protected override async Task OnInitializedAsync()
    {
        if (Data is null)
        {
            await LoadAsync();
        }
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _refreshing = RefreshAsync(_closing.Token);
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Settings.Value.OverviewRefresh);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await LoadAsync();
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The circuit closed or the person left the page.
        }
    }

    private async Task GroupByAsync(string groupBy)
    {
        _groupBy = groupBy;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            Data = await Api.GetAsync<OverviewData>($"/api/v1/analytics/overview?group_by={_groupBy}", _closing.Token);
            _problem = null;
        }
        catch (ApiProblemException e)
        {
            _problem = e.Problem; // the last answer stays on screen under the problem
        }
    }

    private static string AlertText(OpenAlert alert) => alert.Type switch
    {
        "budget.threshold_crossed" => $"Budget at {alert.Threshold}%: {Money.Usd(alert.SpentUsd)} of {Money.Usd(alert.LimitUsd)}.",
        _ => $"Swarm {alert.Type["swarm.".Length..].Replace('_', ' ')} ({alert.Kind}): {alert.Detail}",
    };

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        if (_refreshing is not null)
        {
            await _refreshing;
        }

        _closing.Dispose();
    }
}
