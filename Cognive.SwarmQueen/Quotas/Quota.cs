namespace Cognive.SwarmQueen.Quotas;

/// <summary>
/// One quota as answers and the audit trail name it: <paramref name="Name"/> (also the <c>quota</c> of the problem), the
/// setting that sets it, and whether it bounds a stored total or count (429: wait or free some) or one body (413: send less).
/// </summary>
public sealed record Quota(string Name, string Setting, bool Single, string Unit)
{
    public static readonly Quota MemoryBytes = Stored("memory_bytes", nameof(SwarmQuotaOptions.MemoryBytes), "bytes");
    public static readonly Quota ChannelGroups = Stored("channel_groups", nameof(SwarmQuotaOptions.ChannelGroups), "consumer groups");
    public static readonly Quota Instances = Stored("instances", nameof(SwarmQuotaOptions.Instances), "instances");
    public static readonly Quota QueuedTasks = Stored("queued_tasks", nameof(SwarmQuotaOptions.QueuedTasks), "queued tasks");
    public static readonly Quota ChannelMessageBytes = OneBody("channel_message_bytes", nameof(SwarmQuotaOptions.ChannelMessageBytes));
    public static readonly Quota TaskResultBytes = OneBody("task_result_bytes", nameof(SwarmQuotaOptions.TaskResultBytes));
    public static readonly Quota RequestBodyBytes = OneBody("request_body_bytes", nameof(SwarmQuotaOptions.RequestBodyBytes));

    public int Status => Single ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status429TooManyRequests;

    private static Quota Stored(string name, string option, string unit) => new(name, $"{SwarmQuotaOptions.Section}:{option}", false, unit);

    private static Quota OneBody(string name, string option) => new(name, $"{SwarmQuotaOptions.Section}:{option}", true, "bytes");
}
