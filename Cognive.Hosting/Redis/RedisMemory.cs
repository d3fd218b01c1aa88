using System.Globalization;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Cognive.Hosting.Kubernetes;
using Microsoft.Extensions.Configuration;

namespace Cognive.Hosting.Redis;

/// <summary>
/// Redis' memory ceiling (<c>Cognive:Redis:MaxMemory</c>, in Redis' units: <c>256mb</c>, <c>2gb</c>) and what it does
/// when full: <c>noeviction</c>. Rate-limit windows, budget holds and reservations, spend counters, revoked tokens and
/// policy counters all carry TTLs, so a <c>volatile-*</c> policy would evict exactly them (a revoked token accepted
/// again, a rate limit or budget hold forgotten), and <c>allkeys-*</c> anything; channel streams are data. With
/// <c>noeviction</c> a full Redis refuses writes loudly, while the caches (read-through from PostgreSQL) degrade to
/// PostgreSQL reads.
/// </summary>
public sealed partial record RedisMemory(string MaxMemory, long Bytes)
{
    public const string Setting = "Cognive:Redis:MaxMemory";
    public const string Policy = "noeviction";

    /// <summary>Locally Redis shares the machine with everything else; in the cluster it has a container of its own.</summary>
    public const string LocalDefault = "256mb";
    public const string ClusterDefault = "512mb";

    private const long MiB = 1024 * 1024;
    private const long Minimum = 16 * MiB;

    public static RedisMemory From(IConfiguration configuration, bool inCluster)
    {
        var text = configuration[Setting] ?? (inCluster ? ClusterDefault : LocalDefault);
        var match = Size().Match(text);
        if (!match.Success || !long.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ||
            n > long.MaxValue / 4 / 1024 / MiB)
        {
            throw new CogniveHostingException($"{Setting} is a size in kb, mb or gb such as {LocalDefault}, not '{text}'.");
        }

        var bytes = n * match.Groups["unit"].Value.ToLowerInvariant() switch { "kb" => 1024, "mb" => MiB, _ => 1024 * MiB };
        if (bytes < Minimum)
        {
            throw new CogniveHostingException($"{Setting} is at least 16mb (it is {text}); Redis with no ceiling is not an option.");
        }

        return new(text.ToLowerInvariant(), bytes);
    }

    /// <summary>
    /// The container's memory limit: twice the ceiling, for fragmentation and the copy-on-write pages of the fork that
    /// saves a snapshot or rewrites the append-only file.
    /// </summary>
    public string ContainerLimit => $"{(2 * Bytes + MiB - 1) / MiB}Mi";

    /// <summary>The lines of a redis.conf.</summary>
    public string ConfigLines => $"maxmemory {MaxMemory}\nmaxmemory-policy {Policy}";

    [GeneratedRegex("^(?<n>[0-9]+)(?<unit>kb|mb|gb)$", RegexOptions.IgnoreCase)]
    private static partial Regex Size();
}

public static class RedisMemoryExtensions
{
    /// <summary>
    /// Aspire's Redis container with the ceiling and policy, and the memory limit the Kubernetes publisher gives it.
    /// Aspire starts it as <c>/bin/sh -c "redis-server …"</c>, one argument, so the options are appended to that one.
    /// </summary>
    public static IResourceBuilder<RedisResource> WithMemoryCeiling(this IResourceBuilder<RedisResource> redis, RedisMemory memory) =>
        redis
            .WithAnnotation(new MemoryLimitAnnotation(memory.ContainerLimit))
            .WithArgs(context =>
            {
                var server = context.Args.ToList().FindIndex(a => a is string s && s.StartsWith("redis-server", StringComparison.Ordinal));
                if (server < 0)
                {
                    throw new CogniveHostingException(
                        $"Aspire's Redis container no longer starts with a 'redis-server …' argument; {RedisMemory.Setting} cannot be applied.");
                }

                context.Args[server] = $"{context.Args[server]} --maxmemory {memory.MaxMemory} --maxmemory-policy {RedisMemory.Policy}";
            });
}
