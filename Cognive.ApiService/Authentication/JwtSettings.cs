using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Cognive.ApiService.Authentication;

/// <summary>
/// How access tokens are signed and checked: HS256 only, with the key from <c>Cognive:Jwt:SigningKey</c> (a secret
/// parameter of the app model; at least 32 characters).
/// </summary>
public sealed class JwtSettings
{
    public const string SigningKeySetting = "Cognive:Jwt:SigningKey";
    public const string Issuer = "cognive";
    public const string Audience = "cognive-api";
    public const string Algorithm = SecurityAlgorithms.HmacSha256;
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan RefreshTokenLifetime = TimeSpan.FromDays(14);
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public JwtSettings(IConfiguration configuration)
    {
        var key = configuration[SigningKeySetting];
        if (key is not { Length: >= 32 })
        {
            throw new InvalidOperationException($"{SigningKeySetting} must be set to at least 32 characters.");
        }

        SigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key));
    }

    public SymmetricSecurityKey SigningKey { get; }

    public TokenValidationParameters ValidationParameters => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = SigningKey,
        ValidAlgorithms = [Algorithm],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = ClockSkew,
        NameClaimType = CogniveClaims.Email,
        RoleClaimType = CogniveClaims.Role,
    };
}
