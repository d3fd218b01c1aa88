namespace Cognive.Agents.Specialists;

/// <summary>One thing a specialist found. Results list findings worst first, each with its own figures.</summary>
public abstract record Finding
{
    /// <summary>A stable name for the kind of finding, for filtering results.</summary>
    public abstract string Kind { get; }

    /// <summary>One sentence a person can act on; the model's summary is built from these.</summary>
    public abstract string Description { get; }
}
