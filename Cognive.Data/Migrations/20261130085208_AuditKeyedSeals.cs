using System;
using Cognive.Data.Audit;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Cognive.Data.Migrations
{
    /// <inheritdoc />
    public partial class AuditKeyedSeals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<short>(
                name: "seal_version",
                table: "audit_records",
                type: "smallint",
                nullable: false,
                defaultValue: (short)AuditSealVersion.Sha256);

            // Records written so far were sealed with plain SHA-256; new ones name their seal explicitly.
            migrationBuilder.Sql("ALTER TABLE audit_records ALTER COLUMN seal_version DROP DEFAULT;");

            migrationBuilder.CreateTable(
                name: "audit_checkpoints",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    team_id = table.Column<Guid>(type: "uuid", nullable: false),
                    last_id = table.Column<long>(type: "bigint", nullable: false),
                    hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    record_count = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    signature = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_checkpoints", x => x.id);
                    table.ForeignKey(
                        name: "FK_audit_checkpoints_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_audit_checkpoints_team_id_last_id",
                table: "audit_checkpoints",
                columns: new[] { "team_id", "last_id" });

            migrationBuilder.Sql(AuditCheckpoint.AppendOnlySql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(AuditCheckpoint.DropAppendOnlySql);

            migrationBuilder.DropTable(
                name: "audit_checkpoints");

            migrationBuilder.DropColumn(
                name: "seal_version",
                table: "audit_records");
        }
    }
}
