-- Source adapter for agentx (SCHEMAS.md part B): its SQLite at <cwd>/.agentx/db.sqlite,
-- attached read-only as catalog `src` with every column read as text. agentx has no
-- one-row-per-request table, so instead of the canonical `requests` view this adapter
-- builds three typed views that queries/agentx.py aggregates:
--   agentx_usage      one row per usage_daily row (agent x model x UTC day), tier 2 apart;
--   agentx_tasks      one row per finished task, from task_traces when it has rows, else task_history;
--   agentx_rotations  one row per session rotation.
-- Schema versions differ (tier-2 columns and task_traces/rotations came later), so each
-- source table is read through an empty "shape" table with every known column, joined
-- BY NAME: a column or table the file lacks reads as NULL / no rows instead of failing.

-- name: agentx_shapes
-- Empty tables with every column agentx has ever had, so older files read like newer ones.
CREATE OR REPLACE TABLE agentx_shape_usage_daily (
    agent_id VARCHAR, model VARCHAR, "day" VARCHAR,
    input_tokens VARCHAR, output_tokens VARCHAR, cache_read_tokens VARCHAR, cache_create_tokens VARCHAR,
    tasks VARCHAR,
    tier2_input_tokens VARCHAR, tier2_output_tokens VARCHAR,
    tier2_cache_read_tokens VARCHAR, tier2_cache_create_tokens VARCHAR
);
CREATE OR REPLACE TABLE agentx_shape_task_history (
    id VARCHAR, agent_id VARCHAR, channel VARCHAR, chat_id VARCHAR, status VARCHAR,
    message_preview VARCHAR, error VARCHAR, duration_ms VARCHAR,
    input_tokens VARCHAR, output_tokens VARCHAR, cache_read_tokens VARCHAR, cache_create_tokens VARCHAR,
    started_at VARCHAR, finished_at VARCHAR
);
CREATE OR REPLACE TABLE agentx_shape_task_traces (
    task_id VARCHAR, agent_id VARCHAR, channel VARCHAR, chat_id VARCHAR, final_session_id VARCHAR,
    resume_session_id VARCHAR, model VARCHAR, status VARCHAR, started_at VARCHAR, finished_at VARCHAR,
    duration_ms VARCHAR, input_tokens VARCHAR, output_tokens VARCHAR, cache_read_tokens VARCHAR,
    cache_create_tokens VARCHAR, error VARCHAR, message_preview VARCHAR
);
CREATE OR REPLACE TABLE agentx_shape_rotations (
    id VARCHAR, agent_id VARCHAR, channel VARCHAR, chat_id VARCHAR, reason VARCHAR,
    last_turn_input_tokens VARCHAR, rotated_at VARCHAR
);

-- name: agentx_raw_usage_daily
-- usage_daily as the file has it, with any column it lacks (the tier-2 ones) as NULL.
CREATE OR REPLACE VIEW agentx_raw_usage_daily AS
SELECT * FROM agentx_shape_usage_daily UNION ALL BY NAME SELECT * FROM src.usage_daily;

-- name: agentx_raw_task_history
-- task_history as the file has it.
CREATE OR REPLACE VIEW agentx_raw_task_history AS
SELECT * FROM agentx_shape_task_history UNION ALL BY NAME SELECT * FROM src.task_history;

-- name: agentx_empty_task_history
-- A file without task_history: no rows.
CREATE OR REPLACE VIEW agentx_raw_task_history AS SELECT * FROM agentx_shape_task_history;

-- name: agentx_raw_task_traces
-- task_traces as the file has it.
CREATE OR REPLACE VIEW agentx_raw_task_traces AS
SELECT * FROM agentx_shape_task_traces UNION ALL BY NAME SELECT * FROM src.task_traces;

-- name: agentx_empty_task_traces
-- A file without task_traces (older schema): no rows.
CREATE OR REPLACE VIEW agentx_raw_task_traces AS SELECT * FROM agentx_shape_task_traces;

-- name: agentx_raw_rotations
-- rotations as the file has it.
CREATE OR REPLACE VIEW agentx_raw_rotations AS
SELECT * FROM agentx_shape_rotations UNION ALL BY NAME SELECT * FROM src.rotations;

