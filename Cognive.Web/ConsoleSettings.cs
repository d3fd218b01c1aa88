using System.ComponentModel.DataAnnotations;

namespace Cognive.Web;

/// <summary>The console's settings (<c>Cognive:Console</c>), passed by the AppHost's settings allow-list.</summary>
public sealed class ConsoleSettings
{
    public const string Section = "Cognive:Console";

    /// <summary>
    /// How long before an access token expires the console trades its refresh token for a new one. The API's access
    /// tokens live 10 minutes; tests set this close to that to watch the refresh cycle without waiting.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:09:59")]
    public TimeSpan RefreshAhead { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the overview re-asks the API while its page is open (new calls show within this plus the API's cache).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan OverviewRefresh { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a sign-in lasts without use in this console before its cookie is refused.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "14.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(8);
}
