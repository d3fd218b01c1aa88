using Cognive.Backups;

// Checks the database a restored backup holds (scripts/backup.sh verify, the drill tests). The connection string and the
// audit signing key come from the environment the services use, never from arguments (which `ps` shows).
var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__cognive");
var auditKey = Environment.GetEnvironmentVariable("Cognive__Audit__SigningKey");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine("Set ConnectionStrings__cognive to the database to check.");
    return 2;
}

try
{
    var report = await IntegrityChecks.RunAsync(connectionString, auditKey, CancellationToken.None);
    Console.Write(report.Describe());
    return report.Passed ? 0 : 1;
}
catch (Npgsql.NpgsqlException e)
{
    // A database that is not Cognive's, or not whole (a table missing), fails the check rather than crashing it.
    Console.Error.WriteLine($"integrity: the checks could not run: {e.Message}");
    return 1;
}
