using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cognive.Data.Migrations
{
    /// <summary>
    /// The trace → run key of OTLP ingestion (the gateway's one run per trace). Plain SQL beside the telemetry tables,
    /// which EF does not model either: the gateway reads and writes it with Npgsql only. Its primary key is what makes
    /// concurrent exports of one trace share one run.
    /// </summary>
    public partial class OtelTraceRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE otel_trace_runs (
                    team_id    uuid        NOT NULL,
                    trace_id   uuid        NOT NULL,
                    run_id     uuid        NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (team_id, trace_id)
                );
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE otel_trace_runs;");
        }
    }
}
