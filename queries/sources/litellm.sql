-- The LiteLLM proxy's spend logs in Postgres, mirrored into DuckDB (queries/sources/litellm.py).
--
-- Two kinds of block live here. `litellm_pg_*` blocks are PostgreSQL text that runs ON THE
-- PROXY'S DATABASE through postgres_query(): each reads "LiteLLM_SpendLogs" only as a range on
-- "startTime" (the index "LiteLLM_SpendLogs_startTime_idx" of LiteLLM's own migrations), and
-- pulls only the few JSON keys we map out of `metadata`, so production never ships its
-- (often kilobytes-large) metadata, messages or responses. Their :since / :until markers are
-- replaced by litellm.py with timestamps it formatted itself from datetime values (never user
-- input): postgres_query() takes no bound parameters inside the remote text.
-- The other blocks are DuckDB SQL over the mirror (catalog `lmirror`).
--
-- The mapping (issue 13; SCHEMAS.md section D):
--   startTime -> ts (timestamp(3) without zone, UTC); custom_llm_provider, else the part of
--   `model` before its first '/', -> provider; model -> model; spend -> stored_cost;
--   status = 'failure' rows are kept apart (failed), NULL status (rows older than the column) is success.
--   Cache tokens: metadata.usage_object's top-level cache_read_input_tokens and
--   cache_creation_input_tokens (Anthropic), else prompt_tokens_details.cached_tokens (OpenAI,
--   Gemini). LiteLLM's prompt_tokens already include them, so the canonical prompt_tokens (input
--   without cache, as for Claude Code) is prompt_tokens - cache reads - cache writes: each token once.
--   Key: metadata.user_api_key_alias; without an alias, the first 8 hex digits of the key's
--   sha256 (`api_key`), never the whole hash. Team: metadata.user_api_key_team_alias, else team_id.
--   '' and NULL both mean unknown for user, team and end user.

-- name: litellm_pg_bounds
-- Oldest and newest startTime (two index probes) and the planner's row estimate, in Postgres.
SELECT (SELECT min("startTime") FROM "LiteLLM_SpendLogs")                          AS first_ts,
       (SELECT max("startTime") FROM "LiteLLM_SpendLogs")                          AS last_ts,
       (SELECT GREATEST(reltuples, 0)::bigint FROM pg_class
         WHERE oid = to_regclass('"LiteLLM_SpendLogs"'))                           AS estimate

-- name: litellm_pg_spend_range
-- The spend-log rows with :since <= startTime < :until and the JSON keys we map, as text, in Postgres (an index range scan).
-- Only selection and text extraction happen on the proxy's database (->> and #>> give NULL, never
-- an error, on any other JSON shape); litellm_spend_rows types and maps them in DuckDB.
SELECT request_id, "startTime" AS ts, model, custom_llm_provider, model_group, call_type, status,
       prompt_tokens, completion_tokens, spend, left(api_key, 8) AS key_hash8, "user" AS user_id, team_id,
       end_user, session_id, request_tags::text AS tags_json,
       metadata ->> 'user_api_key_alias'                                    AS key_alias,
       metadata ->> 'user_api_key_team_alias'                               AS team_alias,
       metadata #>> '{usage_object,cache_read_input_tokens}'                AS cache_read,
       metadata #>> '{usage_object,cache_creation_input_tokens}'            AS cache_creation,
       metadata #>> '{usage_object,prompt_tokens_details,cached_tokens}'    AS cached_tokens
FROM "LiteLLM_SpendLogs"
WHERE "startTime" >= :since AND "startTime" < :until

-- name: litellm_pg_daily_user_spend
-- LiteLLM's own daily rollup from date :since_day on, summed per (day, provider, model), in Postgres.
SELECT date                                                                  AS day,
       COALESCE(NULLIF(custom_llm_provider, ''),
                CASE WHEN strpos(model, '/') > 0 THEN split_part(model, '/', 1) END, '') AS provider,
       COALESCE(model, '')                                                   AS model,
       sum(prompt_tokens)::bigint                                            AS prompt_tokens,
       sum(completion_tokens)::bigint                                        AS completion_tokens,
       sum(cache_read_input_tokens)::bigint                                  AS cache_read_tokens,
       sum(cache_creation_input_tokens)::bigint                              AS cache_write_tokens,
       sum(spend)                                                            AS spend,
       sum(successful_requests)::bigint                                      AS successful_requests,
       sum(failed_requests)::bigint                                          AS failed_requests
