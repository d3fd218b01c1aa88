using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cognive.Data.Migrations;

/// <summary>
/// The index the Swarm Queen's lease reads the queue through (TaskQueue's wait order: priority plus one point a minute
/// waited), so a lease takes the team's next task without sorting its whole queue. An expression index, which EF Core's
/// model does not describe: no model change, hence no snapshot.
/// </summary>
[DbContext(typeof(CogniveDbContext))]
[Migration("20261130161500_SwarmTaskWaitOrder")]
public sealed class SwarmTaskWaitOrder : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE INDEX "IX_swarm_tasks_team_id_wait_order" ON swarm_tasks
            (team_id, (extract(epoch FROM created_at - timestamptz '2000-01-01 00:00:00+00') - priority * 60), created_at)
            WHERE state = 'Queued';
        """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("""DROP INDEX "IX_swarm_tasks_team_id_wait_order";""");
}
