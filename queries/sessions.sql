-- The session inspector: sessions with their totals, and one session's turns.
-- Axiom: a session's turns are its token_usage rows (read through `filtered_requests`, so
-- cost is Axiom's rule). Claude Code: the JSONL logs under a projects directory, read by
-- DuckDB's read_json_objects; each API response (message id + request id) counts once.

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
FROM filtered_requests($start_utc, $end_utc, 'UTC', NULL, NULL, $price_model, $price_input, $price_output)
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
FROM filtered_requests($start_utc, $end_utc, 'UTC', NULL, NULL, $price_model, $price_input, $price_output);

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
                       $price_model, $price_input, $price_output)
WHERE session_id = $session_id
ORDER BY ts, request_id;

-- name: claude_load_files
-- The log files to read, each with its project, its session by path and whether it is a subagent file.
CREATE OR REPLACE TABLE claude_files AS
SELECT unnest($files) AS filename, unnest($projects) AS project, unnest($path_sessions) AS path_session,
       unnest($subagent_files) AS subagent_file;

-- name: claude_load_lines
-- Every line of the listed files as JSON; a malformed line arrives as NULL (counted, then skipped).
CREATE OR REPLACE TABLE claude_lines AS
SELECT filename, json AS line
FROM read_json_objects($files, format = 'newline_delimited', ignore_errors = true, filename = true);

-- name: claude_no_files
-- The empty tables of a projects directory without any log file.
CREATE OR REPLACE TABLE claude_files (filename VARCHAR, project VARCHAR, path_session VARCHAR, subagent_file BOOLEAN);
CREATE OR REPLACE TABLE claude_lines (filename VARCHAR, line JSON);

-- name: claude_build_turns
-- One row per assistant API response (deduplicated on message id + request id), and the line counts.
CREATE OR REPLACE TABLE claude_line_kinds AS
SELECT
    l.filename,
    l.line,
    CASE
        WHEN l.line IS NULL OR json_type(l.line) <> 'OBJECT' THEN 'malformed'
        WHEN json_extract_string(l.line, '$.type') <> 'assistant' OR json_extract_string(l.line, '$.type') IS NULL
            THEN 'other'
        WHEN COALESCE(json_type(l.line, '$.message.usage'), '') <> 'OBJECT' THEN 'malformed'
        ELSE 'turn'
    END AS kind
