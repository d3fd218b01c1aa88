using System.Text;

namespace Cognive.Backups;

/// <summary>What the integrity checks found: row counts for the record, and every check that failed.</summary>
public sealed record IntegrityReport(IReadOnlyDictionary<string, long> RowCounts, int TeamsVerified, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;

    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var (table, rows) in RowCounts)
        {
            text.AppendLine($"{table}: {rows} rows");
        }

        text.AppendLine($"audit chains verified: {TeamsVerified}");
        foreach (var failure in Failures)
        {
            text.AppendLine($"FAILED: {failure}");
        }

        text.AppendLine(Passed ? "integrity: ok" : $"integrity: {Failures.Count} check(s) failed");
        return text.ToString();
    }
}
