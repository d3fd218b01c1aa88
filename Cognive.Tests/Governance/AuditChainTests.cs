using Cognive.Data.Audit;

namespace Cognive.Tests.Governance;

/// <summary>
/// The chain's seal: a keyed MAC over length-prefixed fields and the link, at the precision PostgreSQL stores; checkpoints
/// signed for one team only.
/// </summary>
public sealed class AuditChainTests
{
    private static readonly AuditKey Key = AuditKey.From("an-audit-key-of-at-least-32-characters");
    private static readonly Guid Team = Guid.Parse("0190a4c2-0000-7000-8000-000000000001");

    private static AuditRecord Record(string summary = "{}", byte[]? previous = null, string actor = "key:abc",
        string action = "agent.update") => new()
    {
        TeamId = Team,
        OccurredAt = AuditChain.StoredPrecision(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567)),
        Actor = actor, Action = action, TargetType = "agent", TargetId = "42", Summary = summary,
        RequestId = "r-1", SourceIp = "127.0.0.1", PreviousHash = previous ?? AuditChain.Genesis,
    };

    [Fact]
    public void Changing_a_field_or_the_link_changes_the_seal()
    {
        var original = AuditChain.SealOf(Record(), Key);

        Assert.Equal(original, AuditChain.SealOf(Record(), Key));
        Assert.NotEqual(original, AuditChain.SealOf(Record(summary: "{\"x\":1}"), Key));
        Assert.NotEqual(original, AuditChain.SealOf(Record(previous: original), Key));
        Assert.Equal(32, original.Length);
    }

    [Fact]
    public void Only_the_audit_key_makes_a_seal_that_holds()
    {
        var record = AuditChain.Seal(Record(), Key);
        var resealedWithoutTheKey = AuditChain.Seal(Record(), AuditKey.From("a-different-key-of-at-least-32-characters"));

        Assert.True(AuditChain.Holds(record, Key));
        Assert.False(AuditChain.Holds(resealedWithoutTheKey, Key));
    }

    [Fact]
    public void Moving_text_from_one_field_to_the_next_changes_the_seal()
    {
        // Joined with newlines these two records were the same bytes; length-prefixed they are not.
        var one = AuditChain.SealOf(Record(actor: "key:abc\nagent.update", action: "x"), Key);
        var other = AuditChain.SealOf(Record(actor: "key:abc", action: "agent.update\nx"), Key);

        Assert.NotEqual(one, other);
    }

    [Fact]
    public void A_checkpoint_holds_only_for_its_team_and_as_signed()
    {
        var checkpoint = AuditCheckpoint.Sign(Key, Team, 7, AuditChain.SealOf(Record(), Key), 3, DateTimeOffset.UnixEpoch);
        var counted = new AuditCheckpoint
        {
            TeamId = Team, LastId = 7, Hash = checkpoint.Hash, Count = 2, CreatedAt = checkpoint.CreatedAt, Signature = checkpoint.Signature,
        };

        Assert.True(checkpoint.IsSignedFor(Key, Team));
        Assert.False(checkpoint.IsSignedFor(Key, Guid.CreateVersion7()));
        Assert.False(counted.IsSignedFor(Key, Team));
    }

    [Fact]
    public void Times_are_cut_to_microseconds_as_PostgreSQL_keeps_them()
    {
        var time = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567);

        Assert.Equal(1234560, (AuditChain.StoredPrecision(time) - time.AddTicks(-1234567)).Ticks);
        Assert.Equal(TimeSpan.Zero, AuditChain.StoredPrecision(time.ToOffset(TimeSpan.FromHours(2))).Offset);
    }
}
