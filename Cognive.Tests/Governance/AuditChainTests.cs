using Cognive.Data.Audit;

namespace Cognive.Tests.Governance;

/// <summary>The chain's hash covers every field and the link, at the precision PostgreSQL stores.</summary>
public sealed class AuditChainTests
{
    private static AuditRecord Record(string summary = "{}", byte[]? previous = null) => new()
    {
        TeamId = Guid.Parse("0190a4c2-0000-7000-8000-000000000001"),
        OccurredAt = AuditChain.StoredPrecision(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567)),
        Actor = "key:abc", Action = "agent.update", TargetType = "agent", TargetId = "42", Summary = summary,
        RequestId = "r-1", SourceIp = "127.0.0.1", PreviousHash = previous ?? AuditChain.Genesis,
    };

    [Fact]
    public void Changing_a_field_or_the_link_changes_the_hash()
    {
        var original = AuditChain.HashOf(Record());

        Assert.Equal(original, AuditChain.HashOf(Record()));
        Assert.NotEqual(original, AuditChain.HashOf(Record(summary: "{\"x\":1}")));
        Assert.NotEqual(original, AuditChain.HashOf(Record(previous: original)));
        Assert.Equal(32, original.Length);
    }

    [Fact]
    public void Times_are_cut_to_microseconds_as_PostgreSQL_keeps_them()
    {
        var time = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);

        Assert.Equal(1234560, (AuditChain.StoredPrecision(time) - time.AddTicks(-1234567)).Ticks);
        Assert.Equal(TimeSpan.Zero, AuditChain.StoredPrecision(time.ToOffset(TimeSpan.FromHours(2))).Offset);
    }
}
