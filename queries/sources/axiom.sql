-- Source adapter for Axiom (formerly openagent): its token_usage table, joined with
-- sessions and tasks, mapped onto the canonical request shape (see README, "The canonical shape").
-- The attached SQLite file is the catalog `src`; every column is read as text
-- (sqlite_all_varchar) and cast here, so one odd value never breaks the page.

-- name: axiom_tables
-- The tables whose presence selects this adapter.
SELECT 'token_usage' AS table_name UNION ALL SELECT 'sessions' UNION ALL SELECT 'tasks';

-- name: axiom_requests_view
-- One row per model request; initiator follows Axiom's exact partition (NULL or orphaned session = main).
CREATE OR REPLACE VIEW requests AS
WITH session_kind AS (
    SELECT id, any_value(type) AS type, any_value(source) AS source
    FROM src.sessions
    GROUP BY id
),
task_kind AS (
    -- A session can in principle carry several tasks; take one so no request is counted twice.
    SELECT session_id, min(trigger_type) AS trigger_type
    FROM src.tasks
    WHERE session_id IS NOT NULL
    GROUP BY session_id
)
SELECT
    TRY_CAST(t.id AS BIGINT)                                        AS request_id,
    TRY_CAST(t."timestamp" AS TIMESTAMPTZ) AT TIME ZONE 'UTC'       AS ts,
    t."timestamp"                                                   AS raw_ts,
    COALESCE(t.provider, '')                                        AS provider,
    COALESCE(t.model, '')                                           AS model,
    CASE
        WHEN s.type = 'heartbeat' THEN 'heartbeat'
        WHEN s.type IN ('task', 'consolidation', 'loop_detection') THEN 'task'
        ELSE 'main'
    END                                                             AS initiator,
    k.trigger_type                                                  AS task_kind,
    s.source                                                        AS channel,
    t.session_id                                                    AS session_id,
    COALESCE(TRY_CAST(t.prompt_tokens AS BIGINT), 0)                AS prompt_tokens,
    COALESCE(TRY_CAST(t.completion_tokens AS BIGINT), 0)            AS completion_tokens,
    COALESCE(TRY_CAST(t.estimated_cost AS DOUBLE), 0)               AS stored_cost,
    CAST(0 AS BIGINT) AS cache_read_tokens, CAST(0 AS BIGINT) AS cache_write_tokens,  -- Axiom records none
    CAST(0 AS BIGINT) AS cache_write_1h_tokens, CAST(NULL AS VARCHAR) AS project
FROM src.token_usage AS t
LEFT JOIN session_kind AS s ON s.id = t.session_id
LEFT JOIN task_kind AS k ON k.session_id = t.session_id;
