-- The generic incremental mirror (queries/mirror.py): typed DuckDB-native tables in the
-- attached catalog `mirror` (a DuckDB file in the cache directory), filled from the read-only
-- SQLite catalog `src` through the blocks a kind names in its MirrorSpec (Axiom's: the axiom_*
-- blocks here). Axiom's rows are converted by sources/axiom.sql's axiom_convert, the macro its
-- direct view uses too, so the `requests` view over the mirror returns the same rows as the
-- direct view. The session attributes (initiator, task kind, channel) are joined at query time
-- from a small per-session map, so a session that changes type needs no rewrite of its rows;
-- the hourly rollup that the page reads carries the initiator and is recomputed for the hours
-- such a session touches.
--
-- Tables: mirror.requests_rows, mirror.sessions_map, mirror.requests_hourly (what the views
-- read) and mirror.mirror_stamp (what the file holds, checked when it is opened); a rebuild
-- fills the same names with a `_next` suffix and renames them over the old ones in one
-- transaction. Every value is a bound parameter.

-- name: mirror_define_macros
-- Macros of the mirror itself: rollup rows (mirror_rollup_rows); a kind's own come from its spec's `macros` block.
-- mirror_rollup_rows: per UTC hour x provider x model x initiator, the rows with lo < request_id <= hi
-- of a rows table and its session map (named by the caller: the current tables or the `_next` ones).
-- The cost is split so that prices apply at query time: stored costs above 0, and the tokens of the
-- rows without one.
CREATE OR REPLACE MACRO mirror_rollup_rows(rows_table, sessions_table, lo, hi) AS TABLE
SELECT date_trunc('hour', u.ts)                                             AS hour,
       u.provider, u.model,
       COALESCE(m.initiator, 'main')                                        AS initiator,
       count(*)                                                             AS requests,
       sum(u.prompt_tokens)::BIGINT                                         AS prompt_tokens,
       sum(u.completion_tokens)::BIGINT                                     AS completion_tokens,
       COALESCE(sum(exact_usd(u.stored_cost)) FILTER (WHERE u.stored_cost > 0),
                CAST(0 AS DECIMAL(38, 15)))                                 AS stored_cost,  -- exact (usage.sql)
       COALESCE(sum(u.prompt_tokens) FILTER (WHERE u.stored_cost <= 0), 0)::BIGINT     AS unstored_prompt,
       COALESCE(sum(u.completion_tokens) FILTER (WHERE u.stored_cost <= 0), 0)::BIGINT AS unstored_completion,
       count(*) FILTER (WHERE u.stored_cost <= 0 AND u.prompt_tokens + u.completion_tokens > 0) AS unpriced_rows,
       count(*) FILTER (WHERE u.stored_cost > 0)                            AS stored_rows
FROM query_table(rows_table) AS u
LEFT JOIN query_table(sessions_table) AS m ON m.session_id = u.session_id
WHERE u.request_id > lo AND u.request_id <= hi AND u.ts IS NOT NULL
GROUP BY ALL;

-- name: mirror_stamp_read
-- What the mirror's file holds: our format, the kind's conversion version, the kind, the source path, rows, lowest id, high-water mark, rollup usable.
SELECT format, kind_version, kind, source, row_count, min_id, high_water, rollup FROM mirror.mirror_stamp;

-- name: mirror_stamp_clear
-- The stamp table, created when missing and emptied (inside the transaction that changes the mirror).
CREATE TABLE IF NOT EXISTS mirror.mirror_stamp (
    format       INTEGER,   -- queries/mirror.py MIRROR_FORMAT
    kind_version INTEGER,   -- the kind's MirrorSpec.version
    kind         VARCHAR,
    source       VARCHAR,   -- the resolved source path
    row_count    BIGINT,
    min_id       BIGINT,
    high_water   BIGINT,
    rollup       BOOLEAN
);
DELETE FROM mirror.mirror_stamp;

-- name: mirror_stamp_write
-- The stamp's one row (after mirror_stamp_clear, in the same transaction).
INSERT INTO mirror.mirror_stamp VALUES ($format, $version, $kind, $source, $rows, $min_id, $high_water, $rollup);