FROM claude_lines AS l;
CREATE OR REPLACE TABLE claude_turns AS
WITH lines AS (
    SELECT
        f.project,
        COALESCE(NULLIF(json_extract_string(k.line, '$.sessionId'), ''), f.path_session) AS session_id,
        json_extract_string(k.line, '$.message.id')                                       AS message_id,
        json_extract_string(k.line, '$.requestId')                                        AS request_id,
        COALESCE(json_extract_string(k.line, '$.message.model'), '')                      AS model,
        TRY_CAST(json_extract_string(k.line, '$.timestamp') AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS ts,
        GREATEST(COALESCE(TRY_CAST(json_extract(k.line, '$.message.usage.input_tokens') AS BIGINT), 0), 0)
                                                                                          AS input_tokens,
        GREATEST(COALESCE(TRY_CAST(json_extract(k.line, '$.message.usage.output_tokens') AS BIGINT), 0), 0)
                                                                                          AS output_tokens,
        GREATEST(COALESCE(TRY_CAST(json_extract(k.line, '$.message.usage.cache_read_input_tokens') AS BIGINT), 0), 0)
                                                                                          AS cache_read_tokens,
        GREATEST(COALESCE(TRY_CAST(json_extract(k.line, '$.message.usage.cache_creation_input_tokens') AS BIGINT), 0), 0)
                                                                                          AS cache_write_tokens,
        f.subagent_file OR COALESCE(TRY_CAST(json_extract(k.line, '$.isSidechain') AS BOOLEAN), false)
                                                                                          AS subagent,
        json_extract_string(k.line, '$.cwd')                                              AS cwd,
        k.filename
    FROM claude_line_kinds AS k
    JOIN claude_files AS f USING (filename)
    WHERE k.kind = 'turn'
)
SELECT *
FROM lines
-- One API response is written on several lines; usage only grows while it streams, so keep the
-- line with the most output tokens (then the earliest). Lines without both ids cannot be matched.
QUALIFY message_id IS NULL OR request_id IS NULL
     OR row_number() OVER (PARTITION BY message_id, request_id
                           ORDER BY output_tokens DESC, ts NULLS LAST, filename) = 1;

-- name: claude_counts
-- Files, lines by kind, and turn lines dropped as duplicates of one API response.
SELECT
    (SELECT count(*) FROM claude_files)                                   AS files,
    (SELECT count(*) FROM claude_line_kinds WHERE kind = 'malformed')     AS malformed_lines,
    (SELECT count(*) FROM claude_line_kinds WHERE kind = 'turn')
        - (SELECT count(*) FROM claude_turns)                             AS duplicate_lines,
    (SELECT count(*) FROM claude_turns)                                   AS turns;

-- name: claude_models
-- Every model id in the logs, for price resolution.
SELECT DISTINCT model FROM claude_turns ORDER BY model;

-- name: define_claude_priced_turns
-- Table macro: deduplicated turns, each with its cost (four rates; tier-2 requests at tier2_multiplier x).
CREATE OR REPLACE MACRO claude_priced_turns(price_model, price_input, price_output, price_cache_read,
                                            price_cache_write, tier2_multiplier, tier2_limit) AS TABLE
WITH prices AS (
    SELECT unnest(price_model) AS model, unnest(price_input) AS input, unnest(price_output) AS output,
           unnest(price_cache_read) AS cache_read, unnest(price_cache_write) AS cache_write
)
SELECT
    t.*,
    (t.input_tokens + t.cache_read_tokens + t.cache_write_tokens > tier2_limit) AS tier2,
    COALESCE((t.input_tokens * p.input + t.output_tokens * p.output + t.cache_read_tokens * p.cache_read
              + t.cache_write_tokens * p.cache_write) / 1e6, 0)
        * CASE WHEN t.input_tokens + t.cache_read_tokens + t.cache_write_tokens > tier2_limit
               THEN tier2_multiplier ELSE 1 END                                           AS cost,
    (p.model IS NULL AND t.input_tokens + t.output_tokens + t.cache_read_tokens + t.cache_write_tokens > 0)
                                                                                          AS unpriced
FROM claude_turns AS t
LEFT JOIN prices AS p ON p.model = t.model;

-- name: claude_session_list
-- Claude Code sessions with turns in a UTC window, newest activity first, matching an optional search text.
SELECT
    session_id,
    any_value(project)                         AS project,
    min(ts)                                    AS first_at,
    max(ts)                                    AS last_at,
    count(*)                                   AS turns,
    count(*) FILTER (WHERE subagent)           AS subagent_turns,
    sum(input_tokens)                          AS input_tokens,
    sum(output_tokens)                         AS output_tokens,
    sum(cache_read_tokens)                     AS cache_read_tokens,
    sum(cache_write_tokens)                    AS cache_write_tokens,
    sum(cost)                                  AS estimated_cost,
    list(DISTINCT model ORDER BY model)        AS models,
    any_value(cwd)                             AS cwd,
    bool_or(unpriced)                          AS has_unpriced_rows
FROM claude_priced_turns($price_model, $price_input, $price_output, $price_cache_read, $price_cache_write,
                         $tier2_multiplier, $tier2_limit)
WHERE ($start_utc IS NULL OR ts >= $start_utc) AND ($end_utc IS NULL OR ts < $end_utc)
GROUP BY session_id
HAVING $search IS NULL OR contains(lower(session_id), lower($search))
    OR contains(lower(any_value(project)), lower($search)) OR contains(lower(COALESCE(any_value(cwd), '')), lower($search))
ORDER BY last_at DESC NULLS LAST, session_id
LIMIT $limit OFFSET $offset;

-- name: claude_session_ids
-- Claude Code session ids equal to, or starting with, the text asked for (at most a few).
SELECT DISTINCT session_id
FROM claude_turns
WHERE session_id = $session_id OR starts_with(session_id, $session_id)
ORDER BY session_id
LIMIT 6;

-- name: claude_session_turns
-- Every deduplicated turn of one Claude Code session, oldest first, with its cost.
SELECT ts, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost AS estimated_cost,
       subagent, tier2, unpriced, message_id, request_id, filename, project, cwd
FROM claude_priced_turns($price_model, $price_input, $price_output, $price_cache_read, $price_cache_write,
                         $tier2_multiplier, $tier2_limit)
WHERE session_id = $session_id
ORDER BY ts NULLS LAST, filename, message_id;

-- name: claude_session_count
-- How many Claude Code sessions a list of a UTC window and search text has (for paging).
SELECT count(*) AS n
FROM (
    SELECT session_id
    FROM claude_turns
    WHERE ($start_utc IS NULL OR ts >= $start_utc) AND ($end_utc IS NULL OR ts < $end_utc)
    GROUP BY session_id
    HAVING $search IS NULL OR contains(lower(session_id), lower($search))
        OR contains(lower(any_value(project)), lower($search)) OR contains(lower(COALESCE(any_value(cwd), '')), lower($search))
);
