-- The Sessions capability over Claude Code's logs (claude_code_sessions.py): the deduplicated turns
-- of the Claude Code source's store (the `claude_turns` view, claude_code.sql), priced per request
-- by its day and input size.

-- name: claude_models
-- Every model id in the logs, for price resolution.
SELECT DISTINCT model FROM claude_turns ORDER BY model;

-- name: define_claude_priced_turns
-- Table macro: deduplicated turns, each priced by the rate row of its model, its UTC day and its input size.
CREATE OR REPLACE MACRO claude_priced_turns(rate_model, rate_from, rate_until, rate_above, rate_input, rate_output,
                                            rate_cache_read, rate_cache_write, rate_cache_write_1h, rate_tier) AS TABLE
WITH rates AS (
    SELECT unnest(rate_model) AS model, CAST(unnest(rate_from) AS DATE) AS valid_from,
           CAST(unnest(rate_until) AS DATE) AS valid_until, CAST(unnest(rate_above) AS BIGINT) AS above,
           unnest(rate_input) AS input, unnest(rate_output) AS output, unnest(rate_cache_read) AS cache_read,
           unnest(rate_cache_write) AS cache_write, unnest(rate_cache_write_1h) AS cache_write_1h,
           unnest(rate_tier) AS tier
),
matched AS (
    -- The row in force on the turn's day (the newest one for a turn without a time) whose
    -- threshold the turn's input, cache tokens included, exceeds most closely.
    SELECT t.*, r.model AS rate_model, r.input, r.output, r.cache_read AS r_cache_read,
           r.cache_write AS r_cache_write, r.cache_write_1h AS r_cache_write_1h, r.tier AS rate_tier
    FROM claude_turns AS t
    LEFT JOIN rates AS r
           ON r.model = t.model
          AND (r.valid_from IS NULL OR t.ts IS NULL OR t.ts >= r.valid_from)
          AND (r.valid_until IS NULL OR t.ts IS NULL OR t.ts < r.valid_until)
          AND t.input_tokens + t.cache_read_tokens + t.cache_write_tokens > r.above
    QUALIFY row_number() OVER (PARTITION BY t.turn_id ORDER BY r.valid_from DESC NULLS LAST, r.above DESC) = 1
)
SELECT
    m.* EXCLUDE (rate_model, input, output, r_cache_read, r_cache_write, r_cache_write_1h, rate_tier),
    COALESCE(m.rate_tier, '')                                                             AS tier,
    COALESCE(m.rate_tier, '') <> ''                                                       AS tier2,
    COALESCE((m.input_tokens * m.input + m.output_tokens * m.output + m.cache_read_tokens * m.r_cache_read
              + (m.cache_write_tokens - m.cache_write_1h_tokens) * m.r_cache_write
              + m.cache_write_1h_tokens * m.r_cache_write_1h) / 1e6, 0)                   AS cost,
    (m.rate_model IS NULL AND m.input_tokens + m.output_tokens + m.cache_read_tokens + m.cache_write_tokens > 0)
                                                                                          AS unpriced
FROM matched AS m;

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
FROM claude_priced_turns($rate_model, $rate_from, $rate_until, $rate_above, $rate_input, $rate_output,
                         $rate_cache_read, $rate_cache_write, $rate_cache_write_1h, $rate_tier)
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
SELECT ts, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
       cost AS estimated_cost, subagent, tier2, tier, unpriced, message_id, request_id, filename, project, cwd
FROM claude_priced_turns($rate_model, $rate_from, $rate_until, $rate_above, $rate_input, $rate_output,
                         $rate_cache_read, $rate_cache_write, $rate_cache_write_1h, $rate_tier)
WHERE session_id = $session_id
ORDER BY ts NULLS LAST, filename, message_id, turn_id;

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
