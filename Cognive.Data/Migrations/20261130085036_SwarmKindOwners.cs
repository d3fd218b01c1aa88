using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cognive.Data.Migrations
{
    /// <inheritdoc />
    public partial class SwarmKindOwners : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "swarm_kinds",
                columns: table => new
                {
                    kind = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    team_id = table.Column<Guid>(type: "uuid", nullable: false),
                    added_replicas = table.Column<int>(type: "integer", nullable: false),
                    granted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    granted_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_swarm_kinds", x => x.kind);
                    table.ForeignKey(
                        name: "FK_swarm_kinds_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_swarm_kinds_team_id",
                table: "swarm_kinds",
                column: "team_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "swarm_kinds");
        }
    }
}