-- name: agentx_empty_rotations
-- A file without rotations (older schema): no rows.
CREATE OR REPLACE VIEW agentx_raw_rotations AS SELECT * FROM agentx_shape_rotations;

-- name: agentx_views
-- The typed views this adapter's queries read, and the provider rule.
CREATE OR REPLACE MACRO agentx_provider(model_id) AS
    CASE
        WHEN lower(model_id) LIKE '%claude%' THEN 'anthropic'
        WHEN regexp_matches(lower(model_id), '^(gpt|o[0-9])') OR lower(model_id) LIKE '%codex%' THEN 'openai'
        WHEN lower(model_id) LIKE '%gemini%' THEN 'google'
        ELSE 'unknown'
    END;

CREATE OR REPLACE MACRO agentx_tokens(value) AS GREATEST(COALESCE(TRY_CAST(value AS BIGINT), 0), 0);

-- Text time in either form agentx writes (ISO 8601 with T/Z, or SQLite's 'YYYY-MM-DD HH:MM:SS'),
-- or epoch milliseconds written as text, as naive UTC; NULL when it is none of them.
CREATE OR REPLACE MACRO agentx_time(value) AS
    CASE
        WHEN regexp_full_match(trim(value), '[0-9]{11,14}') THEN epoch_ms(CAST(trim(value) AS BIGINT))
        ELSE TRY_CAST(value AS TIMESTAMPTZ) AT TIME ZONE 'UTC'
    END;

CREATE OR REPLACE VIEW agentx_usage AS
SELECT
    COALESCE(agent_id, '')                                   AS agent_id,
    COALESCE(model, '')                                      AS model,
    agentx_provider(COALESCE(model, ''))                     AS provider,
    TRY_CAST("day" AS DATE)                                  AS "day",
    "day"                                                    AS raw_day,
    agentx_tokens(tasks)                                     AS tasks,
    agentx_tokens(input_tokens)                              AS input_tokens,
    agentx_tokens(output_tokens)                             AS output_tokens,
    agentx_tokens(cache_read_tokens)                         AS cache_read_tokens,
    agentx_tokens(cache_create_tokens)                       AS cache_write_tokens,
    agentx_tokens(tier2_input_tokens)                        AS tier2_input_tokens,
    agentx_tokens(tier2_output_tokens)                       AS tier2_output_tokens,
    agentx_tokens(tier2_cache_read_tokens)                   AS tier2_cache_read_tokens,
    agentx_tokens(tier2_cache_create_tokens)                 AS tier2_cache_write_tokens
FROM agentx_raw_usage_daily;

CREATE OR REPLACE VIEW agentx_tasks AS
WITH traces AS (
    SELECT
        task_id                                                            AS task_id,
        COALESCE(agent_id, '')                                             AS agent_id,
        channel, chat_id, model, lower(status)                             AS status,
        epoch_ms(TRY_CAST(started_at AS BIGINT))                           AS started_at,
        epoch_ms(TRY_CAST(finished_at AS BIGINT))                          AS finished_at,
        TRY_CAST(duration_ms AS BIGINT)                                    AS stored_duration_ms,
        agentx_tokens(input_tokens)                                        AS input_tokens,
        agentx_tokens(output_tokens)                                       AS output_tokens,
        agentx_tokens(cache_read_tokens)                                   AS cache_read_tokens,
        agentx_tokens(cache_create_tokens)                                 AS cache_write_tokens,
        message_preview                                                    AS preview,
        error,
        COALESCE(final_session_id, resume_session_id)                      AS session_id,
        'task_traces'                                                      AS origin
    FROM agentx_raw_task_traces
),
history AS (
    SELECT
        id, COALESCE(agent_id, ''), channel, chat_id, NULL, lower(status),
        agentx_time(started_at), agentx_time(finished_at),
        TRY_CAST(duration_ms AS BIGINT),
        agentx_tokens(input_tokens), agentx_tokens(output_tokens),
        agentx_tokens(cache_read_tokens), agentx_tokens(cache_create_tokens),
        message_preview, error, NULL, 'task_history'
    FROM agentx_raw_task_history
    -- task_traces replaced task_history: once it has rows, it is the task table.
    WHERE NOT EXISTS (SELECT 1 FROM agentx_raw_task_traces)
),
both_tables AS (
    SELECT * FROM traces UNION ALL SELECT * FROM history
)
SELECT
    * EXCLUDE (stored_duration_ms),
    COALESCE(stored_duration_ms, date_diff('millisecond', started_at, finished_at)) AS duration_ms
FROM both_tables;

CREATE OR REPLACE VIEW agentx_rotations AS
SELECT
    TRY_CAST(id AS BIGINT)                          AS rotation_id,
    COALESCE(agent_id, '')                          AS agent_id,
    channel, chat_id,
    COALESCE(reason, '')                            AS reason,
    TRY_CAST(last_turn_input_tokens AS BIGINT)      AS last_turn_input_tokens,
    agentx_time(rotated_at)                         AS rotated_at,
    rotated_at                                      AS raw_rotated_at
FROM agentx_raw_rotations;

-- name: define_agentx_priced_usage
-- Table macro: usage_daily rows of a day range (and optional provider/model/agent), each with its cost.
-- Cost = tier-1 tokens x the four rates + tier-2 tokens x the same rates x tier2_multiplier;
-- tier2_extra_cost is what the multiplier added. Rates are USD per 1M tokens, bound as lists,
-- each valid on a UTC day range (price_from / price_until, NULL = unbounded): a row pays the
-- price in force on its day.
CREATE OR REPLACE MACRO agentx_priced_usage(from_day, until_day, provider_eq, model_eq, agent_eq,
                                            price_model, price_input, price_output,
                                            price_cache_read, price_cache_write, tier2_multiplier,
                                            price_from, price_until) AS TABLE
WITH prices AS (
    -- Money is exact, as in usage.sql: rates as DECIMAL, costs as DECIMAL(38, 15), sums exact;
    -- Python turns each sum into a float once, at output (issue 10 item 7).
    SELECT unnest(price_model) AS model, CAST(unnest(price_input) AS DECIMAL(38, 9)) AS input,
           CAST(unnest(price_output) AS DECIMAL(38, 9)) AS output,
           CAST(unnest(price_cache_read) AS DECIMAL(38, 9)) AS cache_read,
           CAST(unnest(price_cache_write) AS DECIMAL(38, 9)) AS cache_write,
           CAST(unnest(price_from) AS DATE) AS valid_from, CAST(unnest(price_until) AS DATE) AS valid_until
),
rated AS (
    SELECT
        u.*,
        p.model IS NOT NULL AS priced,
        COALESCE(CAST((u.input_tokens * p.input + u.output_tokens * p.output
                       + u.cache_read_tokens * p.cache_read + u.cache_write_tokens * p.cache_write)
                      * CAST(0.000001 AS DECIMAL(7, 6)) AS DECIMAL(38, 15)), CAST(0 AS DECIMAL(38, 15)))
                                                                         AS tier1_cost,
        COALESCE(CAST((u.tier2_input_tokens * p.input + u.tier2_output_tokens * p.output
                       + u.tier2_cache_read_tokens * p.cache_read + u.tier2_cache_write_tokens * p.cache_write)
                      * CAST(0.000001 AS DECIMAL(7, 6)) AS DECIMAL(38, 15)), CAST(0 AS DECIMAL(38, 15)))
                                                                         AS tier2_base_cost
    FROM agentx_usage AS u
    LEFT JOIN prices AS p
           ON p.model = u.model
          AND (p.valid_from IS NULL OR u."day" >= p.valid_from) AND (p.valid_until IS NULL OR u."day" < p.valid_until)
    WHERE u."day" BETWEEN from_day AND until_day
      AND (provider_eq IS NULL OR u.provider = provider_eq)
      AND (model_eq IS NULL OR u.model = model_eq)
      AND (agent_eq IS NULL OR u.agent_id = agent_eq)
)
SELECT
    *,
    input_tokens + tier2_input_tokens                                  AS all_input_tokens,
    output_tokens + tier2_output_tokens                                AS all_output_tokens,
    cache_read_tokens + tier2_cache_read_tokens                        AS all_cache_read_tokens,
    cache_write_tokens + tier2_cache_write_tokens                      AS all_cache_write_tokens,
    tier2_input_tokens + tier2_output_tokens + tier2_cache_read_tokens + tier2_cache_write_tokens
                                                                       AS tier2_tokens,
    CAST(tier1_cost + CAST(tier2_multiplier AS DECIMAL(18, 6)) * tier2_base_cost AS DECIMAL(38, 15)) AS cost,
    CAST((CAST(tier2_multiplier AS DECIMAL(18, 6)) - 1) * tier2_base_cost AS DECIMAL(38, 15))   AS tier2_extra_cost,
    (NOT priced AND input_tokens + output_tokens + cache_read_tokens + cache_write_tokens
        + tier2_input_tokens + tier2_output_tokens + tier2_cache_read_tokens + tier2_cache_write_tokens > 0)
                                                                       AS unpriced
FROM rated;

-- name: agentx_provider_models
-- Every (provider, model) pair in usage_daily with its task count, for filters and price resolution.
SELECT provider, model, CAST(sum(tasks) AS BIGINT) AS requests
FROM agentx_usage
GROUP BY provider, model
ORDER BY provider, model;

-- name: agentx_unparseable_days
-- usage_daily rows whose day is not a date (they are left out), with one example.
SELECT count(*) AS rows, any_value(raw_day) AS example
FROM agentx_usage
WHERE "day" IS NULL;

-- name: agentx_totals
-- Tasks, tokens and cost of a day range as one row; prompt = input (tier 2 included), cache apart.
SELECT
    COALESCE(sum(tasks), 0)                                           AS requests,
    COALESCE(sum(all_input_tokens), 0)                                AS prompt_tokens,
    COALESCE(sum(all_output_tokens), 0)                               AS completion_tokens,
    COALESCE(sum(all_input_tokens + all_output_tokens), 0)            AS total_tokens,
    COALESCE(sum(all_cache_read_tokens), 0)                           AS cache_read_tokens,
    COALESCE(sum(all_cache_write_tokens), 0)                          AS cache_write_tokens,
    COALESCE(sum(tier2_tokens), 0)                                    AS tier2_tokens,
    COALESCE(sum(cost), 0)                                            AS estimated_cost,
    COALESCE(sum(tier2_extra_cost), 0)                                AS tier2_extra_cost
FROM agentx_priced_usage($from_day, $until_day, $provider, $model, $agent,
                         $price_model, $price_input, $price_output, $price_cache_read, $price_cache_write,
                         $tier2_multiplier, $price_from, $price_until);

-- name: agentx_daily
-- One row per UTC day of the range, zero days included (usage_daily has no finer time).
WITH days AS (
    SELECT CAST(g.d AS DATE) AS "day"
    FROM generate_series(CAST($from_day AS DATE), CAST($until_day AS DATE), INTERVAL 1 DAY) AS g(d)
),
per_day AS (
    SELECT
        "day",
        sum(tasks)                  AS requests,
        sum(all_input_tokens)       AS prompt_tokens,
        sum(all_output_tokens)      AS completion_tokens,
        sum(all_cache_read_tokens)  AS cache_read_tokens,
        sum(all_cache_write_tokens) AS cache_write_tokens,
        sum(cost)                   AS estimated_cost
    FROM agentx_priced_usage($from_day, $until_day, $provider, $model, $agent,
                             $price_model, $price_input, $price_output, $price_cache_read, $price_cache_write,
                             $tier2_multiplier, $price_from, $price_until)
    GROUP BY "day"
)
SELECT
    days."day",
    COALESCE(requests, 0)                                        AS requests,
    COALESCE(prompt_tokens, 0)                                   AS prompt_tokens,
    COALESCE(completion_tokens, 0)                               AS completion_tokens,
    COALESCE(prompt_tokens, 0) + COALESCE(completion_tokens, 0)  AS total_tokens,
    COALESCE(cache_read_tokens, 0)                               AS cache_read_tokens,
    COALESCE(cache_write_tokens, 0)                              AS cache_write_tokens,
    COALESCE(estimated_cost, 0)                                  AS estimated_cost
FROM days
LEFT JOIN per_day USING ("day")
ORDER BY days."day";

-- name: agentx_breakdown
-- One row per (provider, model) with activity, by cost then tasks, with its share of cost.
SELECT
    provider,
    model,
    sum(tasks)                                         AS requests,
    sum(all_input_tokens)                              AS prompt_tokens,
    sum(all_output_tokens)                             AS completion_tokens,
    sum(all_input_tokens + all_output_tokens)          AS total_tokens,
    sum(all_cache_read_tokens)                         AS cache_read_tokens,
    sum(all_cache_write_tokens)                        AS cache_write_tokens,
    sum(cost)                                          AS estimated_cost,
    CASE WHEN sum(sum(cost)) OVER () > 0
         THEN sum(cost) / sum(sum(cost)) OVER () END   AS cost_share,
    bool_or(unpriced)                                  AS has_unpriced_rows
FROM agentx_priced_usage($from_day, $until_day, $provider, $model, $agent,
                         $price_model, $price_input, $price_output, $price_cache_read, $price_cache_write,
                         $tier2_multiplier, $price_from, $price_until)
GROUP BY provider, model
ORDER BY estimated_cost DESC, requests DESC, provider, model;

-- name: agentx_agents
-- Per agent: tokens (tier 2 included), tasks, cost from usage_daily; durations and failures of tasks started in range.
WITH usage AS (
    SELECT
        agent_id,
        sum(tasks)                  AS tasks,
        sum(all_input_tokens)       AS input_tokens,
        sum(all_output_tokens)      AS output_tokens,
        sum(all_cache_read_tokens)  AS cache_read_tokens,
        sum(all_cache_write_tokens) AS cache_write_tokens,
        sum(tier2_tokens)           AS tier2_tokens,
        sum(cost)                   AS estimated_cost,
        sum(tier2_extra_cost)       AS tier2_extra_cost,
        bool_or(unpriced)           AS has_unpriced_rows
    FROM agentx_priced_usage($from_day, $until_day, NULL, NULL, NULL,
                             $price_model, $price_input, $price_output, $price_cache_read, $price_cache_write,
                             $tier2_multiplier, $price_from, $price_until)
    GROUP BY agent_id
),
task_stats AS (
    SELECT
        agent_id,
        count(*)                                           AS task_rows,
        quantile_cont(duration_ms, 0.5)                    AS p50_duration_ms,
        quantile_cont(duration_ms, 0.95)                   AS p95_duration_ms,
        count(*) FILTER (WHERE status = 'error')           AS errors,
        count(*) FILTER (WHERE status = 'timeout')         AS timeouts
    FROM agentx_tasks
    WHERE started_at >= $start_utc AND started_at < $end_utc
    GROUP BY agent_id
)
SELECT
    agent_id,
    COALESCE(u.tasks, 0)                AS tasks,
    COALESCE(u.input_tokens, 0)         AS input_tokens,
    COALESCE(u.output_tokens, 0)        AS output_tokens,
    COALESCE(u.cache_read_tokens, 0)    AS cache_read_tokens,
    COALESCE(u.cache_write_tokens, 0)   AS cache_write_tokens,
    COALESCE(u.tier2_tokens, 0)         AS tier2_tokens,
    COALESCE(u.estimated_cost, 0)       AS estimated_cost,
    COALESCE(u.tier2_extra_cost, 0)     AS tier2_extra_cost,
    COALESCE(u.has_unpriced_rows, false) AS has_unpriced_rows,
    COALESCE(t.task_rows, 0)            AS task_rows,
    t.p50_duration_ms,
    t.p95_duration_ms,
    COALESCE(t.errors, 0)               AS errors,
    COALESCE(t.timeouts, 0)             AS timeouts
FROM usage AS u
FULL OUTER JOIN task_stats AS t USING (agent_id)
ORDER BY estimated_cost DESC, tasks DESC, agent_id;

-- name: agentx_task_count
-- How many tasks of one agent (or all, NULL) started in a UTC window, for paging.
SELECT count(*) AS n
FROM agentx_tasks
WHERE started_at >= $start_utc AND started_at < $end_utc
  AND ($agent IS NULL OR agent_id = $agent);

-- name: agentx_task_page
-- One page of an agent's tasks (or all agents', NULL) started in a UTC window, newest first.
SELECT task_id, agent_id, started_at, channel, chat_id, status, duration_ms,
       input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, model, preview, error, origin
