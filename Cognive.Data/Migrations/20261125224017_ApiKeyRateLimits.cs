using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cognive.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApiKeyRateLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "rate_limit_per_minute",
                table: "api_keys",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "rate_limit_per_minute",
                table: "api_keys");
        }
    }
}