FROM "LiteLLM_DailyUserSpend"
WHERE date >= :since_day
GROUP BY 1, 2, 3

-- name: litellm_pg_window_check
-- Rows and summed spend with :since <= startTime < :until, in Postgres (an index range): compared with the mirror's on open.
SELECT count(*) AS n, COALESCE(sum(spend), 0) AS spend
FROM "LiteLLM_SpendLogs"
WHERE "startTime" >= :since AND "startTime" < :until

-- name: litellm_define_macros
-- Table macro litellm_spend_rows(pg_sql): the rows of a litellm_pg_spend_range text, typed and mapped (see the file's head).
CREATE OR REPLACE MACRO litellm_tokens(x) AS
    CAST(LEAST(GREATEST(COALESCE(TRY_CAST(x AS DOUBLE), 0), 0), 1e15) AS BIGINT);
CREATE OR REPLACE MACRO litellm_spend_rows(pg_sql) AS TABLE
SELECT
    request_id,
    ts,
    COALESCE(NULLIF(custom_llm_provider, ''),
             CASE WHEN strpos(model, '/') > 0 THEN split_part(model, '/', 1) END, '')   AS provider,
    COALESCE(model, '')                                                                  AS model,
    NULLIF(model_group, '')                                                              AS model_group,
    call_type,
    COALESCE(status, '') = 'failure'                                                     AS failed,
    GREATEST(COALESCE(prompt_tokens, 0), 0)::BIGINT                                      AS prompt_tokens,
    GREATEST(COALESCE(completion_tokens, 0), 0)::BIGINT                                  AS completion_tokens,
    CASE WHEN cache_read IS NOT NULL OR cache_creation IS NOT NULL THEN litellm_tokens(cache_read)
         ELSE litellm_tokens(cached_tokens) END                                          AS cache_read_tokens,
    litellm_tokens(cache_creation)                                                       AS cache_write_tokens,
    COALESCE(spend, 0)                                                                   AS spend,
    NULLIF(key_alias, '')                                                                AS key_alias,
    NULLIF(key_hash8, '')                                                                AS key_hash8,
    NULLIF(user_id, '')                                                                  AS user_id,
    NULLIF(team_id, '')                                                                  AS team_id,
    NULLIF(team_alias, '')                                                               AS team_alias,
    NULLIF(end_user, '')                                                                 AS end_user,
    NULLIF(session_id, '')                                                               AS session_id,
    CASE WHEN json_type(tags_json) = 'ARRAY'
         THEN list_transform(CAST(json(tags_json) AS JSON[]),
                             t -> CASE WHEN json_type(t) = 'VARCHAR' THEN t ->> '$' ELSE CAST(t AS VARCHAR) END)
         ELSE [] END                                                                     AS tags
FROM postgres_query('pg', pg_sql);

-- name: litellm_mirror_create
-- The mirror's tables: spend rows as mapped, our hourly rollup and daily dimension rollup of them, the daily rollup LiteLLM keeps beside them, and the stamp (empty until a copy completes).
CREATE OR REPLACE TABLE lmirror.stamp (format INTEGER);
CREATE OR REPLACE TABLE lmirror.spend (
    request_id VARCHAR, ts TIMESTAMP, provider VARCHAR, model VARCHAR, model_group VARCHAR,
    call_type VARCHAR, failed BOOLEAN, prompt_tokens BIGINT, completion_tokens BIGINT,
    cache_read_tokens BIGINT, cache_write_tokens BIGINT, spend DOUBLE, key_alias VARCHAR,
    key_hash8 VARCHAR, user_id VARCHAR, team_id VARCHAR, team_alias VARCHAR, end_user VARCHAR,
    session_id VARCHAR, tags VARCHAR[]
);
CREATE OR REPLACE TABLE lmirror.hourly (
    hour TIMESTAMP, provider VARCHAR, model VARCHAR, initiator VARCHAR, requests BIGINT,
    prompt_tokens BIGINT, completion_tokens BIGINT, stored_cost DECIMAL(38, 15), unstored_prompt BIGINT,
    unstored_completion BIGINT, unpriced_rows BIGINT, stored_rows BIGINT, cache_read_tokens BIGINT,
    cache_write_tokens BIGINT, cache_write_1h_tokens BIGINT
);
CREATE OR REPLACE TABLE lmirror.dim_daily (
    day DATE, provider VARCHAR, model VARCHAR, failed BOOLEAN, api_key VARCHAR, user_id VARCHAR, team VARCHAR,
    end_user VARCHAR, tags VARCHAR[], requests BIGINT, prompt_tokens BIGINT, completion_tokens BIGINT,
    cache_read_tokens BIGINT, cache_write_tokens BIGINT, stored_cost DECIMAL(38, 12)
);
CREATE OR REPLACE TEMP TABLE touched_hours (hour TIMESTAMP);
CREATE OR REPLACE TABLE lmirror.daily (
    day DATE, provider VARCHAR, model VARCHAR, prompt_tokens BIGINT, completion_tokens BIGINT,
    cache_read_tokens BIGINT, cache_write_tokens BIGINT, spend DOUBLE,
    successful_requests BIGINT, failed_requests BIGINT
);

-- name: litellm_stamp_write
-- The stamp of a completed copy: the format of these tables (litellm.py MIRROR_FORMAT).
INSERT INTO lmirror.stamp VALUES ($format);

-- name: litellm_stamp_read
-- The stamp of a cached mirror (no row: its copy was cut short).
SELECT format FROM lmirror.stamp;

-- name: litellm_window_check
-- Rows and summed spend of the mirror with $since <= ts < $until (compared with Postgres' on open).
SELECT count(*) AS n, COALESCE(sum(spend), 0) AS spend FROM lmirror.spend WHERE ts >= $since AND ts < $until;

-- name: litellm_sample_hour
-- The UTC hour of one mirrored row picked at random before $until (a window to compare on open).
SELECT date_trunc('hour', ts) AS hour FROM (SELECT ts FROM lmirror.spend WHERE ts < $until) USING SAMPLE 1 ROWS;

-- name: litellm_copy_range
-- Copy one startTime window of spend rows from Postgres into the mirror; returns the rows copied.
INSERT INTO lmirror.spend
SELECT * FROM litellm_spend_rows($pg_sql);

-- name: litellm_fetch_range
-- Read one startTime window of spend rows from Postgres into this cursor's temp table (a refresh).
CREATE OR REPLACE TEMP TABLE fetched AS
SELECT * FROM litellm_spend_rows($pg_sql)
QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY ts DESC) = 1;

-- name: litellm_delete_refetched
-- Drop the mirror's rows from $since on, and older copies (back to $floor) of any request_id read again: duplicates removed by request_id.
-- The leading `ts >= $floor` lets DuckDB skip every row group older than the floor (zone maps).
DELETE FROM lmirror.spend
WHERE ts >= $floor
  AND (ts >= $since OR request_id IN (SELECT request_id FROM temp.fetched));

-- name: litellm_insert_fetched
-- Append the fetched rows to the mirror.
INSERT INTO lmirror.spend SELECT * FROM temp.fetched;

-- name: litellm_state
-- Rows mirrored and the newest startTime among them (the high-water mark).
SELECT count(*) AS rows, max(ts) AS last_ts, min(ts) AS first_ts FROM lmirror.spend;

-- name: litellm_delete_daily
-- Drop the mirrored rollup rows from $since_day on (they are read again).
DELETE FROM lmirror.daily WHERE day >= $since_day;

-- name: litellm_fetch_daily
-- Read LiteLLM's rollup rows from Postgres into this cursor's temp table (a day that is not a date is skipped).
CREATE OR REPLACE TEMP TABLE fetched_daily AS
SELECT TRY_CAST(day AS DATE) AS day, provider, model, prompt_tokens, completion_tokens, cache_read_tokens,
       cache_write_tokens, spend, successful_requests, failed_requests
FROM postgres_query('pg', $pg_sql)
WHERE TRY_CAST(day AS DATE) IS NOT NULL;

-- name: litellm_insert_daily
-- Append the fetched rollup rows to the mirror.
INSERT INTO lmirror.daily SELECT * FROM temp.fetched_daily;

-- name: litellm_views
-- Views over the mirror: every row mapped (litellm_rows), the canonical `requests` (successful ones; PROTOCOL.md) with LiteLLM's dimensions, the failed ones apart, and the hourly rollup.
CREATE OR REPLACE VIEW litellm_rows AS
SELECT
    request_id, ts, provider, model, model_group, call_type, failed, session_id,
    GREATEST(prompt_tokens - cache_read_tokens - cache_write_tokens, 0) AS prompt_tokens,
    completion_tokens, cache_read_tokens, cache_write_tokens,
    spend                                                          AS stored_cost,
    COALESCE(key_alias, CASE WHEN key_hash8 IS NOT NULL THEN 'key ' || key_hash8 || '…' END) AS api_key,
    user_id,
    COALESCE(team_alias, team_id)                                  AS team,
    end_user,
    tags
FROM lmirror.spend;
CREATE OR REPLACE VIEW requests AS
SELECT
    request_id, ts,
    CAST(NULL AS VARCHAR)                                          AS raw_ts,
    provider, model,
    'main'                                                         AS initiator,
    CAST(NULL AS VARCHAR)                                          AS task_kind,
    call_type                                                      AS channel,
    session_id, prompt_tokens, completion_tokens, stored_cost, cache_read_tokens, cache_write_tokens,
    CAST(0 AS BIGINT)                                              AS cache_write_1h_tokens,
    CAST(NULL AS VARCHAR)                                          AS project,
    api_key, user_id, team, end_user, tags, model_group
FROM litellm_rows
WHERE NOT failed;
CREATE OR REPLACE VIEW failed_requests AS
SELECT * FROM litellm_rows WHERE failed;
CREATE OR REPLACE VIEW request_rollup AS SELECT * FROM lmirror.hourly;

-- name: litellm_touched_hours
-- Into temp.touched_hours: the rollup hours in [$floor, $since) that hold a row read again (its request_id came back).
CREATE OR REPLACE TEMP TABLE touched_hours AS
SELECT DISTINCT date_trunc('hour', ts) AS hour
FROM lmirror.spend
WHERE ts >= $floor AND ts < $since AND request_id IN (SELECT request_id FROM temp.fetched);

-- name: litellm_delete_rollup
-- Drop the rollup hours from $since's hour on, and the touched ones (they are recomputed).
DELETE FROM lmirror.hourly
WHERE hour >= date_trunc('hour', $since) OR hour IN (SELECT hour FROM temp.touched_hours);

-- name: litellm_insert_rollup
-- Recompute the rollup hours from $since's hour on, and the touched ones, from the mirrored rows (usage.sql's rollup blocks read it).
INSERT INTO lmirror.hourly
SELECT date_trunc('hour', ts)                                               AS hour,
       provider, model, 'main'                                              AS initiator,
       count(*)                                                             AS requests,
       sum(prompt_tokens)::BIGINT                                           AS prompt_tokens,
       sum(completion_tokens)::BIGINT                                       AS completion_tokens,
       COALESCE(sum(exact_usd(stored_cost)) FILTER (WHERE stored_cost > 0),
                CAST(0 AS DECIMAL(38, 15)))                                 AS stored_cost,
       COALESCE(sum(prompt_tokens) FILTER (WHERE stored_cost <= 0), 0)::BIGINT     AS unstored_prompt,
       COALESCE(sum(completion_tokens) FILTER (WHERE stored_cost <= 0), 0)::BIGINT AS unstored_completion,
       count(*) FILTER (WHERE stored_cost <= 0 AND prompt_tokens + completion_tokens > 0) AS unpriced_rows,
       count(*) FILTER (WHERE stored_cost > 0)                              AS stored_rows,
       sum(cache_read_tokens)::BIGINT                                       AS cache_read_tokens,
       sum(cache_write_tokens)::BIGINT                                      AS cache_write_tokens,
       CAST(0 AS BIGINT)                                                    AS cache_write_1h_tokens