FROM agentx_tasks
WHERE started_at >= $start_utc AND started_at < $end_utc
  AND ($agent IS NULL OR agent_id = $agent)
ORDER BY started_at DESC, task_id DESC
LIMIT $limit OFFSET $offset;

-- name: agentx_rotation_counts
-- Per agent, rotations in a UTC window by reason (stale, tier-2, max-turns, anything else).
SELECT
    agent_id,
    count(*) FILTER (WHERE reason = 'stale')       AS stale,
    count(*) FILTER (WHERE reason = 'tier-2')      AS tier2,
    count(*) FILTER (WHERE reason = 'max-turns')   AS max_turns,
    count(*) FILTER (WHERE reason NOT IN ('stale', 'tier-2', 'max-turns')) AS other,
    count(*)                                       AS total
FROM agentx_rotations
WHERE rotated_at >= $start_utc AND rotated_at < $end_utc
GROUP BY agent_id
ORDER BY total DESC, agent_id;

-- name: agentx_unparseable_rotation_times
-- Rotations whose rotated_at is unreadable (left out of every range), with one example.
SELECT count(*) AS rows, any_value(raw_rotated_at) AS example
FROM agentx_rotations
WHERE rotated_at IS NULL;

-- name: agentx_tier2_hotspots
-- Per agent with any tier-2 sign in range: tier-2 days and tokens from usage_daily, tier-2 rotations.
WITH usage AS (
    SELECT
        agent_id,
        count(DISTINCT "day") FILTER (WHERE tier2_tokens > 0) AS tier2_days,
        sum(tier2_tokens)                                     AS tier2_tokens,
        sum(tier2_multiplier_cost)                            AS tier2_cost,
        sum(tier2_extra_cost)                                 AS tier2_extra_cost,
        sum(cost)                                             AS estimated_cost
    FROM (
        SELECT *, cost - tier1_cost AS tier2_multiplier_cost
        FROM agentx_priced_usage($from_day, $until_day, NULL, NULL, NULL,
                                 $price_model, $price_input, $price_output, $price_cache_read,
                                 $price_cache_write, $tier2_multiplier, $price_from, $price_until)
    )
    GROUP BY agent_id
),
rot AS (
    SELECT
        agent_id,
        count(*)                                                        AS tier2_rotations,
        count(*) FILTER (WHERE last_turn_input_tokens >= $threshold)     AS over_threshold,
        max(last_turn_input_tokens)                                     AS max_last_turn_input_tokens
    FROM agentx_rotations
    WHERE reason = 'tier-2' AND rotated_at >= $start_utc AND rotated_at < $end_utc
    GROUP BY agent_id
)
SELECT
    agent_id,
    COALESCE(u.tier2_days, 0)          AS tier2_days,
    COALESCE(r.tier2_rotations, 0)     AS tier2_rotations,
    COALESCE(r.over_threshold, 0)      AS rotations_over_threshold,
    r.max_last_turn_input_tokens,
    COALESCE(u.tier2_tokens, 0)        AS tier2_tokens,
    COALESCE(u.tier2_cost, 0)          AS tier2_cost,
    COALESCE(u.tier2_extra_cost, 0)    AS tier2_extra_cost,
    COALESCE(u.estimated_cost, 0)      AS estimated_cost
FROM usage AS u
FULL OUTER JOIN rot AS r USING (agent_id)
WHERE COALESCE(u.tier2_tokens, 0) > 0 OR COALESCE(r.tier2_rotations, 0) > 0
ORDER BY tier2_extra_cost DESC, tier2_rotations DESC, agent_id;
