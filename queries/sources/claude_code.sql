-- Claude Code's session logs (`~/.claude/projects`) as a source: every JSONL line that is an
-- API response is parsed once into `cc.lines` (a DuckDB file in the cache directory, attached
-- as `cc`), deduplicated into `cc.turns`, and shown as the canonical `requests` view.
-- A refresh parses only the bytes appended to each file since the last one (claude_code.py
-- tracks size, mtime, inode and the offset of the last complete line per file in `cc.files`).
--
-- The dedupe rules (one API response = one turn): lines sharing message id + request id are one
-- response (message id alone when the line has no request id; a NULL request id is a group of
-- its own); usage only grows while a response streams, so the line with the most output tokens
-- wins (then the earliest, then the first file). Lines without a message id cannot be matched:
-- each is a turn. `<synthetic>` entries (Claude Code's own API errors) are no turns; a line that
-- is not a JSON object, or an assistant line without a usage object, is malformed (counted).

-- name: cc_create_tables
-- The persistent tables of the store: file state, parsed response lines, deduplicated turns, a version row.
CREATE TABLE IF NOT EXISTS cc.meta (schema_version INTEGER, turns_dirty BOOLEAN);
CREATE TABLE IF NOT EXISTS cc.files (
    file_id        INTEGER,
    path           VARCHAR,
    project        VARCHAR,   -- the project folder's name (Claude Code encodes the cwd in it)
    path_session   VARCHAR,   -- the session id by path (a line's own sessionId wins)
    subagent_file  BOOLEAN,   -- <project>/<session>/subagents/*.jsonl
    dev            BIGINT,
    inode          BIGINT,
    size           BIGINT,    -- the size and mtime seen when the file was last read
    mtime_ns       BIGINT,
    "offset"       BIGINT,    -- bytes read: the end of the last complete line
    tail           BLOB,      -- the last bytes before `offset`, to notice a rewrite in place
    malformed      BIGINT,
    synthetic      BIGINT,
    turn_lines     BIGINT
);
CREATE TABLE IF NOT EXISTS cc.lines (
    line_id               BIGINT,
    file_id               INTEGER,
    dkey                  VARCHAR,   -- message id + request id (NULL: no message id, a turn of its own)
    session_id            VARCHAR,
    message_id            VARCHAR,
    request_id            VARCHAR,
    model                 VARCHAR,
    ts                    TIMESTAMP,
    raw_ts                VARCHAR,   -- kept only when ts could not be read
    input_tokens          BIGINT,
    output_tokens         BIGINT,
    cache_read_tokens     BIGINT,
    cache_write_tokens    BIGINT,    -- all cache writes, 5-minute and 1-hour
    cache_write_1h_tokens BIGINT,
    sidechain             BOOLEAN,
    cwd                   VARCHAR,
    hour                  TIMESTAMP, -- ts to the UTC hour (the rollup's key)
    subagent_file         BOOLEAN    -- read from a subagent file: initiator 'task'
);
CREATE TABLE IF NOT EXISTS cc.turns AS SELECT * FROM cc.lines WITH NO DATA;
-- The turns per UTC hour x model x initiator x (input above the long-context threshold or not),
-- token sums by kind: what the Token Usage page reads when the range is whole UTC hours.
CREATE TABLE IF NOT EXISTS cc.hourly (
    hour                  TIMESTAMP,
    model                 VARCHAR,
    initiator             VARCHAR,
    big                   BOOLEAN,   -- input + cache tokens above claude_code.ROLLUP_BAND
    requests              BIGINT,
    token_rows            BIGINT,    -- requests with any token (unpriced when the model has no price)
    prompt_tokens         BIGINT,
    completion_tokens     BIGINT,
    cache_read_tokens     BIGINT,
    cache_write_tokens    BIGINT,    -- 5-minute writes
    cache_write_1h_tokens BIGINT
);

-- name: cc_parse_chunk
-- Into temp.cc_chunk: each line of the files $paths (logs read whole, or a log's appended lines copied out) classified, with a turn's fields.
CREATE OR REPLACE TEMP TABLE cc_chunk AS
WITH valid AS (
    -- A malformed line arrives as NULL (counted, then skipped); a blank line does not arrive.
    SELECT m.file_id, r.line,
           COALESCE(ltrim(r.line)[1] = '{', false)                             AS is_object,
           -- Only a line naming "assistant" can be an API response: skip the second parse elsewhere.
           contains(r.line, '"assistant"')                                     AS maybe_turn
    FROM read_json_objects($paths, format = 'newline_delimited', ignore_errors = true, filename = true) AS r(line, filename)
    JOIN temp.cc_read_map AS m ON m.read_path = r.filename
),
parts AS (
    SELECT file_id, is_object,
           CASE WHEN is_object AND maybe_turn THEN
               json_extract(line, ['$.type', '$.sessionId', '$.message.id', '$.requestId', '$.message.model',
                                   '$.timestamp', '$.message.usage', '$.isSidechain', '$.cwd']) END AS p
    FROM valid
),
fields AS (
    SELECT file_id, is_object,
           p[1] ->> '$' AS type, p[2] ->> '$' AS session_id, p[3] ->> '$' AS message_id, p[4] ->> '$' AS request_id,
           p[5] ->> '$' AS model, p[6] ->> '$' AS raw_ts, p[7] AS usage, p[8] AS sidechain, p[9] ->> '$' AS cwd
    FROM parts
),
kinds AS (
    SELECT *,
        CASE
            WHEN NOT is_object THEN 'malformed'
            WHEN type IS NULL OR type <> 'assistant' THEN 'other'
            WHEN COALESCE(json_type(usage), '') <> 'OBJECT' THEN 'malformed'
            WHEN model = '<synthetic>' THEN 'synthetic'
            ELSE 'turn'
        END AS kind
    FROM fields
)
SELECT file_id, kind, session_id, message_id, request_id, COALESCE(model, '') AS model,
       TRY_CAST(raw_ts AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS ts, raw_ts,
       CASE WHEN kind = 'turn' THEN json_extract(usage, ['$.input_tokens', '$.output_tokens', '$.cache_read_input_tokens',
                                                         '$.cache_creation_input_tokens',
                                                         '$.cache_creation.ephemeral_5m_input_tokens',
                                                         '$.cache_creation.ephemeral_1h_input_tokens']) END AS u,
       COALESCE(TRY_CAST(sidechain AS BOOLEAN), false) AS sidechain, cwd
FROM kinds;

-- name: cc_insert_chunk
-- The turn lines of temp.cc_chunk into cc.lines (line ids from $first_line_id on), with the session by path as fallback.
INSERT INTO cc.lines
SELECT
    $first_line_id + row_number() OVER () - 1                                                    AS line_id,
    c.file_id,
    CASE WHEN c.message_id IS NOT NULL
         THEN c.message_id || chr(1) || COALESCE('r' || c.request_id, 'n') END                  AS dkey,
    COALESCE(NULLIF(c.session_id, ''), f.path_session)                                           AS session_id,
    c.message_id, c.request_id, c.model, c.ts,
    CASE WHEN c.ts IS NULL THEN c.raw_ts END                                                     AS raw_ts,
    GREATEST(COALESCE(TRY_CAST(c.u[1] AS BIGINT), 0), 0)                                        AS input_tokens,
    GREATEST(COALESCE(TRY_CAST(c.u[2] AS BIGINT), 0), 0)                                        AS output_tokens,
    GREATEST(COALESCE(TRY_CAST(c.u[3] AS BIGINT), 0), 0)                                        AS cache_read_tokens,
    GREATEST(COALESCE(TRY_CAST(c.u[4] AS BIGINT), TRY_CAST(c.u[5] AS BIGINT) + TRY_CAST(c.u[6] AS BIGINT), 0), 0)
                                                                                                 AS cache_write_tokens,
    -- The 1-hour part of the cache writes (the rest are 5-minute writes), never more than all writes.
    LEAST(GREATEST(COALESCE(TRY_CAST(c.u[6] AS BIGINT), 0), 0),
          GREATEST(COALESCE(TRY_CAST(c.u[4] AS BIGINT), TRY_CAST(c.u[5] AS BIGINT) + TRY_CAST(c.u[6] AS BIGINT), 0), 0))
                                                                                                 AS cache_write_1h_tokens,
    c.sidechain,
    c.cwd,
    date_trunc('hour', c.ts)                                                                     AS hour,
    f.subagent_file
FROM temp.cc_chunk AS c
JOIN cc.files AS f USING (file_id)
WHERE c.kind = 'turn';

-- name: cc_chunk_counts
-- Per file of temp.cc_chunk: its malformed, synthetic and turn lines.
SELECT file_id,
       count(*) FILTER (WHERE kind = 'malformed') AS malformed,
       count(*) FILTER (WHERE kind = 'synthetic') AS synthetic,
       count(*) FILTER (WHERE kind = 'turn')      AS turn_lines
FROM temp.cc_chunk
GROUP BY file_id;

-- name: cc_rebuild_turns
-- Every turn again from cc.lines (after the first load, or a store whose last build did not finish).
DELETE FROM cc.turns;
INSERT INTO cc.turns
SELECT l.*
FROM cc.lines AS l
JOIN cc.files AS f USING (file_id)
QUALIFY l.dkey IS NULL
     OR row_number() OVER (PARTITION BY l.dkey ORDER BY l.output_tokens DESC, l.ts NULLS LAST, f.path, l.line_id) = 1;

-- name: cc_affected_keys
-- Into temp.cc_affected: the response keys of the lines of the files in temp.cc_gone (before they are forgotten).
CREATE OR REPLACE TEMP TABLE cc_affected AS
SELECT DISTINCT dkey FROM cc.lines
WHERE dkey IS NOT NULL AND file_id IN (SELECT file_id FROM temp.cc_gone);

-- name: cc_add_affected_keys
-- Add to temp.cc_affected the response keys of the lines from $first_line_id on (this refresh's).
INSERT INTO cc_affected
SELECT DISTINCT dkey FROM cc.lines WHERE dkey IS NOT NULL AND line_id >= $first_line_id;

-- name: cc_forget_keyless_turns
-- Remove the turns without a message id of the files in temp.cc_gone, returning their hours (the rollup's to redo).
DELETE FROM cc.turns WHERE dkey IS NULL AND file_id IN (SELECT file_id FROM temp.cc_gone) RETURNING hour;

-- name: cc_forget_files
-- Remove the lines and state of the files in temp.cc_gone (deleted, replaced or truncated).
DELETE FROM cc.lines WHERE file_id IN (SELECT file_id FROM temp.cc_gone);
DELETE FROM cc.files WHERE file_id IN (SELECT file_id FROM temp.cc_gone);

-- name: cc_delete_affected_turns
-- Remove the turns of temp.cc_affected's keys (recomputed next), returning their hours.
DELETE FROM cc.turns WHERE dkey IN (SELECT dkey FROM temp.cc_affected) RETURNING hour;

-- name: cc_insert_affected_turns
-- The turns of temp.cc_affected's keys again from every line that has them, returning their hours.
INSERT INTO cc.turns
SELECT l.*
FROM cc.lines AS l
JOIN cc.files AS f USING (file_id)
WHERE l.dkey IN (SELECT dkey FROM temp.cc_affected)
QUALIFY row_number() OVER (PARTITION BY l.dkey ORDER BY l.output_tokens DESC, l.ts NULLS LAST, f.path, l.line_id) = 1
RETURNING hour;

-- name: cc_insert_keyless_turns
-- The new lines without a message id (from $first_line_id on) as turns, returning their hours.
INSERT INTO cc.turns
SELECT * FROM cc.lines WHERE dkey IS NULL AND line_id >= $first_line_id
RETURNING hour;

-- name: cc_views
-- The canonical `requests` view (usage.sql reads it) and `claude_turns` (the Sessions page's shape), over cc.turns.
CREATE OR REPLACE VIEW claude_turns AS
SELECT t.line_id AS turn_id, f.project, t.session_id, t.message_id, t.request_id, t.model, t.ts,
       t.input_tokens, t.output_tokens, t.cache_read_tokens, t.cache_write_tokens,
       f.subagent_file OR t.sidechain AS subagent, t.cwd, f.path AS filename, t.cache_write_1h_tokens
FROM cc.turns AS t
JOIN cc.files AS f USING (file_id);
CREATE OR REPLACE VIEW requests AS
SELECT t.line_id                                         AS request_id,
       t.ts,
       t.raw_ts,
       'anthropic'                                       AS provider,
       t.model,
       CASE WHEN f.subagent_file THEN 'task' ELSE 'main' END AS initiator,
       CAST(NULL AS VARCHAR)                             AS task_kind,
       CAST(NULL AS VARCHAR)                             AS channel,
       t.session_id,
       t.input_tokens                                    AS prompt_tokens,
       t.output_tokens                                   AS completion_tokens,
       CAST(0 AS DOUBLE)                                 AS stored_cost,
       t.cache_read_tokens,
       t.cache_write_tokens - t.cache_write_1h_tokens    AS cache_write_tokens,
       t.cache_write_1h_tokens,
       COALESCE(t.cwd, f.project)                        AS project
FROM cc.turns AS t
JOIN cc.files AS f USING (file_id);

-- name: cc_counts
-- Files, malformed and synthetic lines, turn lines dropped as duplicates of one response, and turns.
SELECT
    (SELECT count(*) FROM cc.files)                                          AS files,
    (SELECT COALESCE(sum(malformed), 0) FROM cc.files)                       AS malformed_lines,
    (SELECT COALESCE(sum(synthetic), 0) FROM cc.files)                       AS synthetic_lines,
    (SELECT count(*) FROM cc.lines) - (SELECT count(*) FROM cc.turns)        AS duplicate_lines,
    (SELECT count(*) FROM cc.turns)                                          AS turns;

-- name: cc_rebuild_hourly
-- The hourly rollup again from cc.turns (the first load, or a store without one).
DELETE FROM cc.hourly;
INSERT INTO cc.hourly SELECT * FROM cc_hourly_rows($band);

-- name: cc_define_hourly_rows
-- Table macro: the turns per UTC hour x model x initiator x above/below `band` input tokens (cache included), token sums by kind.
CREATE OR REPLACE MACRO cc_hourly_rows(band) AS TABLE
SELECT t.hour,
       t.model,
       CASE WHEN t.subagent_file THEN 'task' ELSE 'main' END                             AS initiator,
       t.input_tokens + t.cache_read_tokens + t.cache_write_tokens > band                AS big,
       count(*)                                                                         AS requests,
       count(*) FILTER (WHERE t.input_tokens + t.output_tokens + t.cache_read_tokens + t.cache_write_tokens > 0)
                                                                                        AS token_rows,
       sum(t.input_tokens)                                                              AS prompt_tokens,
       sum(t.output_tokens)                                                             AS completion_tokens,
       sum(t.cache_read_tokens)                                                         AS cache_read_tokens,
       sum(t.cache_write_tokens - t.cache_write_1h_tokens)                              AS cache_write_tokens,
       sum(t.cache_write_1h_tokens)                                                     AS cache_write_1h_tokens
FROM cc.turns AS t
WHERE t.ts IS NOT NULL
GROUP BY ALL;

-- name: cc_update_hourly
-- The hourly rollup again for the hours in temp.cc_touched only (a refresh: a few hours, not the whole table).
DELETE FROM cc.hourly WHERE hour IN (SELECT hour FROM temp.cc_touched);
INSERT INTO cc.hourly
SELECT * FROM cc_hourly_rows($band) WHERE hour IN (SELECT hour FROM temp.cc_touched);

-- name: cc_define_filtered_rollup
-- Table macro: the hourly rollup rows of one filter state, priced (cache tokens at their rates), in the shape of mirror.sql's filtered_rollup (its rollup_* blocks read it).
-- Each row is priced at the rate row of its model and UTC day: the base row, or for rows above
-- the threshold the long-context row (claude_code.py uses this only when every threshold of the
-- price book is that one, so the sums equal filtered_requests' per-request costs exactly).
CREATE OR REPLACE MACRO filtered_rollup(start_utc, end_utc, tz, provider_eq, model_eq,
                                        rate_model, rate_from, rate_until, rate_above, rate_upto,
                                        rate_input, rate_output, rate_tier,
                                        rate_cache_read, rate_cache_write, rate_cache_write_1h) AS TABLE
WITH prices AS (
    SELECT * FROM rate_rows(rate_model, rate_from, rate_until, rate_above, rate_upto, rate_input, rate_output,
                            rate_tier, rate_cache_read, rate_cache_write, rate_cache_write_1h)  -- usage.sql
),
hourly AS (
    SELECT
        h.hour, 'anthropic' AS provider, h.model, h.initiator, h.requests, h.prompt_tokens, h.completion_tokens,
        CAST(0 AS DECIMAL(38, 15))                                                   AS stored_cost,
        h.prompt_tokens                                                              AS unstored_prompt,
        h.completion_tokens                                                          AS unstored_completion,
        h.token_rows                                                                 AS unpriced_rows,
        0                                                                            AS stored_rows,
        COALESCE(token_cost(h.prompt_tokens, h.completion_tokens, p.input, p.output)
                 + cache_cost(h.cache_read_tokens, h.cache_write_tokens, h.cache_write_1h_tokens,
                              p.cache_read, p.cache_write, p.cache_write_1h),
                 CAST(0 AS DECIMAL(38, 15)))                                         AS cost,
        (h.token_rows > 0 AND p.model IS NULL)                                       AS unpriced,
        CASE WHEN p.model IS NULL THEN h.token_rows ELSE 0 END                       AS unpriced_requests,
        p.input                                                                      AS price_in,
        p.output                                                                     AS price_out,
        p.tier                                                                       AS price_tier,
        h.cache_read_tokens, h.cache_write_tokens, h.cache_write_1h_tokens
    FROM cc.hourly AS h
    LEFT JOIN prices AS p
           ON p.model = h.model
          AND (p.valid_from IS NULL OR h.hour >= p.valid_from) AND (p.valid_until IS NULL OR h.hour < p.valid_until)
          AND CASE WHEN h.big THEN p.above >= 0 OR p.upto IS NULL ELSE p.above < 0 END
    WHERE h.hour >= start_utc AND h.hour < end_utc
      AND (provider_eq IS NULL OR provider_eq = 'anthropic')
      AND (model_eq IS NULL OR h.model = model_eq)
)
SELECT x.*,
       CAST(CASE WHEN tz = 'UTC' THEN x.hour ELSE timezone(tz, x.hour AT TIME ZONE 'UTC') END AS DATE) AS day
FROM hourly AS x;
