namespace Cognive.Data.Alerts;

/// <summary>The <c>type</c> of an alert, as webhooks receive it and <c>GET /alerts</c> lists it.</summary>
public static class AlertTypes
{
    public const string BudgetThresholdCrossed = "budget.threshold_crossed";

    /// <summary>swarm.circuit_open, swarm.mass_failure, swarm.instance_failed.</summary>
    public static string OfSwarm(string alert) => $"swarm.{alert}";
}