-- name: mirror_create_next
-- Empty `_next` tables for a build: rows (raw_ts kept only where ts could not be read) and the session map.
CREATE OR REPLACE TABLE mirror.requests_rows_next (
    request_id        BIGINT,
    ts                TIMESTAMP,
    raw_ts            VARCHAR,
    provider          VARCHAR,
    model             VARCHAR,
    session_id        VARCHAR,
    prompt_tokens     BIGINT,
    completion_tokens BIGINT,
    stored_cost       DOUBLE
);
CREATE OR REPLACE TABLE mirror.sessions_map_next AS SELECT * FROM temp.session_map_new;

-- name: axiom_mirror_macros
-- Axiom's macros for the mirror: a range of rows read as text (axiom_raw_rows) and rows as the mirror stores them (axiom_mirror_rows).
-- Both go through sources/axiom.sql's axiom_convert, the one definition of Axiom's row conversion.
-- axiom_raw_rows: the token_usage rows with lo < id <= hi, through SQLite's primary key, as text
-- (sqlite_query reads text; a REAL cost is printed with 17 digits, which reads back as exactly the
-- stored double).
CREATE OR REPLACE MACRO axiom_raw_rows(lo, hi) AS TABLE
SELECT * FROM sqlite_query('src',
    'SELECT id, "timestamp", provider, model, session_id, prompt_tokens, completion_tokens,
            CASE typeof(estimated_cost) WHEN ''real'' THEN printf(''%!.17g'', estimated_cost)
                 ELSE estimated_cost END AS estimated_cost
     FROM token_usage WHERE id > ? AND id <= ?',
    params = row(lo::BIGINT, hi::BIGINT));
-- axiom_mirror_rows: converted rows of `raw_table` as the mirror stores them (raw_ts kept only where
-- ts could not be read, the only place anything reads it).
CREATE OR REPLACE MACRO axiom_mirror_rows(raw_table) AS TABLE
SELECT request_id, ts, CASE WHEN ts IS NULL THEN raw_ts END AS raw_ts, provider, model, session_id,
       prompt_tokens, completion_tokens, stored_cost
FROM axiom_convert(raw_table);

-- name: axiom_mirror_view
-- The canonical `requests` view over the mirror's tables: the direct view's join (axiom_requests), on the mirrored rows and map.
CREATE OR REPLACE VIEW requests AS SELECT * FROM axiom_requests('mirror.requests_rows', 'mirror.sessions_map');

