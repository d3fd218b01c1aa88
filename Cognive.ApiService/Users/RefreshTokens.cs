using System.Security.Cryptography;
using System.Text;
using Cognive.ApiService.Authentication;
using Cognive.Data;
using Cognive.Data.Users;
using Microsoft.EntityFrameworkCore;

namespace Cognive.ApiService.Users;

/// <summary>
/// Opaque refresh tokens (<c>cgr_…</c>, 256 random bits), stored as SHA-256 hashes. Each is used once: refreshing
/// rotates it within its family, and a second use of a rotated token revokes the whole family.
/// </summary>
public static class RefreshTokens
{
    private const string Scheme = "cgr_";

    /// <param name="sessionEndsAt">The login's absolute end: the token expires then at the latest.</param>
    public static async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAsync(CogniveDbContext db, Guid userId, Guid familyId,
        DateTimeOffset now, DateTimeOffset sessionEndsAt, CancellationToken ct)
    {
        var token = Scheme + Base64Url(RandomNumberGenerator.GetBytes(32));
        var stored = new RefreshToken
        {
            UserId = userId, FamilyId = familyId, TokenHash = HashOf(token), CreatedAt = now,
            ExpiresAt = Min(now + JwtSettings.RefreshTokenLifetime, sessionEndsAt), SessionEndsAt = sessionEndsAt,
        };
        db.RefreshTokens.Add(stored);
        await db.SaveChangesAsync(ct);
        return (token, stored.ExpiresAt);
    }

    public static Task<RefreshToken?> FindAsync(CogniveDbContext db, string? token, CancellationToken ct) =>
        token is { Length: > 4 and < 100 } && token.StartsWith(Scheme, StringComparison.Ordinal)
            ? db.RefreshTokens.SingleOrDefaultAsync(t => t.TokenHash == HashOf(token), ct)
            : Task.FromResult<RefreshToken?>(null);

    /// <summary>
    /// Marks the token used; false when it was used or revoked already (concurrent refreshes: one wins), expired, or its
    /// login reached its absolute end.
    /// </summary>
    public static async Task<bool> TryRotateAsync(CogniveDbContext db, RefreshToken token, DateTimeOffset now, CancellationToken ct) =>
        await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.RotatedAt == null && t.RevokedAt == null && t.ExpiresAt > now && t.SessionEndsAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RotatedAt, now), ct) == 1;

    public static Task<int> RevokeFamilyAsync(CogniveDbContext db, Guid familyId, DateTimeOffset now, CancellationToken ct) =>
        db.RefreshTokens.Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), ct);

    /// <summary>Ends every login of the person: none of their refresh tokens works again.</summary>
    public static Task<int> RevokeAllAsync(CogniveDbContext db, Guid userId, DateTimeOffset now, CancellationToken ct) =>
        db.RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), ct);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static byte[] HashOf(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
