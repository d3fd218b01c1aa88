namespace Cognive.Data;

/// <summary>A team's object that is ended rather than deleted, so that what refers to it (alerts, audit) still resolves.</summary>
public interface ISoftDeleted
{
    Guid Id { get; }

    Guid TeamId { get; }

    DateTimeOffset? DeletedAt { get; set; }
}
