namespace Cognive.ApiService.Users;

public sealed record RegisterRequest(string? Email, string? Password, string? Role);

public sealed record UserResponse(Guid Id, Guid TeamId, string Email, string Role, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt);

/// <summary>A change of a person: a new <see cref="Role"/>, and/or <see cref="Disabled"/> true (disable) or false (enable).</summary>
public sealed record UpdateUserRequest(string? Role, bool? Disabled);

/// <summary>A new password an admin sets for a person.</summary>
public sealed record SetPasswordRequest(string? Password);

/// <summary>A person changing their own password proves they know the current one.</summary>
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record LogoutRequest(string? RefreshToken);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken, DateTimeOffset RefreshExpiresAt);

/// <summary>The caller: a person (<see cref="UserId"/>, <see cref="Role"/>) or an API key (<see cref="KeyPrefix"/>).</summary>
/// <param name="RateLimitPerMinute">The caller's requests per minute, counted across the API and the swarm queen.</param>
/// <param name="InstallationAdmin">The caller is of the installation's admin team and holds <c>admin</c>: it may manage teams and prices.</param>
public sealed record CallerResponse(Guid TeamId, Guid? UserId, string? Email, string? Role, string? KeyPrefix, IReadOnlyList<string> Permissions,
    int RateLimitPerMinute, bool InstallationAdmin);
