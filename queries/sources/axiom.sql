-- Source adapter for Axiom (formerly openagent): its token_usage table, joined with
-- sessions and tasks, mapped onto the canonical request shape (see README, "The canonical shape").
-- The attached SQLite file is the catalog `src`; every column is read as text
-- (sqlite_all_varchar) and cast here, so one odd value never breaks the page.
--
-- Axiom's row conversion is written once, as the macros below: the direct `requests` view and
-- the mirror (mirror.sql's axiom_* blocks, and the mirror's own `requests` view) all go through
-- them, so the two paths cannot convert a value differently.

-- name: axiom_tables
-- The tables whose presence selects this adapter.
SELECT 'token_usage' AS table_name UNION ALL SELECT 'sessions' UNION ALL SELECT 'tasks';

-- name: axiom_requests_view
-- Axiom's conversion macros (axiom_ts, axiom_convert, axiom_session_map, axiom_requests), then the direct `requests` view over the attached file.
-- axiom_ts: Axiom's timestamp text to naive UTC. Its two forms go through the plain TIMESTAMP cast
-- (4x cheaper; no offset fits in those shapes, so it equals the TIMESTAMPTZ cast in UTC, which
-- tests/test_mirror.py checks on 40,000 mutated strings); everything else takes the TIMESTAMPTZ cast.
CREATE OR REPLACE MACRO axiom_ts(x) AS
    CASE WHEN (length(x) = 19 AND x LIKE '____-__-__ __:__:__')
           OR (length(x) = 24 AND x LIKE '____-__-__T__:__:__.___Z')
         THEN TRY_CAST(x AS TIMESTAMP)
         ELSE TRY_CAST(x AS TIMESTAMPTZ) AT TIME ZONE 'UTC' END;
-- axiom_convert: token_usage rows (a table, view or CTE named `raw_table`: the attached table read
-- as text or typed, or a range read by sqlite_query) as typed request rows; an odd value becomes
-- NULL (id, timestamp) or 0 (tokens, cost), never an error.
CREATE OR REPLACE MACRO axiom_convert(raw_table) AS TABLE
SELECT
    TRY_CAST(t.id AS BIGINT)                             AS request_id,
    axiom_ts(t."timestamp")                              AS ts,
    t."timestamp"                                        AS raw_ts,
    COALESCE(t.provider, '')                             AS provider,
    COALESCE(t.model, '')                                AS model,
    t.session_id                                         AS session_id,
    COALESCE(TRY_CAST(t.prompt_tokens AS BIGINT), 0)     AS prompt_tokens,
    COALESCE(TRY_CAST(t.completion_tokens AS BIGINT), 0) AS completion_tokens,
    COALESCE(TRY_CAST(t.estimated_cost AS DOUBLE), 0)    AS stored_cost
FROM query_table(raw_table) AS t;
-- axiom_session_map: what a request of each session id gets (initiator, task kind, channel), from
-- tables shaped like Axiom's sessions (id, type, source) and tasks (session_id, trigger_type).
-- Axiom's exact partition: heartbeat sessions, task-like sessions, everything else main.
CREATE OR REPLACE MACRO axiom_session_map(sessions_table, tasks_table) AS TABLE
WITH sessions AS (
    SELECT id, any_value(type) AS type, any_value(source) AS source
    FROM query_table(sessions_table)
    GROUP BY id
),
tasks AS (
    -- A session can in principle carry several tasks; take one so no request is counted twice.
    SELECT session_id, min(trigger_type) AS trigger_type
    FROM query_table(tasks_table)
    WHERE session_id IS NOT NULL
    GROUP BY session_id
)
SELECT
    COALESCE(s.id, k.session_id) AS session_id,
    CASE
        WHEN s.type = 'heartbeat' THEN 'heartbeat'
        WHEN s.type IN ('task', 'consolidation', 'loop_detection') THEN 'task'
        ELSE 'main'
    END                          AS initiator,
    k.trigger_type               AS task_kind,
    s.source                     AS channel
