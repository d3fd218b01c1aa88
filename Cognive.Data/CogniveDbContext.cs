using Cognive.Data.Agents;
using Cognive.Data.Alerts;
using Cognive.Data.ApiKeys;
using Cognive.Data.Audit;
using Cognive.Data.Budgets;
using Cognive.Data.Policies;
using Cognive.Data.Providers;
using Cognive.Data.Swarm;
using Cognive.Data.Pricing;
using Cognive.Data.Teams;
using Cognive.Data.Users;
using Microsoft.EntityFrameworkCore;

namespace Cognive.Data;

public sealed class CogniveDbContext(DbContextOptions<CogniveDbContext> options) : DbContext(options)
{
    public DbSet<Team> Teams => Set<Team>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Agent> Agents => Set<Agent>();

    public DbSet<ModelPrice> ModelPrices => Set<ModelPrice>();

    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<User> Users => Set<User>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<Budget> Budgets => Set<Budget>();

    public DbSet<BudgetAlert> BudgetAlerts => Set<BudgetAlert>();

    public DbSet<Webhook> Webhooks => Set<Webhook>();

    public DbSet<AlertDelivery> AlertDeliveries => Set<AlertDelivery>();

    public DbSet<Policy> Policies => Set<Policy>();

    public DbSet<ProviderConnection> ProviderConnections => Set<ProviderConnection>();

    public DbSet<SwarmTask> SwarmTasks => Set<SwarmTask>();

    public DbSet<SwarmInstance> SwarmInstances => Set<SwarmInstance>();

    public DbSet<SwarmAlert> SwarmAlerts => Set<SwarmAlert>();

    public DbSet<SwarmMemoryEntry> SwarmMemory => Set<SwarmMemoryEntry>();

    public DbSet<SwarmRecovery> SwarmRecoveries => Set<SwarmRecovery>();

    public DbSet<SwarmCircuit> SwarmCircuits => Set<SwarmCircuit>();

