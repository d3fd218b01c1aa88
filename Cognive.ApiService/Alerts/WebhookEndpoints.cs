using System.Security.Claims;
using System.Security.Cryptography;
using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.Data;
using Cognive.Data.Access;
using Cognive.Data.Alerts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Alerts;

public static class WebhookEndpoints
{
    public const int MaxUrlLength = 2000;
    private const string SecretScheme = "whsec_";

    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").WithTags("Alerts");
        webhooks.MapPost("/", CreateAsync).RequirePermission(Permissions.BudgetWrite);
        // Listed URLs may carry the receiver's own token: for those who may change webhooks only.
        webhooks.MapGet("/", ListAsync).RequirePermission(Permissions.BudgetWrite);
        webhooks.MapDelete("/{id:guid}", DeleteAsync).RequirePermission(Permissions.BudgetWrite);
        return api;
    }

    private static async Task<Results<Created<CreatedWebhookResponse>, ValidationProblem>> CreateAsync(CreateWebhookRequest request,
        ClaimsPrincipal user, CogniveDbContext db, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        if (ValidateUrl(request.Url) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var webhook = await AuditLog.InTransactionAsync(db, async () =>
        {
            var webhook = new Webhook
            {
                TeamId = CogniveClaims.TeamIdOf(user),
                Url = request.Url!.Trim(),
                Secret = SecretScheme + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                CreatedAt = time.GetUtcNow(),
            };
            db.Webhooks.Add(webhook);
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(db, http, "webhook.create", "webhook", webhook.Id, new { after = Audited(webhook) }, ct);
            return webhook;
        }, ct);
        return TypedResults.Created($"/api/v1/webhooks/{webhook.Id}",
            new CreatedWebhookResponse(webhook.Id, webhook.Url, webhook.Secret, webhook.CreatedAt));
    }

    private static async Task<Ok<List<WebhookResponse>>> ListAsync(ClaimsPrincipal user, CogniveDbContext db, CancellationToken ct)
    {
        var teamId = CogniveClaims.TeamIdOf(user);
        var webhooks = await db.Webhooks.AsNoTracking()
            .Where(w => w.TeamId == teamId && w.DeletedAt == null)
            .OrderBy(w => w.CreatedAt)
            .Select(w => new WebhookResponse(w.Id, w.Url, w.CreatedAt))
            .ToListAsync(ct);
        return TypedResults.Ok(webhooks);
    }

    /// <summary>Soft-deletes: past deliveries keep naming the webhook; those still pending are given up.</summary>
    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, CogniveDbContext db, AuditLog audit, HttpContext http,
        TimeProvider time, CancellationToken ct) =>
        await SoftDeletion.EndAsync<Webhook>(db, audit, http, time, id, "webhook", Audited, ct, async _ => new
        {
            pending_deliveries_abandoned = await db.AlertDeliveries
                .Where(d => d.WebhookId == id && d.Status == DeliveryStatus.Pending)
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.Status, DeliveryStatus.Dead).SetProperty(x => x.LastError, DeliveryErrors.WebhookDeleted), ct),
        })
            ? TypedResults.NoContent()
            : TypedResults.NotFound();

    /// <summary>
    /// What the audit keeps of a webhook: where it points, not its path or query, which often carry the receiver's own
    /// token; never the secret.
    /// </summary>
    private static object Audited(Webhook webhook)
    {
        var url = new Uri(webhook.Url);
        return new { origin = $"{url.Scheme}://{url.Authority}" };
    }

    private static Dictionary<string, string[]>? ValidateUrl(string? url)
    {
        string? error = url?.Trim() switch
        {
            null or "" => "url is required.",
            { Length: > MaxUrlLength } => $"url has at most {MaxUrlLength} characters.",
            var given when !Uri.TryCreate(given, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") =>
                "url is an absolute http or https URL.",
            _ => null,
        };
        return error is null ? null : new Dictionary<string, string[]> { ["url"] = [error] };
    }
}
