using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cognive.Data.Migrations
{
    /// <inheritdoc />
    public partial class SwarmAlerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_alert_deliveries_budget_alerts_alert_id",
                table: "alert_deliveries");

            migrationBuilder.CreateTable(
                name: "swarm_alerts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    team_id = table.Column<Guid>(type: "uuid", nullable: false),
                    alert = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    kind = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    raised_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_swarm_alerts", x => x.id);
                    table.ForeignKey(
                        name: "FK_swarm_alerts_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_swarm_alerts_team_id_raised_at",
                table: "swarm_alerts",
                columns: new[] { "team_id", "raised_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "swarm_alerts");

            migrationBuilder.AddForeignKey(
                name: "FK_alert_deliveries_budget_alerts_alert_id",
                table: "alert_deliveries",
                column: "alert_id",
                principalTable: "budget_alerts",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }
    }
}