    public DbSet<SwarmKind> SwarmKinds => Set<SwarmKind>();

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
            // A row inserted without scopes can do nothing (the default the column was added with, kept by the baseline).
            key.Property(k => k.Scopes).HasColumnName("scopes").HasDefaultValueSql("ARRAY[]::text[]");
            key.Property(k => k.ExpiresAt).HasColumnName("expires_at");
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
            audit.Property(a => a.SealVersion).HasColumnName("seal_version");
            audit.Property(a => a.Hash).HasColumnName("hash");
            audit.HasIndex(a => new { a.TeamId, a.Id });
            audit.HasOne<Team>().WithMany().HasForeignKey(a => a.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<AuditCheckpoint>(checkpoint =>
        {
            checkpoint.ToTable("audit_checkpoints");
            checkpoint.Property(c => c.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            checkpoint.Property(c => c.TeamId).HasColumnName("team_id");
            checkpoint.Property(c => c.LastId).HasColumnName("last_id");
            checkpoint.Property(c => c.Hash).HasColumnName("hash");
            checkpoint.Property(c => c.Count).HasColumnName("record_count");
            checkpoint.Property(c => c.CreatedAt).HasColumnName("created_at");
            checkpoint.Property(c => c.Signature).HasColumnName("signature");
            checkpoint.HasIndex(c => new { c.TeamId, c.LastId });
            checkpoint.HasOne<Team>().WithMany().HasForeignKey(c => c.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        MapPeople(model);
        MapGovernance(model);
        MapSwarm(model);
    }

    private static void MapSwarm(ModelBuilder model)
    {
        model.Entity<SwarmTask>(task =>
        {
            task.ToTable("swarm_tasks");
            task.Property(t => t.Id).HasColumnName("id");
            task.Property(t => t.TeamId).HasColumnName("team_id");
            task.Property(t => t.Type).HasColumnName("type").HasMaxLength(100);
            task.Property(t => t.Payload).HasColumnName("payload").HasColumnType("jsonb");
            task.Property(t => t.Priority).HasColumnName("priority");
            task.Property(t => t.RequiredCapabilities).HasColumnName("required_capabilities");
            task.Property(t => t.State).HasColumnName("state").HasConversion<string>().HasMaxLength(20);
            task.Property(t => t.Attempts).HasColumnName("attempts");
            task.Property(t => t.MaxAttempts).HasColumnName("max_attempts");
            task.Property(t => t.Deadline).HasColumnName("deadline");
            task.Property(t => t.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(200);
            task.Property(t => t.InstanceId).HasColumnName("instance_id");
            task.Property(t => t.FencingToken).HasColumnName("fencing_token");
            task.Property(t => t.LeaseExpiresAt).HasColumnName("lease_expires_at");
            task.Property(t => t.AvailableAt).HasColumnName("available_at");
            task.Property(t => t.Result).HasColumnName("result").HasColumnType("jsonb");
            task.Property(t => t.Error).HasColumnName("error").HasMaxLength(2000);
            task.Property(t => t.CreatedAt).HasColumnName("created_at");
            task.Property(t => t.LeasedAt).HasColumnName("leased_at");
            task.Property(t => t.FinishedAt).HasColumnName("finished_at");
            // TaskQueue's INSERT leaves it to the database.
            task.Property(t => t.StaleOutcomes).HasColumnName("stale_outcomes").HasDefaultValue(0);
            task.HasIndex(t => new { t.TeamId, t.IdempotencyKey }).IsUnique().HasFilter("idempotency_key IS NOT NULL");
            task.HasIndex(t => new { t.TeamId, t.State, t.AvailableAt });
            task.HasIndex(t => t.LeaseExpiresAt).HasFilter("state = 'Leased'");
            // Each lease counts the instance's current leases (its concurrency), and heartbeats ask whether it holds any.
            task.HasIndex(t => t.InstanceId).HasFilter("state = 'Leased'");
            task.HasOne<Team>().WithMany().HasForeignKey(t => t.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<SwarmMemoryEntry>(entry =>
        {
            entry.ToTable("swarm_memory");
            entry.HasKey(e => new { e.TeamId, e.Namespace, e.Key });
            entry.Property(e => e.TeamId).HasColumnName("team_id");
            entry.Property(e => e.Namespace).HasColumnName("namespace").HasMaxLength(100);
            entry.Property(e => e.Key).HasColumnName("key").HasMaxLength(200);
            entry.Property(e => e.Value).HasColumnName("value").HasColumnType("jsonb");
            entry.Property(e => e.Version).HasColumnName("version");
            entry.Property(e => e.Tags).HasColumnName("tags");
            entry.Property(e => e.ExpiresAt).HasColumnName("expires_at");
            entry.Property(e => e.UpdatedAt).HasColumnName("updated_at");
            // The sweep deletes expired entries (they count against the team's quota until then) without scanning the live ones.
            entry.HasIndex(e => e.ExpiresAt).HasFilter("expires_at IS NOT NULL");
            entry.HasOne<Team>().WithMany().HasForeignKey(e => e.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<SwarmInstance>(instance =>
        {
            instance.ToTable("swarm_instances");
            instance.Property(i => i.Id).HasColumnName("id");
            instance.Property(i => i.TeamId).HasColumnName("team_id");
            instance.Property(i => i.AgentId).HasColumnName("agent_id");
            instance.Property(i => i.Capabilities).HasColumnName("capabilities");
            instance.Property(i => i.Version).HasColumnName("version").HasMaxLength(100);
            instance.Property(i => i.MaxConcurrency).HasColumnName("max_concurrency");
            instance.Property(i => i.State).HasColumnName("state").HasConversion<string>().HasMaxLength(20);
            instance.Property(i => i.RegisteredAt).HasColumnName("registered_at");
            instance.Property(i => i.LastHeartbeatAt).HasColumnName("last_heartbeat_at");
            instance.Property(i => i.LeftAt).HasColumnName("left_at");
            instance.Property(i => i.Recoveries).HasColumnName("recoveries");
            instance.Property(i => i.Kind).HasColumnName("kind").HasMaxLength(100).HasDefaultValue("default");
            instance.Property(i => i.Host).HasColumnName("host").HasMaxLength(253);
            instance.Property(i => i.ReadinessUrl).HasColumnName("readiness_url").HasMaxLength(500);
            instance.Property(i => i.FailedAt).HasColumnName("failed_at");
            instance.Property(i => i.FailureReason).HasColumnName("failure_reason").HasMaxLength(20);
            instance.Property(i => i.RecoveryDueAt).HasColumnName("recovery_due_at");
            instance.HasIndex(i => new { i.TeamId, i.State });
            instance.HasIndex(i => i.RecoveryDueAt).HasFilter("recovery_due_at IS NOT NULL");
            instance.HasOne<Team>().WithMany().HasForeignKey(i => i.TeamId).OnDelete(DeleteBehavior.Restrict);
            instance.HasOne<Agent>().WithMany().HasForeignKey(i => i.AgentId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<SwarmRecovery>(recovery =>
        {
            recovery.ToTable("swarm_recoveries");
            recovery.Property(r => r.Id).HasColumnName("id");
            recovery.Property(r => r.TeamId).HasColumnName("team_id");
            recovery.Property(r => r.InstanceId).HasColumnName("instance_id");
            recovery.Property(r => r.Kind).HasColumnName("kind").HasMaxLength(100);
            recovery.Property(r => r.Host).HasColumnName("host").HasMaxLength(253);
            recovery.Property(r => r.Reason).HasColumnName("reason").HasMaxLength(20);
            recovery.Property(r => r.FailedAt).HasColumnName("failed_at");
            recovery.Property(r => r.Action).HasColumnName("action").HasConversion<string>().HasMaxLength(20);
            recovery.Property(r => r.Outcome).HasColumnName("outcome").HasConversion<string>().HasMaxLength(20);
            recovery.Property(r => r.Attempt).HasColumnName("attempt");
            recovery.Property(r => r.Detail).HasColumnName("detail").HasMaxLength(1000);
            recovery.Property(r => r.DecidedAt).HasColumnName("decided_at");
            recovery.HasIndex(r => new { r.TeamId, r.Kind, r.DecidedAt });
            // A deferral (rate limit, open circuit) is recorded once per failure, not at every pass of the queen.
            recovery.HasIndex(r => new { r.InstanceId, r.FailedAt, r.Outcome }).IsUnique()
                .HasFilter("outcome IN ('RateLimited', 'CircuitOpen')");
            recovery.HasOne<Team>().WithMany().HasForeignKey(r => r.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<SwarmCircuit>(circuit =>
        {
            circuit.ToTable("swarm_circuits");
            circuit.HasKey(c => new { c.TeamId, c.Kind });
            circuit.Property(c => c.TeamId).HasColumnName("team_id");
            circuit.Property(c => c.Kind).HasColumnName("kind").HasMaxLength(100);
            circuit.Property(c => c.OpenedAt).HasColumnName("opened_at");
            circuit.Property(c => c.OpenUntil).HasColumnName("open_until");
            circuit.HasOne<Team>().WithMany().HasForeignKey(c => c.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<SwarmKind>(kind =>
        {
            kind.ToTable("swarm_kinds");
            kind.HasKey(k => k.Kind);
            kind.Property(k => k.Kind).HasColumnName("kind").HasMaxLength(100);
            kind.Property(k => k.TeamId).HasColumnName("team_id");
            kind.Property(k => k.AddedReplicas).HasColumnName("added_replicas");
            kind.Property(k => k.GrantedAt).HasColumnName("granted_at");
            kind.Property(k => k.GrantedBy).HasColumnName("granted_by").HasMaxLength(100);
            kind.HasIndex(k => k.TeamId);
            kind.HasOne<Team>().WithMany().HasForeignKey(k => k.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<SwarmAlert>(alert =>
        {
            alert.ToTable("swarm_alerts");
            alert.Property(a => a.Id).HasColumnName("id");
            alert.Property(a => a.TeamId).HasColumnName("team_id");
            alert.Property(a => a.Alert).HasColumnName("alert").HasMaxLength(40);
            alert.Property(a => a.Kind).HasColumnName("kind").HasMaxLength(100);
            alert.Property(a => a.Detail).HasColumnName("detail").HasMaxLength(1000);
            alert.Property(a => a.RaisedAt).HasColumnName("raised_at");
            alert.Property(a => a.EmailedAt).HasColumnName("emailed_at");
            alert.Property(a => a.EmailError).HasColumnName("email_error").HasMaxLength(500);
            alert.HasIndex(a => new { a.TeamId, a.RaisedAt });
            alert.HasOne<Team>().WithMany().HasForeignKey(a => a.TeamId).OnDelete(DeleteBehavior.Restrict);
        });
    }

    private static void MapPeople(ModelBuilder model)
    {
        model.Entity<User>(user =>
        {
            user.ToTable("users");
            user.Property(u => u.Id).HasColumnName("id");
            user.Property(u => u.TeamId).HasColumnName("team_id");
            user.Property(u => u.Email).HasColumnName("email").HasMaxLength(254);
            user.Property(u => u.PasswordHash).HasColumnName("password_hash").HasMaxLength(200);
            user.Property(u => u.Role).HasColumnName("role").HasMaxLength(20);
            user.Property(u => u.CreatedAt).HasColumnName("created_at");
            user.Property(u => u.LoginSelector).HasColumnName("login_selector");
            user.Property(u => u.DisabledAt).HasColumnName("disabled_at");
            user.HasIndex(u => new { u.TeamId, u.Email }).IsUnique();
            user.HasIndex(u => u.Email);
            user.HasIndex(u => u.TeamId);
            user.HasOne<Team>().WithMany().HasForeignKey(u => u.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens");
            token.Property(t => t.Id).HasColumnName("id");
            token.Property(t => t.UserId).HasColumnName("user_id");
            token.Property(t => t.FamilyId).HasColumnName("family_id");
            token.Property(t => t.TokenHash).HasColumnName("token_hash");
            token.Property(t => t.CreatedAt).HasColumnName("created_at");
            token.Property(t => t.ExpiresAt).HasColumnName("expires_at");
            // A row inserted without an end has already ended (the default the column was added with, kept by the baseline).
            token.Property(t => t.SessionEndsAt).HasColumnName("session_ends_at").HasDefaultValueSql("'-infinity'");
            token.Property(t => t.RotatedAt).HasColumnName("rotated_at");
            token.Property(t => t.RevokedAt).HasColumnName("revoked_at");
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.FamilyId);
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void MapGovernance(ModelBuilder model)
    {
        model.Entity<Budget>(budget =>
        {
            budget.ToTable("budgets");
            budget.Property(b => b.Id).HasColumnName("id");
            budget.Property(b => b.TeamId).HasColumnName("team_id");
            budget.Property(b => b.AgentId).HasColumnName("agent_id");
            budget.Property(b => b.Name).HasColumnName("name").HasMaxLength(200);
            budget.Property(b => b.AmountUsd).HasColumnName("amount_usd").HasPrecision(18, 6);
            budget.Property(b => b.Period).HasColumnName("period").HasConversion<string>().HasMaxLength(20);
            budget.Property(b => b.Mode).HasColumnName("mode").HasConversion<string>().HasMaxLength(20);
            budget.Property(b => b.Thresholds).HasColumnName("thresholds");
            budget.Property(b => b.CreatedAt).HasColumnName("created_at");
            budget.Property(b => b.UpdatedAt).HasColumnName("updated_at");
            budget.Property(b => b.DeletedAt).HasColumnName("deleted_at");
            budget.HasIndex(b => new { b.TeamId, b.AgentId });
            budget.HasOne<Team>().WithMany().HasForeignKey(b => b.TeamId).OnDelete(DeleteBehavior.Restrict);
            budget.HasOne<Agent>().WithMany().HasForeignKey(b => b.AgentId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<ProviderConnection>(connection =>
        {
            connection.ToTable("provider_connections");
            connection.Property(c => c.Id).HasColumnName("id");
            connection.Property(c => c.TeamId).HasColumnName("team_id");
            connection.Property(c => c.Name).HasColumnName("name").HasMaxLength(100);
            connection.Property(c => c.Provider).HasColumnName("provider").HasMaxLength(100);
            connection.Property(c => c.BaseUrl).HasColumnName("base_url").HasMaxLength(2000);
            connection.Property(c => c.EncryptedApiKey).HasColumnName("encrypted_api_key");
            connection.Property(c => c.IsDefault).HasColumnName("is_default");
            connection.Property(c => c.CreatedAt).HasColumnName("created_at");
            connection.Property(c => c.UpdatedAt).HasColumnName("updated_at");
            connection.Property(c => c.DeletedAt).HasColumnName("deleted_at");
            // Names are unique among a team's live connections, and at most one of them is the default.
            connection.HasIndex(c => new { c.TeamId, c.Name }).IsUnique().HasFilter("deleted_at IS NULL");
            connection.HasIndex(c => c.TeamId).IsUnique().HasFilter("deleted_at IS NULL AND is_default").HasDatabaseName("ix_provider_connections_default");
            connection.HasOne<Team>().WithMany().HasForeignKey(c => c.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<BudgetAlert>(alert =>
        {
            alert.ToTable("budget_alerts");
            alert.Property(a => a.Id).HasColumnName("id");
            alert.Property(a => a.TeamId).HasColumnName("team_id");
            alert.Property(a => a.BudgetId).HasColumnName("budget_id");
            alert.Property(a => a.PeriodStart).HasColumnName("period_start");
            alert.Property(a => a.Threshold).HasColumnName("threshold");
            alert.Property(a => a.SpentUsd).HasColumnName("spent_usd").HasPrecision(24, 10);
            alert.Property(a => a.LimitUsd).HasColumnName("limit_usd").HasPrecision(18, 6);
            alert.Property(a => a.FiredAt).HasColumnName("fired_at");
            alert.Property(a => a.EmailedAt).HasColumnName("emailed_at");
            alert.Property(a => a.EmailError).HasColumnName("email_error").HasMaxLength(500);
            alert.HasIndex(a => new { a.BudgetId, a.PeriodStart, a.Threshold }).IsUnique();
            alert.HasIndex(a => new { a.TeamId, a.FiredAt });
            alert.HasOne<Budget>().WithMany().HasForeignKey(a => a.BudgetId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<Webhook>(webhook =>
        {
            webhook.ToTable("webhooks");
            webhook.Property(w => w.Id).HasColumnName("id");
            webhook.Property(w => w.TeamId).HasColumnName("team_id");
            webhook.Property(w => w.Url).HasColumnName("url").HasMaxLength(2000);
            webhook.Property(w => w.Secret).HasColumnName("secret").HasMaxLength(100);
            webhook.Property(w => w.CreatedAt).HasColumnName("created_at");
            webhook.Property(w => w.DeletedAt).HasColumnName("deleted_at");
            webhook.HasIndex(w => w.TeamId);
            webhook.HasOne<Team>().WithMany().HasForeignKey(w => w.TeamId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<AlertDelivery>(delivery =>
        {
            delivery.ToTable("alert_deliveries");
            delivery.Property(d => d.Id).HasColumnName("id");
            delivery.Property(d => d.TeamId).HasColumnName("team_id");
            delivery.Property(d => d.AlertId).HasColumnName("alert_id");
            delivery.Property(d => d.WebhookId).HasColumnName("webhook_id");
            delivery.Property(d => d.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(20);
            delivery.Property(d => d.Attempts).HasColumnName("attempts");
            delivery.Property(d => d.NextAttemptAt).HasColumnName("next_attempt_at");
            delivery.Property(d => d.LastError).HasColumnName("last_error").HasMaxLength(500);
            delivery.Property(d => d.DeliveredAt).HasColumnName("delivered_at");
            delivery.HasIndex(d => new { d.AlertId, d.WebhookId }).IsUnique();
            delivery.HasIndex(d => d.NextAttemptAt).HasFilter("status = 'Pending'");
            delivery.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<Policy>(policy =>
        {
            policy.ToTable("policies");
            policy.Property(p => p.Id).HasColumnName("id");
            policy.Property(p => p.TeamId).HasColumnName("team_id");
            policy.Property(p => p.AgentId).HasColumnName("agent_id");
            policy.Property(p => p.Name).HasColumnName("name").HasMaxLength(200);
            policy.Property(p => p.AllowedProviders).HasColumnName("allowed_providers");
            policy.Property(p => p.AllowedModels).HasColumnName("allowed_models");
            policy.Property(p => p.MaxTokensPerCall).HasColumnName("max_tokens_per_call");
            policy.Property(p => p.MaxCallsPerMinute).HasColumnName("max_calls_per_minute");
            policy.Property(p => p.ActiveFromHour).HasColumnName("active_from_hour");
            policy.Property(p => p.ActiveToHour).HasColumnName("active_to_hour");
            policy.Property(p => p.Violations).HasColumnName("violations");
            policy.Property(p => p.CreatedAt).HasColumnName("created_at");
            policy.Property(p => p.DeletedAt).HasColumnName("deleted_at");
            policy.HasIndex(p => p.TeamId);
            policy.HasOne<Team>().WithMany().HasForeignKey(p => p.TeamId).OnDelete(DeleteBehavior.Restrict);
            policy.HasOne<Agent>().WithMany().HasForeignKey(p => p.AgentId).OnDelete(DeleteBehavior.Restrict);
        });
    }
}
