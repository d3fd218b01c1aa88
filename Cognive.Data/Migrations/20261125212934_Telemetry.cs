using System;
using Cognive.Data.Telemetry;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Cognive.Data.Migrations
{
    /// <inheritdoc />
    public partial class Telemetry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "model_prices",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    provider = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    model = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    input_per_million = table.Column<decimal>(type: "numeric(14,6)", precision: 14, scale: 6, nullable: false),
                    output_per_million = table.Column<decimal>(type: "numeric(14,6)", precision: 14, scale: 6, nullable: false),
                    cached_input_per_million = table.Column<decimal>(type: "numeric(14,6)", precision: 14, scale: 6, nullable: true),
                    effective_from = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    effective_to = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    source = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_prices", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_model_prices_provider_model_effective_from",
                table: "model_prices",
                columns: new[] { "provider", "model", "effective_from" },
                unique: true);

            migrationBuilder.Sql(TelemetrySchema.CreateSql());
            migrationBuilder.Sql(TelemetrySchema.EnsurePartitionsSql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(TelemetrySchema.DropSql);

            migrationBuilder.DropTable(
                name: "model_prices");
        }
    }
}
