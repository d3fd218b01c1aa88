using Cognive.Data.Agents;
using Cognive.Data.ApiKeys;
using Cognive.Data.Audit;
using Cognive.Data.Pricing;
using Cognive.Data.Teams;
using Microsoft.EntityFrameworkCore;

namespace Cognive.Data;

public sealed class CogniveDbContext(DbContextOptions<CogniveDbContext> options) : DbContext(options)
{
    public DbSet<Team> Teams => Set<Team>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Agent> Agents => Set<Agent>();

    public DbSet<ModelPrice> ModelPrices => Set<ModelPrice>();

    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Team>(team =>
        {
            team.ToTable("teams");
            team.Property(t => t.Id).HasColumnName("id");
            team.Property(t => t.Name).HasColumnName("name").HasMaxLength(200);
            team.Property(t => t.IsAdmin).HasColumnName("is_admin");
            team.Property(t => t.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            team.HasIndex(t => t.Name).IsUnique();
        });

        model.Entity<ApiKey>(key =>
        {
            key.ToTable("api_keys");
            key.Property(k => k.Id).HasColumnName("id");
            key.Property(k => k.TeamId).HasColumnName("team_id");
            key.Property(k => k.Name).HasColumnName("name").HasMaxLength(200);
            key.Property(k => k.Prefix).HasColumnName("prefix").HasMaxLength(12);
            key.Property(k => k.SecretHash).HasColumnName("secret_hash");
            key.Property(k => k.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            key.Property(k => k.LastUsedAt).HasColumnName("last_used_at");
            key.Property(k => k.RevokedAt).HasColumnName("revoked_at");
            key.Property(k => k.RateLimitPerMinute).HasColumnName("rate_limit_per_minute");
            key.HasIndex(k => k.Prefix).IsUnique();
            key.HasIndex(k => k.TeamId);
            key.HasOne<Team>().WithMany().HasForeignKey(k => k.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<Agent>(agent =>
        {
            agent.ToTable("agents");
            agent.Property(a => a.Id).HasColumnName("id");
            agent.Property(a => a.TeamId).HasColumnName("team_id");
            agent.Property(a => a.Name).HasColumnName("name").HasMaxLength(200);
            agent.Property(a => a.Framework).HasColumnName("framework").HasMaxLength(100);
            agent.Property(a => a.Description).HasColumnName("description").HasMaxLength(2000);
            agent.Property(a => a.Config).HasColumnName("config").HasColumnType("jsonb");
            agent.Property(a => a.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(20);
            agent.Property(a => a.CreatedAt).HasColumnName("created_at");
            agent.Property(a => a.UpdatedAt).HasColumnName("updated_at");
            agent.HasIndex(a => new { a.TeamId, a.Name }).IsUnique();
            agent.HasIndex(a => new { a.TeamId, a.Id });
            agent.HasOne<Team>().WithMany().HasForeignKey(a => a.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<ModelPrice>(price =>
        {
            price.ToTable("model_prices");
            price.Property(p => p.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            price.Property(p => p.Provider).HasColumnName("provider").HasMaxLength(100);
            price.Property(p => p.Model).HasColumnName("model").HasMaxLength(200);
            price.Property(p => p.InputPerMillion).HasColumnName("input_per_million").HasPrecision(14, 6);
            price.Property(p => p.OutputPerMillion).HasColumnName("output_per_million").HasPrecision(14, 6);
            price.Property(p => p.CachedInputPerMillion).HasColumnName("cached_input_per_million").HasPrecision(14, 6);
            price.Property(p => p.EffectiveFrom).HasColumnName("effective_from");
            price.Property(p => p.EffectiveTo).HasColumnName("effective_to");
            price.Property(p => p.Source).HasColumnName("source").HasMaxLength(500);
            price.Property(p => p.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
            price.HasIndex(p => new { p.Provider, p.Model, p.EffectiveFrom }).IsUnique();
        });

        model.Entity<AuditRecord>(audit =>
        {
            audit.ToTable("audit_records");
            audit.Property(a => a.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            audit.Property(a => a.TeamId).HasColumnName("team_id");
            audit.Property(a => a.OccurredAt).HasColumnName("occurred_at");
            audit.Property(a => a.Actor).HasColumnName("actor").HasMaxLength(100);
            audit.Property(a => a.Action).HasColumnName("action").HasMaxLength(100);
            audit.Property(a => a.TargetType).HasColumnName("target_type").HasMaxLength(50);
            audit.Property(a => a.TargetId).HasColumnName("target_id").HasMaxLength(200);
            audit.Property(a => a.Summary).HasColumnName("summary");
            audit.Property(a => a.RequestId).HasColumnName("request_id").HasMaxLength(128);
            audit.Property(a => a.SourceIp).HasColumnName("source_ip").HasMaxLength(64);
            audit.Property(a => a.PreviousHash).HasColumnName("previous_hash");
            audit.Property(a => a.Hash).HasColumnName("hash");
            audit.HasIndex(a => new { a.TeamId, a.Id });
            audit.HasOne<Team>().WithMany().HasForeignKey(a => a.TeamId).OnDelete(DeleteBehavior.Restrict);
        });
    }
}
