namespace Cognive.Data.Pricing;

/// <summary>
/// One version of a model's list price in USD per million tokens, in force from <see cref="EffectiveFrom"/> until
/// <see cref="EffectiveTo"/> (open-ended when null). A call is priced with the version in force when it occurred.
/// </summary>
public sealed class ModelPrice
{
    public long Id { get; init; }

    public required string Provider { get; init; }

    public required string Model { get; init; }

    public decimal InputPerMillion { get; init; }

    public decimal OutputPerMillion { get; init; }

    /// <summary>Null when the provider publishes no cached-input price: cached tokens then cost the input price.</summary>
    public decimal? CachedInputPerMillion { get; init; }

    public DateTimeOffset EffectiveFrom { get; init; }

    public DateTimeOffset? EffectiveTo { get; set; }

    public required string Source { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}