-- name: axiom_source_state
-- Row count and lowest and highest id of token_usage in one SQLite statement (WAL files: a reader never blocks the agent there).
SELECT TRY_CAST(n AS BIGINT) AS n, TRY_CAST(min_id AS BIGINT) AS min_id, TRY_CAST(max_id AS BIGINT) AS max_id
FROM sqlite_query('src', 'SELECT (SELECT count(*) FROM token_usage) AS n, (SELECT min(id) FROM token_usage) AS min_id,
                                 (SELECT max(id) FROM token_usage) AS max_id');

-- name: axiom_source_bounds
-- Lowest and highest id of token_usage (two lookups in SQLite's primary key: no scan).
SELECT TRY_CAST(min_id AS BIGINT) AS min_id, TRY_CAST(max_id AS BIGINT) AS max_id
FROM sqlite_query('src', 'SELECT (SELECT min(id) FROM token_usage) AS min_id, (SELECT max(id) FROM token_usage) AS max_id');

-- name: axiom_source_count
-- Rows of token_usage with lo < id <= hi (one short SQLite statement per id range; see mirror.py's COUNT_CHUNK).
SELECT TRY_CAST(n AS BIGINT) AS n
FROM sqlite_query('src', 'SELECT count(*) AS n FROM token_usage WHERE id > ? AND id <= ?',
                  params = row($lo::BIGINT, $hi::BIGINT));

-- name: axiom_session_rowid_bounds
-- Lowest and highest rowid of Axiom's sessions and of its tasks (lookups at the ends of their b-trees: no scan).
SELECT TRY_CAST(s_min AS BIGINT) AS s_min, TRY_CAST(s_max AS BIGINT) AS s_max,
       TRY_CAST(t_min AS BIGINT) AS t_min, TRY_CAST(t_max AS BIGINT) AS t_max
FROM sqlite_query('src', 'SELECT (SELECT min(rowid) FROM sessions) AS s_min, (SELECT max(rowid) FROM sessions) AS s_max,
                                 (SELECT min(rowid) FROM tasks) AS t_min, (SELECT max(rowid) FROM tasks) AS t_max');

-- name: axiom_mirror_session_map
-- temp.session_map_new from Axiom's sessions and tasks read in full in one statement (a WAL file: its readers never block the agent).
-- (Scanning the attached tables, in parallel, takes half the time of sqlite_query here. A rollback-journal
-- file is read in rowid ranges instead: axiom_sessions_chunk, axiom_tasks_chunk, axiom_session_map_from_parts.)
CREATE OR REPLACE TEMP TABLE session_map_new AS
SELECT * FROM axiom_session_map('src.sessions', 'src.tasks');

-- name: axiom_session_parts_empty
-- Empty temp.src_sessions and temp.src_tasks, filled chunk by chunk from the agent's sessions and tasks.
CREATE OR REPLACE TEMP TABLE src_sessions (id VARCHAR, type VARCHAR, source VARCHAR);
CREATE OR REPLACE TEMP TABLE src_tasks (session_id VARCHAR, trigger_type VARCHAR);

-- name: axiom_sessions_chunk
-- Append the sessions with $lo < rowid <= $hi to temp.src_sessions (one short SQLite statement; see mirror.py's SESSION_CHUNK).
INSERT INTO temp.src_sessions
SELECT id, type, source
FROM sqlite_query('src', 'SELECT id, type, source FROM sessions WHERE rowid > ? AND rowid <= ?',
                  params = row($lo::BIGINT, $hi::BIGINT));

-- name: axiom_tasks_chunk
-- Append the tasks with a session and $lo < rowid <= $hi to temp.src_tasks (one short SQLite statement).
INSERT INTO temp.src_tasks
SELECT session_id, trigger_type
FROM sqlite_query('src', 'SELECT session_id, trigger_type FROM tasks
                          WHERE session_id IS NOT NULL AND rowid > ? AND rowid <= ?',
                  params = row($lo::BIGINT, $hi::BIGINT));

-- name: axiom_session_map_from_parts
-- temp.session_map_new from temp.src_sessions and temp.src_tasks (Axiom's partition: sources/axiom.sql's axiom_session_map).
-- (Temp tables of the refreshing cursor, so the refresh transaction writes to the mirror alone.)
CREATE OR REPLACE TEMP TABLE session_map_new AS
SELECT * FROM axiom_session_map('temp.src_sessions', 'temp.src_tasks');

-- name: axiom_mirror_copy
-- Copy every token_usage row with id <= $max_id into mirror.requests_rows_next (first build, rebuild).
-- mirror.py runs it with sqlite_all_varchar off: the attached table is then scanned in parallel with
-- SQLite's own types, half the CPU of reading every value as text (and a quarter of reading by id
-- ranges with sqlite_query). A value of an unexpected storage class (text in an INTEGER column, say)
-- stops it with a type mismatch, and mirror.py copies with axiom_mirror_copy_range instead, which
-- reads text exactly like the direct view. Either way a REAL cost arrives as the stored double.
INSERT INTO mirror.requests_rows_next
SELECT *
FROM axiom_mirror_rows('src.token_usage')
-- Always true. Once per 32,768 ids (where the left side is false) it calls mirror_progress,
-- which notes the largest id copied so far for the progress bar (a call per vector costs 40 %).
WHERE ((request_id & 32767) >= 1024 OR mirror_progress(request_id))
  AND request_id <= $max_id;

-- name: axiom_mirror_copy_range
-- Copy the token_usage rows with $lo < id <= $hi into mirror.requests_rows_next, read as text (the careful copy).
WITH raw AS (SELECT * FROM axiom_raw_rows($lo, $hi))
INSERT INTO mirror.requests_rows_next
SELECT * FROM axiom_mirror_rows('raw');

-- name: mirror_new_rows_empty
-- An empty temp.new_rows, shaped like the mirror's rows, for a refresh to fill chunk by chunk.
CREATE OR REPLACE TEMP TABLE new_rows AS SELECT * FROM mirror.requests_rows LIMIT 0;

-- name: axiom_mirror_fetch_new
-- Append the token_usage rows with $lo < id <= $hi to temp.new_rows (one chunk of a refresh; see mirror.py's ROW_CHUNK).
WITH raw AS (SELECT * FROM axiom_raw_rows($lo, $hi))
INSERT INTO temp.new_rows
SELECT * FROM axiom_mirror_rows('raw');

-- name: mirror_append_fetched
-- Append temp.new_rows (read by the adapter's fetch_new block) to mirror.requests_rows.
INSERT INTO mirror.requests_rows
SELECT * FROM temp.new_rows;

-- name: mirror_create_rollup_next
-- The hourly rollup of the `_next` tables, in hour order.
CREATE OR REPLACE TABLE mirror.requests_hourly_next AS
SELECT * FROM mirror_rollup_rows('mirror.requests_rows_next', 'mirror.sessions_map_next',
                                 -9223372036854775808, 9223372036854775807)
ORDER BY hour;

-- name: mirror_create_empty_rollup_next
-- An empty rollup, when token sums do not fit one (the page's blocks then read the rows).
CREATE OR REPLACE TABLE mirror.requests_hourly_next AS
SELECT * FROM mirror_rollup_rows('mirror.requests_rows_next', 'mirror.sessions_map_next', 0, -1);

-- name: mirror_swap_next
-- The `_next` tables replace the current ones (run inside one transaction: readers see old or new).
DROP TABLE IF EXISTS mirror.requests_rows;
DROP TABLE IF EXISTS mirror.sessions_map;
DROP TABLE IF EXISTS mirror.requests_hourly;
ALTER TABLE mirror.requests_rows_next RENAME TO requests_rows;
ALTER TABLE mirror.sessions_map_next RENAME TO sessions_map;
ALTER TABLE mirror.requests_hourly_next RENAME TO requests_hourly;

-- name: mirror_views
-- The `request_rollup` view over the mirror's current rollup (the kind's `view` block makes `requests`).
CREATE OR REPLACE VIEW request_rollup AS SELECT * FROM mirror.requests_hourly;

-- name: mirror_changed_sessions
-- Into temp.changed_sessions: session ids whose initiator, task kind or channel differ between the stored and the fresh map.
CREATE OR REPLACE TEMP TABLE changed_sessions AS
SELECT COALESCE(o.session_id, n.session_id) AS session_id
FROM mirror.sessions_map AS o
FULL OUTER JOIN temp.session_map_new AS n ON n.session_id = o.session_id
WHERE o.initiator IS DISTINCT FROM n.initiator
   OR o.task_kind IS DISTINCT FROM n.task_kind
   OR o.channel IS DISTINCT FROM n.channel;

-- name: mirror_count_changed_sessions
-- How many session ids changed (0 on almost every refresh).
SELECT count(*) FROM temp.changed_sessions;

-- name: mirror_changed_hours
-- Into temp.changed_hours: the rollup hours holding rows of changed sessions (before the refresh transaction).
CREATE OR REPLACE TEMP TABLE changed_hours AS
SELECT DISTINCT date_trunc('hour', u.ts) AS hour
FROM mirror.requests_rows AS u
JOIN temp.changed_sessions AS c ON c.session_id = u.session_id
WHERE u.ts IS NOT NULL;

-- name: mirror_swap_session_map
-- The fresh session map becomes the one the views read (inside the refresh transaction).
DELETE FROM mirror.sessions_map;
INSERT INTO mirror.sessions_map SELECT * FROM temp.session_map_new;

-- name: mirror_fix_rollup
-- Recompute the rollup hours of temp.changed_hours (after mirror_swap_session_map, in the same transaction).
DELETE FROM mirror.requests_hourly WHERE hour IN (SELECT hour FROM temp.changed_hours);
INSERT INTO mirror.requests_hourly
SELECT * FROM mirror_rollup_rows('mirror.requests_rows', 'mirror.sessions_map',
                                 -9223372036854775808, 9223372036854775807)
WHERE hour IN (SELECT hour FROM temp.changed_hours);

-- name: mirror_append_rollup
-- Add the rollup rows of the mirrored rows with $lo < request_id <= $hi (a key may repeat; the page blocks sum).
INSERT INTO mirror.requests_hourly
SELECT * FROM mirror_rollup_rows('mirror.requests_rows', 'mirror.sessions_map', $lo, $hi);

-- name: axiom_range_checksum
-- Count, order-free hash and cost sum of the source rows with $lo < id <= $hi, converted like the copy.
-- (Costs are compared by their sum, to within rounding: SQLite cannot print every double exactly.)
WITH raw AS (SELECT * FROM axiom_raw_rows($lo, $hi))
SELECT count(*) AS n,
       COALESCE(sum(hash(request_id, ts, raw_ts, provider, model, session_id,
                         prompt_tokens, completion_tokens)::HUGEINT), 0) AS h,
       COALESCE(sum(stored_cost), 0) AS cost
FROM axiom_mirror_rows('raw');

-- name: mirror_range_checksum
-- The same count, hash and cost sum over the mirrored rows with $lo < request_id <= $hi.
SELECT count(*) AS n,
       COALESCE(sum(hash(request_id, ts, raw_ts, provider, model, session_id,
                         prompt_tokens, completion_tokens)::HUGEINT), 0) AS h,
       COALESCE(sum(stored_cost), 0) AS cost
FROM mirror.requests_rows
WHERE request_id > $lo AND request_id <= $hi;

-- ---------------------------------------------------------------------------------------
-- The page's blocks over the hourly rollup. Same parameters and same result columns as
-- `totals`, `daily` and `breakdown` in usage.sql; usage.py uses them when the source has a
-- rollup and every day boundary of the range falls on a whole UTC hour (true for UTC and
-- for every zone whose offset is whole hours on those days). A row's cost is Axiom's rule
-- summed: stored costs above 0, plus the tokens of the rows without one at the model's price.

-- name: define_filtered_rollup
-- Table macro: the rollup rows of one filter state, each with its display-zone day and cost.
-- Rows without a stored cost are priced per hour at the base rate in force on the hour's UTC
-- day; the requests above a long-context tier threshold (few: read from the mirrored rows) add
-- what their tier costs beyond that base rate, as rows with no requests and no tokens.
CREATE OR REPLACE MACRO filtered_rollup(start_utc, end_utc, tz, provider_eq, model_eq,
                                        rate_model, rate_from, rate_until, rate_above, rate_upto,
                                        rate_input, rate_output, rate_tier,
                                        rate_cache_read, rate_cache_write, rate_cache_write_1h) AS TABLE  -- (no cache tokens: Axiom)
WITH prices AS (  -- usage.sql's one unpacking of the rate lists
    SELECT * FROM rate_rows(rate_model, rate_from, rate_until, rate_above, rate_upto, rate_input, rate_output,
                            rate_tier, rate_cache_read, rate_cache_write, rate_cache_write_1h)
),
hourly AS (
    SELECT
        r.*,
        r.stored_cost + COALESCE(token_cost(r.unstored_prompt, r.unstored_completion, p.input, p.output),
                                 CAST(0 AS DECIMAL(38, 15)))                     AS cost,
        (r.unpriced_rows > 0 AND p.model IS NULL)                                AS unpriced,
        CASE WHEN p.model IS NULL THEN r.unpriced_rows ELSE 0 END                AS unpriced_requests,
        p.input                                                                  AS price_in,
        p.output                                                                 AS price_out,
        CAST(NULL AS VARCHAR)                                                    AS price_tier
    FROM request_rollup AS r
    LEFT JOIN prices AS p
           ON p.model = r.model AND p.above < 0
          AND (p.valid_from IS NULL OR r.hour >= p.valid_from) AND (p.valid_until IS NULL OR r.hour < p.valid_until)
    WHERE r.hour >= start_utc AND r.hour < end_utc
      AND (provider_eq IS NULL OR r.provider = provider_eq)
      AND (model_eq IS NULL OR r.model = model_eq)
),
tier_extra AS (
    -- What a long-context tier adds over the base rate, for the few requests above a threshold;
    -- no requests or tokens of their own (they are counted in `hourly`).
    SELECT
        date_trunc('hour', q.ts) AS hour, q.provider, q.model, q.initiator,
        0 AS requests, 0 AS prompt_tokens, 0 AS completion_tokens, CAST(0 AS DECIMAL(38, 15)) AS stored_cost,
        0 AS unstored_prompt, 0 AS unstored_completion, 0 AS unpriced_rows, 0 AS stored_rows,
        token_cost(q.prompt_tokens, q.completion_tokens, t.input - b.input, t.output - b.output) AS cost,
        false AS unpriced,
        0 AS unpriced_requests,
        t.tier AS price_tier,
        -- typed here so the union below has the cache columns: NULL (none) on a rollup without them (Axiom's)
        CAST(0 AS BIGINT) AS cache_read_tokens, CAST(0 AS BIGINT) AS cache_write_tokens,
        CAST(0 AS BIGINT) AS cache_write_1h_tokens
    FROM requests AS q
    JOIN prices AS t
      ON t.model = q.model AND t.above >= 0 AND q.prompt_tokens > t.above AND (t.upto IS NULL OR q.prompt_tokens <= t.upto)
     AND (t.valid_from IS NULL OR q.ts >= t.valid_from) AND (t.valid_until IS NULL OR q.ts < t.valid_until)
    JOIN prices AS b
      ON b.model = t.model AND b.above < 0
     AND b.valid_from IS NOT DISTINCT FROM t.valid_from AND b.valid_until IS NOT DISTINCT FROM t.valid_until
    WHERE q.stored_cost <= 0 AND q.ts >= start_utc AND q.ts < end_utc
      AND (provider_eq IS NULL OR q.provider = provider_eq)
      AND (model_eq IS NULL OR q.model = model_eq)
)
SELECT
    x.* REPLACE (COALESCE(x.cache_read_tokens, 0) AS cache_read_tokens,
                 COALESCE(x.cache_write_tokens, 0) AS cache_write_tokens,
                 COALESCE(x.cache_write_1h_tokens, 0) AS cache_write_1h_tokens),
    CAST(CASE WHEN tz = 'UTC' THEN x.hour
              ELSE timezone(tz, x.hour AT TIME ZONE 'UTC') END AS DATE)          AS day
FROM (SELECT * FROM hourly UNION ALL BY NAME SELECT * FROM tier_extra) AS x;

-- name: rollup_provider_models
-- Every (provider, model) pair ever recorded, as provider_models gives it, from the rollup plus the rows whose timestamp could not be read (the rollup leaves them out).
-- (provider_models over the rows joins 10M rows to the session map: ~0.5-1 s on every page load and
-- Refresh at 10M rows; this reads ~300k rollup rows.)
SELECT provider, model, CAST(sum(requests) AS BIGINT) AS requests
FROM (
    SELECT provider, model, requests FROM request_rollup
    UNION ALL
    SELECT provider, model, count(*) AS requests FROM mirror.requests_rows WHERE ts IS NULL GROUP BY provider, model
)
GROUP BY provider, model
ORDER BY provider, model;

-- name: rollup_unparseable_timestamps
-- How many rows carry a timestamp that could not be read, as unparseable_timestamps gives it, from the mirrored rows alone (no session map join).
SELECT count(*) AS rows, any_value(raw_ts) AS example
FROM mirror.requests_rows
WHERE ts IS NULL;

-- name: rollup_totals
-- Requests, tokens and estimated cost of one filter state, as a single row (from the rollup).
SELECT
    COALESCE(sum(requests), 0)                        AS requests,
    COALESCE(sum(prompt_tokens), 0)                   AS prompt_tokens,
    COALESCE(sum(completion_tokens), 0)               AS completion_tokens,
    COALESCE(sum(prompt_tokens + completion_tokens + cache_read_tokens + cache_write_tokens
                 + cache_write_1h_tokens), 0)         AS total_tokens,
    COALESCE(sum(cost), CAST(0 AS DECIMAL(38, 15)))   AS estimated_cost,
    COALESCE(sum(cache_read_tokens), 0)               AS cache_read_tokens,
    COALESCE(sum(cache_write_tokens + cache_write_1h_tokens), 0) AS cache_write_tokens
FROM filtered_rollup($start_utc, $end_utc, $tz, $provider, $model,
                     $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto, $rate_input, $rate_output,
                     $rate_tier, $rate_cache_read, $rate_cache_write, $rate_cache_write_1h);

-- name: rollup_daily
-- One row per calendar day of the range, zero days included, with the initiator split (from the rollup).
WITH days AS (
    SELECT CAST(g.d AS DATE) AS day
    FROM generate_series(CAST($from_day AS DATE), CAST($until_day AS DATE), INTERVAL 1 DAY) AS g(d)
),
per_day AS (
    SELECT
        day,
        sum(requests)                                              AS requests,
        sum(prompt_tokens)                                         AS prompt_tokens,
        sum(completion_tokens)                                     AS completion_tokens,
        sum(cost)                                                  AS estimated_cost,
        sum(cache_read_tokens)                                     AS cache_read_tokens,
        sum(cache_write_tokens + cache_write_1h_tokens)            AS cache_write_tokens,
        sum(CASE WHEN initiator = 'main' THEN all_tokens ELSE 0 END)      AS main_tokens,
        sum(CASE WHEN initiator = 'task' THEN all_tokens ELSE 0 END)      AS task_tokens,
        sum(CASE WHEN initiator = 'heartbeat' THEN all_tokens ELSE 0 END) AS heartbeat_tokens
    FROM (SELECT *, prompt_tokens + completion_tokens + cache_read_tokens + cache_write_tokens
                    + cache_write_1h_tokens AS all_tokens
          FROM filtered_rollup($start_utc, $end_utc, $tz, $provider, $model,
                               $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto, $rate_input,
                               $rate_output, $rate_tier, $rate_cache_read, $rate_cache_write, $rate_cache_write_1h))
    GROUP BY day
)
SELECT
    days.day,
    COALESCE(requests, 0)                                   AS requests,
    COALESCE(prompt_tokens, 0)                              AS prompt_tokens,
    COALESCE(completion_tokens, 0)                          AS completion_tokens,
    COALESCE(prompt_tokens, 0) + COALESCE(completion_tokens, 0)
        + COALESCE(cache_read_tokens, 0) + COALESCE(cache_write_tokens, 0) AS total_tokens,
    COALESCE(estimated_cost, CAST(0 AS DECIMAL(38, 15)))    AS estimated_cost,
    COALESCE(main_tokens, 0)                                AS main_tokens,
    COALESCE(task_tokens, 0)                                AS task_tokens,
    COALESCE(heartbeat_tokens, 0)                           AS heartbeat_tokens,
    COALESCE(cache_read_tokens, 0)                          AS cache_read_tokens,
    COALESCE(cache_write_tokens, 0)                         AS cache_write_tokens
FROM days
LEFT JOIN per_day USING (day)
ORDER BY days.day;

-- name: rollup_breakdown
-- One row per (provider, model) with activity, by cost then requests, with its share of cost and where its cost came from (from the rollup).
SELECT
    provider,
    model,
    sum(requests)                                 AS requests,
    sum(prompt_tokens)                            AS prompt_tokens,
    sum(completion_tokens)                        AS completion_tokens,
    sum(prompt_tokens + completion_tokens + cache_read_tokens + cache_write_tokens
        + cache_write_1h_tokens)                  AS total_tokens,
    sum(cost)                                     AS estimated_cost,
    CASE WHEN sum(sum(cost)) OVER () > 0
         THEN sum(cost) / sum(sum(cost)) OVER () END AS cost_share,
    bool_or(unpriced)                             AS has_unpriced_rows,
    sum(cache_read_tokens)                        AS cache_read_tokens,
    sum(cache_write_tokens + cache_write_1h_tokens) AS cache_write_tokens,
    sum(stored_rows)                              AS stored_requests,
    sum(unpriced_requests)                        AS unpriced_requests,
    sum(stored_cost)                              AS stored_total,
    sum(token_cost(prompt_tokens - unstored_prompt, completion_tokens - unstored_completion, price_in, price_out))
        FILTER (WHERE stored_rows > 0)            AS recomputed_cost,
    string_agg(DISTINCT price_tier, '; ' ORDER BY price_tier) FILTER (WHERE price_tier <> '') AS price_tiers
FROM filtered_rollup($start_utc, $end_utc, $tz, $provider, $model,
                     $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto, $rate_input, $rate_output,
                     $rate_tier, $rate_cache_read, $rate_cache_write, $rate_cache_write_1h)
GROUP BY provider, model
ORDER BY estimated_cost DESC, requests DESC, provider, model;