FROM requests
WHERE ts >= date_trunc('hour', $floor)
  AND (ts >= date_trunc('hour', $since) OR date_trunc('hour', ts) IN (SELECT hour FROM temp.touched_hours))
GROUP BY ALL;

-- name: litellm_delete_dim_daily
-- Drop the dimension rollup's UTC days from $since's day on, and the days of the touched hours (they are recomputed).
DELETE FROM lmirror.dim_daily
WHERE day >= CAST($since AS DATE) OR day IN (SELECT CAST(hour AS DATE) FROM temp.touched_hours);

-- name: litellm_insert_dim_daily
-- Recompute those days of the dimension rollup: one row per UTC day and combination of provider, model, outcome and dimension values.
INSERT INTO lmirror.dim_daily
SELECT CAST(ts AS DATE) AS day, provider, model, failed, api_key, user_id, team, end_user, tags,
       count(*)                                        AS requests,
       sum(prompt_tokens)::BIGINT                      AS prompt_tokens,
       sum(completion_tokens)::BIGINT                  AS completion_tokens,
       sum(cache_read_tokens)::BIGINT                  AS cache_read_tokens,
       sum(cache_write_tokens)::BIGINT                 AS cache_write_tokens,
       sum(CAST(stored_cost AS DECIMAL(38, 12)))       AS stored_cost
