using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Cognive.Data;

/// <summary>For `dotnet ef migrations add`: the model needs no live database to produce a migration.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<CogniveDbContext>
{
    public CogniveDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CogniveDbContext>().UseNpgsql("Host=localhost;Database=cognive").Options);
}
