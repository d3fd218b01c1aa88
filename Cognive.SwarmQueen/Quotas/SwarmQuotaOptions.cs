using System.ComponentModel.DataAnnotations;

namespace Cognive.SwarmQueen.Quotas;

/// <summary>
/// What one team may hold in the shared swarm (<c>Cognive:Swarm:Quotas</c>), so no team can exhaust PostgreSQL or Redis
/// for all. The defaults are far above what a real swarm uses; an installation lowers or raises them for all teams.
/// </summary>
public sealed class SwarmQuotaOptions
{
    public const string Section = "Cognive:Swarm:Quotas";

    /// <summary>Bytes of swarm memory values the team stores (as PostgreSQL stores them).</summary>
    [Range(1, long.MaxValue)]
    public long MemoryBytes { get; set; } = 1L << 30;

    /// <summary>Messages a channel keeps; older ones are dropped as new ones come (a channel is a bounded log).</summary>
    [Range(1, int.MaxValue)]
    public int ChannelMessages { get; set; } = 10_000;

    /// <summary>Bytes of message bodies a channel keeps; older messages are dropped as new ones come.</summary>
    [Range(1, long.MaxValue)]
    public long ChannelBytes { get; set; } = 64L << 20;

    /// <summary>The largest message body (413 beyond).</summary>
    [Range(1, int.MaxValue)]
    public int ChannelMessageBytes { get; set; } = 64 << 10;

    /// <summary>Consumer groups per channel (each keeps its own pending list in Redis).</summary>
    [Range(1, int.MaxValue)]
    public int ChannelGroups { get; set; } = 100;

    /// <summary>Instances the team has registered and the queen still remembers (departed ones until they are forgotten).</summary>
    [Range(1, int.MaxValue)]
    public int Instances { get; set; } = 1_000;

    /// <summary>Tasks waiting or leased.</summary>
    [Range(1, int.MaxValue)]
    public int QueuedTasks { get; set; } = 100_000;

    /// <summary>The largest task result (413 beyond).</summary>
    [Range(1, int.MaxValue)]
    public int TaskResultBytes { get; set; } = 1 << 20;

    /// <summary>The largest request body the queen reads (413 beyond): a memory batch of 100 values of 256 KiB fits.</summary>
    [Range(1, long.MaxValue)]
    public long RequestBodyBytes { get; set; } = 32L << 20;
}