FROM litellm_rows
WHERE ts >= CAST(CAST($floor AS DATE) AS TIMESTAMP)
  AND (ts >= CAST(CAST($since AS DATE) AS TIMESTAMP)
       OR CAST(ts AS DATE) IN (SELECT CAST(hour AS DATE) FROM temp.touched_hours))
GROUP BY ALL;

-- name: litellm_failed_count
-- Failed requests in [start_utc, end_utc) for the provider, model and dimension filters (the daily dimension rollup when `daily`).
SELECT COALESCE(sum(requests), 0) AS failed
FROM litellm_filtered_dims($start_utc, $end_utc, $daily, $provider, $model, $api_key, $user_id, $team, $end_user, $tag)
WHERE failed;

-- name: litellm_aggregate_days
-- LiteLLM's daily rollup for the UTC days of [from_day, until_day] that have no spend-log row at all (purged or never logged).
SELECT d.day, d.provider, d.model,
       sum(GREATEST(d.prompt_tokens - d.cache_read_tokens - d.cache_write_tokens, 0)) AS prompt_tokens,
       sum(d.completion_tokens)                                                      AS completion_tokens,
       sum(d.spend)                                                                  AS spend,
       sum(d.successful_requests)                                                    AS requests,
       sum(d.failed_requests)                                                        AS failed
