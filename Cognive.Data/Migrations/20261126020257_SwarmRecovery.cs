using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cognive.Data.Migrations
{
    /// <inheritdoc />
    public partial class SwarmRecovery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "stale_outcomes",
                table: "swarm_tasks",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "failed_at",
                table: "swarm_instances",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "failure_reason",
                table: "swarm_instances",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "host",
                table: "swarm_instances",
                type: "character varying(253)",
                maxLength: 253,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "kind",
                table: "swarm_instances",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "default");

            migrationBuilder.AddColumn<string>(
                name: "readiness_url",
                table: "swarm_instances",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "recovery_due_at",
                table: "swarm_instances",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "swarm_circuits",
                columns: table => new
                {
                    team_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    opened_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    open_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_swarm_circuits", x => new { x.team_id, x.kind });
                    table.ForeignKey(
                        name: "FK_swarm_circuits_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "swarm_recoveries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<Guid>(type: "uuid", nullable: false),
                    instance_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    host = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    reason = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    failed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    action = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    outcome = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_swarm_recoveries", x => x.id);
                    table.ForeignKey(
                        name: "FK_swarm_recoveries_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_swarm_instances_recovery_due_at",
                table: "swarm_instances",
                column: "recovery_due_at",
                filter: "recovery_due_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_swarm_recoveries_instance_id_failed_at_outcome",
                table: "swarm_recoveries",
                columns: new[] { "instance_id", "failed_at", "outcome" },
                unique: true,
                filter: "outcome IN ('RateLimited', 'CircuitOpen')");

            migrationBuilder.CreateIndex(
                name: "IX_swarm_recoveries_team_id_kind_decided_at",
                table: "swarm_recoveries",
                columns: new[] { "team_id", "kind", "decided_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "swarm_circuits");

            migrationBuilder.DropTable(
                name: "swarm_recoveries");

            migrationBuilder.DropIndex(
                name: "IX_swarm_instances_recovery_due_at",
                table: "swarm_instances");

            migrationBuilder.DropColumn(
                name: "stale_outcomes",
                table: "swarm_tasks");

            migrationBuilder.DropColumn(
                name: "failed_at",
                table: "swarm_instances");

            migrationBuilder.DropColumn(
                name: "failure_reason",
                table: "swarm_instances");

            migrationBuilder.DropColumn(
                name: "host",
                table: "swarm_instances");

            migrationBuilder.DropColumn(
                name: "kind",
                table: "swarm_instances");

            migrationBuilder.DropColumn(
                name: "readiness_url",
                table: "swarm_instances");

            migrationBuilder.DropColumn(
                name: "recovery_due_at",
                table: "swarm_instances");
        }
    }
}
