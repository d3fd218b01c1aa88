using System.Collections.Concurrent;
using System.Security.Cryptography;
using Cognive.Web.Api;
using Microsoft.Extensions.Options;

namespace Cognive.Web.SignIn;

/// <summary>
/// The API tokens of every signed-in person, kept in this process only: the browser's cookie names a session by a random
/// id and never holds a token. An access token about to expire is traded for a new one with the refresh token, once
/// per session at a time (the API's refresh tokens rotate, and a reused one ends the whole login). Sessions end on
/// sign-out, when the API refuses the refresh token, or when it passes its lifetime. A restart of the console signs
/// everyone out; several replicas need sticky sessions (Blazor Server circuits need them anyway).
/// </summary>
public sealed class ConsoleSessions(AuthApi auth, IOptions<ConsoleSettings> settings, TimeProvider time, ILogger<ConsoleSessions> log)
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public string Start(AuthApi.Tokens tokens, Guid? userId)
    {
        var now = time.GetUtcNow();
        foreach (var (id, stale) in _sessions.Where(s => s.Value.Tokens.RefreshExpiresAt <= now))
        {
            _sessions.TryRemove(id, out _);
        }

        var sessionId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _sessions[sessionId] = new Session(tokens, now, userId);
        return sessionId;
    }

    public bool IsOpen(string? sessionId) =>
        sessionId is not null && _sessions.TryGetValue(sessionId, out var session) && session.Tokens.RefreshExpiresAt > time.GetUtcNow();

    /// <summary>An access token valid for at least <see cref="ConsoleSettings.RefreshAhead"/>, refreshed here when needed.</summary>
    public async Task<string> AccessTokenAsync(string? sessionId, CancellationToken ct)
    {
        if (sessionId is null || !_sessions.TryGetValue(sessionId, out var session))
        {
            throw new ApiProblemException(ApiProblem.Ended("You are signed out. Sign in again."));
        }

        if (!session.NeedsRefresh(time.GetUtcNow(), settings.Value.RefreshAhead))
        {
            return session.Tokens.AccessToken;
        }

        await session.Refreshing.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            if (!session.NeedsRefresh(now, settings.Value.RefreshAhead))
            {
                return session.Tokens.AccessToken; // another request of this session refreshed it meanwhile
            }

            if (await auth.RefreshAsync(session.Tokens.RefreshToken, ct) is not { } fresh)
            {
                _sessions.TryRemove(sessionId, out _);
                log.LogInformation("The API ended the login of user {UserId}'s console session; they sign in again", session.UserId);
                throw new ApiProblemException(ApiProblem.Ended("Your sign-in has ended (expired or revoked). Sign in again."));
            }

            session.Renew(fresh, now);
            log.LogInformation("Refreshed the access token of user {UserId}'s console session", session.UserId);
            return fresh.AccessToken;
        }
        finally
        {
            session.Refreshing.Release();
        }
    }

    /// <summary>Ends the session here and its login at the API (the access token and every refresh token of it revoked).</summary>
    public async Task EndAsync(string? sessionId, CancellationToken ct)
    {
        if (sessionId is null || !_sessions.ContainsKey(sessionId))
        {
            return;
        }

        try
        {
            var access = await AccessTokenAsync(sessionId, ct);
            if (_sessions.TryGetValue(sessionId, out var session))
            {
                await auth.LogoutAsync(access, session.Tokens.RefreshToken, ct);
            }
        }
        catch (ApiProblemException e) when (e.Problem.SessionEnded)
        {
            // The API ended the login already.
        }
        finally
        {
            _sessions.TryRemove(sessionId, out _);
        }
    }

    private sealed class Session(AuthApi.Tokens tokens, DateTimeOffset issuedAt, Guid? userId)
    {
        public Guid? UserId { get; } = userId;

        public AuthApi.Tokens Tokens { get; private set; } = tokens;
        private DateTimeOffset _accessExpiresAt = issuedAt.AddSeconds(tokens.ExpiresIn);

        public SemaphoreSlim Refreshing { get; } = new(1, 1);

        public bool NeedsRefresh(DateTimeOffset now, TimeSpan ahead) => _accessExpiresAt - ahead <= now;

        public void Renew(AuthApi.Tokens fresh, DateTimeOffset issuedAt)
        {
            Tokens = fresh;
            _accessExpiresAt = issuedAt.AddSeconds(fresh.ExpiresIn);
        }
    }
}