FROM lmirror.daily AS d
WHERE d.day BETWEEN $from_day AND $until_day
  AND ($provider IS NULL OR d.provider = $provider)
  AND ($model IS NULL OR d.model = $model)
  AND NOT EXISTS (SELECT 1 FROM lmirror.spend AS s
                  WHERE s.ts >= CAST(d.day AS TIMESTAMP) AND s.ts < CAST(d.day AS TIMESTAMP) + INTERVAL 1 DAY)
GROUP BY d.day, d.provider, d.model
ORDER BY d.day, d.provider, d.model;

-- name: litellm_dimension_values
-- The values of a scalar dimension (api_key, user_id, team, end_user) in the mirror, most requests first, for a filter list.
SELECT value, count(*) AS requests
FROM (SELECT CASE $dimension WHEN 'api_key' THEN api_key WHEN 'user_id' THEN user_id
                             WHEN 'team' THEN team WHEN 'end_user' THEN end_user END AS value
      FROM litellm_rows)
WHERE value IS NOT NULL
GROUP BY value
ORDER BY requests DESC, value;

-- name: litellm_tag_values
-- The tags in the mirror, most requests first, for a filter list.
SELECT value, count(*) AS requests
FROM (SELECT unnest(tags) AS value FROM litellm_rows)
WHERE value IS NOT NULL
GROUP BY value
ORDER BY requests DESC, value;

-- name: define_litellm_filtered_rows
-- Table macros: usage.sql's dimension_requests over LiteLLM's own dimension columns, and the dimension rows of one filter state (UTC window, provider, model, each dimension; NULL: any), from the daily rollup when `daily` (whole UTC days) else from the mapped rows.
-- dimension_requests replaces usage.sql's (which matches no request once a dimension filter is set):
-- the Token Usage page's KPI cards, days and breakdown follow the key, user, team, end user and tag filters.
CREATE OR REPLACE MACRO dimension_requests(key_eq, user_eq, team_eq, end_user_eq, tag_eq) AS TABLE
SELECT * FROM requests
WHERE (key_eq IS NULL OR api_key = key_eq) AND (user_eq IS NULL OR user_id = user_eq)
  AND (team_eq IS NULL OR team = team_eq) AND (end_user_eq IS NULL OR end_user = end_user_eq)
  AND (tag_eq IS NULL OR list_contains(tags, tag_eq));
CREATE OR REPLACE MACRO litellm_filtered_dims(start_utc, end_utc, daily, provider_eq, model_eq,
                                              key_eq, user_eq, team_eq, end_user_eq, tag_eq) AS TABLE
