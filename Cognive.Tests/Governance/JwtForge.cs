using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cognive.Tests.Infrastructure;

namespace Cognive.Tests.Governance;

/// <summary>
/// Builds JWTs by hand (header.payload.signature, HMAC-SHA256), so tests can make the tokens an attacker would:
/// expired, re-signed, unsigned, edited. The test project references no JWT library, and needs none for this.
/// </summary>
public static class JwtForge
{
    public const string Issuer = "cognive";
    public const string Audience = "cognive-api";

    /// <summary>The claims Cognive issues for <paramref name="person"/>, valid from <paramref name="issued"/> for ten minutes.</summary>
    public static JsonObject ClaimsOf(Person person, DateTimeOffset issued) => new()
    {
        ["iss"] = Issuer,
        ["aud"] = Audience,
        ["sub"] = person.Id.ToString(),
        ["email"] = person.Email,
        ["cognive:team_id"] = person.TeamId.ToString(),
        ["role"] = person.Role,
        ["jti"] = Guid.NewGuid().ToString("N"),
        ["cognive:installation_admin"] = "false",
        ["iat"] = issued.ToUnixTimeSeconds(),
        ["nbf"] = issued.ToUnixTimeSeconds(),
        ["exp"] = issued.AddMinutes(10).ToUnixTimeSeconds(),
    };

    public static string SignHs256(JsonObject claims, byte[] key) =>
        Encode(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" }, claims, key);

    /// <summary>The "alg: none" token: no signature at all.</summary>
    public static string Unsigned(JsonObject claims) => Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }, claims, key: null);

    public static JsonObject PayloadOf(string token) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!.AsObject();

    /// <summary>Replaces the payload and keeps the header and the original signature.</summary>
    public static string WithPayload(string token, JsonObject payload)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{Part(payload)}.{parts[2]}";
    }

    private static string Encode(JsonObject header, JsonObject claims, byte[]? key)
    {
        var signed = $"{Part(header)}.{Part(claims)}";
        var signature = key is null ? "" : Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signed)));
        return $"{signed}.{signature}";
    }

    private static string Part(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
