using System.Globalization;

namespace Cognive.Web.Components.PageParts;

/// <summary>How the lists write counts, times and durations (money: the overview's <c>Money</c>).</summary>
public static class Show
{
    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? value) => value is { } v
        ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
        : "—";

    public static string Duration(double seconds) => seconds < 60
        ? $"{seconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
        : TimeSpan.FromSeconds(seconds).ToString(seconds < 3600 ? @"m\:ss" : @"h\:mm\:ss", CultureInfo.InvariantCulture);
}