SELECT failed, api_key, user_id, team, end_user, tags, requests, prompt_tokens, completion_tokens,
       cache_read_tokens, cache_write_tokens, stored_cost
FROM (SELECT provider, model, failed, api_key, user_id, team, end_user, tags, 1 AS requests, prompt_tokens,
             completion_tokens, cache_read_tokens, cache_write_tokens,
             CAST(stored_cost AS DECIMAL(38, 12)) AS stored_cost
      FROM litellm_rows
      WHERE NOT daily AND ts >= start_utc AND ts < end_utc
      UNION ALL
      SELECT provider, model, failed, api_key, user_id, team, end_user, tags, requests, prompt_tokens,
             completion_tokens, cache_read_tokens, cache_write_tokens, stored_cost
      FROM lmirror.dim_daily
      WHERE daily AND day >= CAST(start_utc AS DATE) AND day < CAST(end_utc AS DATE))
WHERE (provider_eq IS NULL OR provider = provider_eq) AND (model_eq IS NULL OR model = model_eq)
  AND (key_eq IS NULL OR api_key = key_eq) AND (user_eq IS NULL OR user_id = user_eq)
  AND (team_eq IS NULL OR team = team_eq) AND (end_user_eq IS NULL OR end_user = end_user_eq)
  AND (tag_eq IS NULL OR list_contains(tags, tag_eq));

-- name: litellm_dimension_breakdown
-- Requests, tokens, stored cost and failures per value of one scalar dimension for one filter state.
SELECT CASE $dimension WHEN 'api_key' THEN api_key WHEN 'user_id' THEN user_id
                       WHEN 'team' THEN team WHEN 'end_user' THEN end_user END    AS value,
       COALESCE(sum(requests) FILTER (WHERE NOT failed), 0)                      AS requests,
       COALESCE(sum(prompt_tokens) FILTER (WHERE NOT failed), 0)                  AS prompt_tokens,
       COALESCE(sum(completion_tokens) FILTER (WHERE NOT failed), 0)              AS completion_tokens,
       COALESCE(sum(cache_read_tokens) FILTER (WHERE NOT failed), 0)              AS cache_read_tokens,
       COALESCE(sum(cache_write_tokens) FILTER (WHERE NOT failed), 0)             AS cache_write_tokens,
       COALESCE(sum(stored_cost) FILTER (WHERE NOT failed),
                CAST(0 AS DECIMAL(38, 12)))                                       AS stored_cost,
       COALESCE(sum(requests) FILTER (WHERE failed), 0)                          AS failed
FROM litellm_filtered_dims($start_utc, $end_utc, $daily, $provider, $model, $api_key, $user_id, $team, $end_user, $tag)
GROUP BY 1
ORDER BY stored_cost DESC, requests DESC, value NULLS LAST;

-- name: litellm_tag_breakdown
-- The same per tag (a request with several tags counts under each; one without tags under NULL).
SELECT value,
       COALESCE(sum(requests) FILTER (WHERE NOT failed), 0)                      AS requests,
       COALESCE(sum(prompt_tokens) FILTER (WHERE NOT failed), 0)                  AS prompt_tokens,
       COALESCE(sum(completion_tokens) FILTER (WHERE NOT failed), 0)              AS completion_tokens,
       COALESCE(sum(cache_read_tokens) FILTER (WHERE NOT failed), 0)              AS cache_read_tokens,
       COALESCE(sum(cache_write_tokens) FILTER (WHERE NOT failed), 0)             AS cache_write_tokens,
       COALESCE(sum(stored_cost) FILTER (WHERE NOT failed),
                CAST(0 AS DECIMAL(38, 12)))                                       AS stored_cost,
       COALESCE(sum(requests) FILTER (WHERE failed), 0)                          AS failed
FROM (SELECT unnest(CASE WHEN len(tags) = 0 THEN [NULL] ELSE tags END) AS value, failed, requests, prompt_tokens,
             completion_tokens, cache_read_tokens, cache_write_tokens, stored_cost
      FROM litellm_filtered_dims($start_utc, $end_utc, $daily, $provider, $model, $api_key, $user_id, $team,
                                 $end_user, $tag))
GROUP BY 1
ORDER BY stored_cost DESC, requests DESC, value NULLS LAST;
