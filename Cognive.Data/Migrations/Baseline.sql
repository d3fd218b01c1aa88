-- What the baseline migration adds to the EF Core model in plain SQL: EF Core cannot declare partitioned tables,
-- functions or triggers. Frozen with the migration: a later change goes into a new migration, not here.

-- The time-series side of Cognive.
-- Runs are partitioned by month of started_at, LLM calls by day of occurred_at; partitions are created ahead by
-- cognive_ensure_partitions (the migrations service and the workers call it).

CREATE TABLE agent_runs (
    id                  uuid          NOT NULL,
    team_id             uuid          NOT NULL,
    agent_id            uuid          NOT NULL,
    status              varchar(20)   NOT NULL,
    error               varchar(4000),
    metadata            jsonb,
    started_at          timestamptz   NOT NULL,
    ended_at            timestamptz,
    calls               bigint        NOT NULL DEFAULT 0,
    input_tokens        bigint        NOT NULL DEFAULT 0,
    output_tokens       bigint        NOT NULL DEFAULT 0,
    cached_input_tokens bigint        NOT NULL DEFAULT 0,
    cost                numeric(24,10) NOT NULL DEFAULT 0,
    errors              bigint        NOT NULL DEFAULT 0,
    unpriced_calls      bigint        NOT NULL DEFAULT 0,
    PRIMARY KEY (id, started_at)
) PARTITION BY RANGE (started_at);
CREATE INDEX ix_agent_runs_team_agent_started ON agent_runs (team_id, agent_id, started_at DESC);

CREATE TABLE llm_calls (
    event_id            uuid          NOT NULL,
    team_id             uuid          NOT NULL,
    run_id              uuid          NOT NULL,
    agent_id            uuid          NOT NULL,
    provider            varchar(100)  NOT NULL,
    model               varchar(200)  NOT NULL,
    input_tokens        bigint        NOT NULL,
    output_tokens       bigint        NOT NULL,
    cached_input_tokens bigint        NOT NULL,
    latency_ms          integer       NOT NULL,
    status              varchar(20)   NOT NULL,
    cost                numeric(24,10),            -- null: no price was in force for the model (unpriced)
    price_id            bigint,
    metadata            jsonb,
    occurred_at         timestamptz   NOT NULL,
    received_at         timestamptz   NOT NULL,    -- when the API accepted it (answered 202)
    stored_at           timestamptz   NOT NULL DEFAULT clock_timestamp(),
    -- why a call was accepted against the rules: "over_budget:<budget id>" or "policy:<policy id>"; null when within them
    flag                varchar(100)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX ix_llm_calls_run ON llm_calls (run_id, occurred_at);
CREATE INDEX ix_llm_calls_team_occurred ON llm_calls (team_id, occurred_at);
CREATE INDEX ix_llm_calls_occurred_brin ON llm_calls USING brin (occurred_at);

-- Unique keys must contain the partition key, and a retried event may carry another occurred_at: this table is what
-- makes an event_id count once per team, whatever partition its call lands in.
CREATE TABLE llm_call_keys (
    team_id     uuid        NOT NULL,
    event_id    uuid        NOT NULL,
    occurred_at timestamptz NOT NULL,
    PRIMARY KEY (team_id, event_id)
);

-- Hourly sums per team, agent and model: what cost trends and summaries read instead of the raw calls.
CREATE TABLE cost_rollups (
    team_id             uuid           NOT NULL,
    bucket_start        timestamptz    NOT NULL,
    agent_id            uuid           NOT NULL,
    provider            varchar(100)   NOT NULL,
    model               varchar(200)   NOT NULL,
    calls               bigint         NOT NULL,
    errors              bigint         NOT NULL,
    unpriced_calls      bigint         NOT NULL,
    input_tokens        bigint         NOT NULL,
    output_tokens       bigint         NOT NULL,
    cached_input_tokens bigint         NOT NULL,
    cost                numeric(24,10) NOT NULL,
    latency_ms_sum      bigint         NOT NULL,
    PRIMARY KEY (team_id, bucket_start, agent_id, provider, model)
);

-- A team's spend per UTC day: the source of the Redis spend counters (rebuildable from here).
CREATE TABLE team_daily_spend (
    team_id        uuid           NOT NULL,
    day            date           NOT NULL,
    calls          bigint         NOT NULL,
    unpriced_calls bigint         NOT NULL,
    cost           numeric(24,10) NOT NULL,
    PRIMARY KEY (team_id, day)
);

-- Creates the missing partitions of a table partitioned by day or month: from `behind` units before now to `ahead`
-- units after. Serialised per table so concurrent callers do not race on CREATE TABLE.
CREATE FUNCTION cognive_ensure_partitions(parent text, unit text, behind integer, ahead integer)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    step       interval  := ('1 ' || unit)::interval;
    first_from timestamp := date_trunc(unit, now() AT TIME ZONE 'UTC') - behind * step;
    lower_utc  timestamp;
    partition  text;
    created    integer   := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('cognive_ensure_partitions:' || parent));
    FOR i IN 0 .. behind + ahead LOOP
        lower_utc := first_from + i * step;
        partition := parent || '_p' || to_char(lower_utc, CASE unit WHEN 'month' THEN 'YYYYMM' ELSE 'YYYYMMDD' END);
        IF to_regclass(partition) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', partition, parent,
                lower_utc AT TIME ZONE 'UTC', (lower_utc + step) AT TIME ZONE 'UTC');
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END $$;

-- Audit records and their checkpoints are append-only: no update, delete or truncate, whoever asks.
CREATE FUNCTION cognive_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION cognive_audit_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION cognive_audit_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION cognive_audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION cognive_audit_append_only();

-- The run an OTLP trace became, per team: the gateway's OTLP ingestion inserts the pair once and reads it back.
CREATE TABLE otel_trace_runs (
    team_id    uuid        NOT NULL,
    trace_id   uuid        NOT NULL,
    run_id     uuid        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, trace_id)
);