FROM sessions AS s
FULL OUTER JOIN tasks AS k ON k.session_id = s.id;
-- axiom_requests: the canonical request rows, typed rows joined to a session map (a NULL or
-- orphaned session id is main).
CREATE OR REPLACE MACRO axiom_requests(rows_table, map_table) AS TABLE
SELECT u.request_id, u.ts, u.raw_ts, u.provider, u.model,
       COALESCE(m.initiator, 'main') AS initiator, m.task_kind, m.channel,
       u.session_id, u.prompt_tokens, u.completion_tokens, u.stored_cost,
       CAST(0 AS BIGINT) AS cache_read_tokens, CAST(0 AS BIGINT) AS cache_write_tokens,  -- Axiom records none
       CAST(0 AS BIGINT) AS cache_write_1h_tokens, CAST(NULL AS VARCHAR) AS project
FROM query_table(rows_table) AS u
LEFT JOIN query_table(map_table) AS m ON m.session_id = u.session_id;
-- The direct path: every query reads the attached file through these views.
CREATE OR REPLACE VIEW axiom_rows_direct AS SELECT * FROM axiom_convert('src.token_usage');
CREATE OR REPLACE VIEW axiom_sessions_direct AS SELECT * FROM axiom_session_map('src.sessions', 'src.tasks');
CREATE OR REPLACE VIEW requests AS SELECT * FROM axiom_requests('axiom_rows_direct', 'axiom_sessions_direct');

-- Sessions (SESSIONS): a session's turns are its token_usage rows, read through `filtered_requests`,
-- so cost is Axiom's rule (queries/sources/axiom.py: axiom_sessions, axiom_session).

-- name: axiom_session_list
-- Axiom sessions with requests in a UTC window, newest activity first, matching an optional search text.
SELECT
    session_id,
    min(ts)                                    AS first_at,
    max(ts)                                    AS last_at,
    count(*)                                   AS turns,
    sum(prompt_tokens)                         AS input_tokens,
    sum(completion_tokens)                     AS output_tokens,
    sum(cost)                                  AS estimated_cost,
    list(DISTINCT model ORDER BY model)        AS models,
    any_value(channel)                         AS channel,
    any_value(initiator)                       AS initiator,
    bool_or(unpriced)                          AS has_unpriced_rows
FROM filtered_requests($start_utc, $end_utc, 'UTC', NULL, NULL, $rate_model, $rate_from, $rate_until, $rate_above,
                       $rate_upto, $rate_input, $rate_output, $rate_tier,
                       $rate_cache_read, $rate_cache_write, $rate_cache_write_1h)
WHERE session_id IS NOT NULL AND session_id <> ''
  AND ($search IS NULL OR contains(lower(session_id), lower($search)))
GROUP BY session_id
ORDER BY last_at DESC, session_id
LIMIT $limit OFFSET $offset;

-- name: axiom_session_count
-- How many Axiom sessions (and requests without any session) a list of a UTC window has.
SELECT
    count(DISTINCT session_id) FILTER (WHERE session_id IS NOT NULL AND session_id <> ''
                                       AND ($search IS NULL OR contains(lower(session_id), lower($search)))) AS n,
    count(*) FILTER (WHERE session_id IS NULL OR session_id = '')                                          AS no_session
FROM filtered_requests($start_utc, $end_utc, 'UTC', NULL, NULL, $rate_model, $rate_from, $rate_until, $rate_above,
                       $rate_upto, $rate_input, $rate_output, $rate_tier,
                       $rate_cache_read, $rate_cache_write, $rate_cache_write_1h);

-- name: axiom_session_ids
-- Axiom session ids equal to, or starting with, the text asked for (at most a few).
SELECT DISTINCT session_id
FROM requests
WHERE session_id = $session_id OR starts_with(session_id, $session_id)
ORDER BY session_id
LIMIT 6;

-- name: axiom_session_turns
-- Every token_usage row of one Axiom session, oldest first, with Axiom's cost.
SELECT request_id, ts, provider, model, prompt_tokens AS input_tokens, completion_tokens AS output_tokens,
       cost AS estimated_cost, unpriced
FROM filtered_requests(CAST('0001-01-01' AS TIMESTAMP), CAST('9999-12-31' AS TIMESTAMP), 'UTC', NULL, NULL,
                       $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto, $rate_input, $rate_output, $rate_tier,
                       $rate_cache_read, $rate_cache_write, $rate_cache_write_1h)
WHERE session_id = $session_id
ORDER BY ts, request_id;
