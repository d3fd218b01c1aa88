using Cognive.ApiService.Audit;
using Cognive.ApiService.Authentication;
using Cognive.ApiService.Validation;
using Cognive.Data;
using Cognive.Data.Pricing;
using Cognive.Data.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Pricing;

public sealed record PriceResponse(string Provider, string Model, decimal InputPerMillion, decimal OutputPerMillion,
    decimal? CachedInputPerMillion, DateTimeOffset EffectiveFrom, DateTimeOffset? EffectiveTo, string Source)
{
    public static PriceResponse From(ModelPrice price) => new(price.Provider, price.Model, price.InputPerMillion,
        price.OutputPerMillion, price.CachedInputPerMillion, price.EffectiveFrom, price.EffectiveTo, price.Source);
}

public sealed record ModelPricing(string Provider, string Model, PriceResponse? Current, IReadOnlyList<PriceResponse> Versions);

/// <summary>A new price version; it takes effect at <see cref="EffectiveFrom"/> (now when left out), never in the past,
/// so calls already stored keep the price they were charged.</summary>
public sealed record AddPriceRequest(string? Provider, string? Model, decimal? InputPerMillion, decimal? OutputPerMillion,
    decimal? CachedInputPerMillion, DateTimeOffset? EffectiveFrom, string? Source);

public static class PricingEndpoints
{
    private const decimal MaxPricePerMillion = 100_000m;

    public static RouteGroupBuilder MapPricingEndpoints(this RouteGroupBuilder api)
    {
        var pricing = api.MapGroup("/pricing").WithTags("Pricing");
        pricing.MapGet("/", ListCurrentAsync).RequirePermission(Permissions.CostRead);
        pricing.MapGet("/{provider}/{model}", GetAsync).RequirePermission(Permissions.CostRead);
        pricing.MapPost("/", AddAsync).RequireAuthorization(CogniveClaims.InstallationAdminPolicy);
        return api;
    }

    /// <summary>The prices in force now.</summary>
    private static async Task<Ok<List<PriceResponse>>> ListCurrentAsync(string? provider, CogniveDbContext db, TimeProvider time,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var query = db.ModelPrices.AsNoTracking().Where(p => p.EffectiveFrom <= now && (p.EffectiveTo == null || p.EffectiveTo > now));
        query = provider is null ? query : query.Where(p => p.Provider == provider.ToLowerInvariant());
        var prices = await query.OrderBy(p => p.Provider).ThenBy(p => p.Model).ToListAsync(ct);
        return TypedResults.Ok(prices.Select(PriceResponse.From).ToList());
    }

    private static async Task<Results<Ok<ModelPricing>, NotFound>> GetAsync(string provider, string model, CogniveDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        var (p, m) = (provider.ToLowerInvariant(), model.ToLowerInvariant());
        var versions = await db.ModelPrices.AsNoTracking().Where(v => v.Provider == p && v.Model == m)
            .OrderBy(v => v.EffectiveFrom).ToListAsync(ct);
        if (versions.Count == 0)
        {
            return TypedResults.NotFound();
        }

        var now = time.GetUtcNow();
        var current = versions.LastOrDefault(v => v.EffectiveFrom <= now && (v.EffectiveTo is null || v.EffectiveTo > now));
        return TypedResults.Ok(new ModelPricing(p, m, current is null ? null : PriceResponse.From(current),
            versions.Select(PriceResponse.From).ToList()));
    }

    private static async Task<Results<Created<PriceResponse>, ValidationProblem, ProblemHttpResult>> AddAsync(
        AddPriceRequest request, CogniveDbContext db, AuditLog audit, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (Validate(request, now) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var price = await AuditLog.InTransactionAsync(db, async () =>
        {
            var price = new ModelPrice
            {
                Provider = request.Provider!.Trim().ToLowerInvariant(),
                Model = request.Model!.Trim().ToLowerInvariant(),
                InputPerMillion = request.InputPerMillion!.Value,
                OutputPerMillion = request.OutputPerMillion!.Value,
                CachedInputPerMillion = request.CachedInputPerMillion,
                EffectiveFrom = (request.EffectiveFrom ?? now).ToUniversalTime(),
                Source = request.Source?.Trim() ?? "added through the API",
                CreatedAt = now,
            };
            db.ModelPrices.Add(price);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                return null;
            }

            await PriceVersions.ChainAsync(db, ct);
            await db.Entry(price).ReloadAsync(ct);
            await audit.RecordAsync(db, http, "price.add", "price", $"{price.Provider}/{price.Model}", new { after = PriceResponse.From(price) }, ct);
            return price;
        }, ct);
        if (price is null)
        {
            return TypedResults.Problem(type: "https://cognive.dev/problems/price-version-exists", title: "Price version exists",
                statusCode: StatusCodes.Status409Conflict, detail: "This model has a price version from that instant.");
        }

        return TypedResults.Created($"/api/v1/pricing/{price.Provider}/{price.Model}", PriceResponse.From(price));
    }

    private static Dictionary<string, string[]>? Validate(AddPriceRequest request, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        FieldRules.Text(errors, "provider", request.Provider, 100, required: true);
        FieldRules.Text(errors, "model", request.Model, 200, required: true);
        Price(errors, "input_per_million", request.InputPerMillion, required: true);
        Price(errors, "output_per_million", request.OutputPerMillion, required: true);
        Price(errors, "cached_input_per_million", request.CachedInputPerMillion, required: false);
        FieldRules.Text(errors, "source", request.Source, 500, required: false);
        if (request.EffectiveFrom < now.AddMinutes(-1))
        {
            errors["effective_from"] = ["effective_from is now or later: stored calls keep the price they were charged."];
        }

        return FieldRules.ErrorsOrNull(errors);
    }

    private static void Price(Dictionary<string, string[]> errors, string field, decimal? value, bool required)
    {
        if (value is null ? required : value is < 0 or > MaxPricePerMillion)
        {
            errors[field] = [$"{field} is {(required ? "required, " : "")}0 to {MaxPricePerMillion} USD per million tokens."];
        }
    }
}
