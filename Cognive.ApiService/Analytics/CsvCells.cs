using System.Globalization;

namespace Cognive.ApiService.Analytics;

/// <summary>
/// RFC 4180 cells for exports people open in spreadsheets. Text a tenant chose (agent names, model names) is data, never
/// a formula: a cell starting with <c>= + - @</c>, a tab or a carriage return gets a leading apostrophe (OWASP's
/// advice against CSV injection) before it is quoted.
/// </summary>
public static class CsvCells
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];
    private static readonly char[] NeedQuotes = [',', '"', '\r', '\n'];

    /// <summary>A text cell: defused, then quoted when it holds a separator, a quote or a line break.</summary>
    public static string Text(string value)
    {
        if (value.Length > 0 && Array.IndexOf(FormulaStarts, value[0]) >= 0)
        {
            value = "'" + value;
        }

        return value.IndexOfAny(NeedQuotes) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
