-- Aggregations behind the Token Usage page and `cli.py report`. They read only the
-- canonical `requests` view (or the mirror that replaces it), never a source table.
-- Tokens: total_tokens (and the initiator split) count every token of a request, cache reads
-- and 5-minute and 1-hour cache writes included, as ccusage's totalTokens does (README, "Cache
-- tokens"); a source without cache tokens gives 0 for them, so its totals are prompt + completion.
-- Prices arrive as bound, parallel lists (pricing.PriceBook.schedule_params: model ids, UTC
-- day range, prompt-size band, input, output, cache read, 5-minute and 1-hour cache write USD per
-- 1M tokens) so a price change never
-- needs a schema change or string-built SQL.
--
-- Money is exact: every cost is a DECIMAL(38, 15) and sums are DECIMAL sums, so a total, its
-- days and its breakdown rows are the same number however they are grouped; Python turns each
-- sum into a float once, at output. A stored cost (a double) counts to the nearest 1e-12 USD and
-- a rate (USD per 1M tokens) to the nearest 1e-9: DuckDB's own DOUBLE -> DECIMAL cast, which
-- gives the printed decimal for every cost below $1,000 with at most 12 decimals (a detour
-- through VARCHAR would be exact for all, and 200x slower). The bounds: rates up to
-- pricing.MAX_RATE and 9.2e18 tokens stay below DECIMAL(38, 15)'s 1e23; a stored cost above
-- 1e20 USD (or NaN) is no cost and counts as nothing (exact_usd is NULL).

-- name: define_filtered_requests
-- Macros of exact money (exact_usd, exact_rate, token_cost), and the table macro of one filter state's rows, each with its display-zone day and Axiom's cost.
-- A row without a stored cost is priced by the rate row of its model, its UTC day and its
-- prompt size (rate_above < prompt_tokens <= rate_upto): one row, valid always, for
-- settings.json and Axiom's defaults; the library's price history and long-context tiers.
CREATE OR REPLACE MACRO exact_usd(x) AS TRY_CAST(TRY_CAST(x AS DECIMAL(38, 12)) AS DECIMAL(38, 15));
CREATE OR REPLACE MACRO exact_rate(x) AS CAST(x AS DECIMAL(38, 9));
CREATE OR REPLACE MACRO token_cost(prompt, completion, rate_in, rate_out) AS
    CAST((prompt * rate_in + completion * rate_out) * CAST(0.000001 AS DECIMAL(7, 6)) AS DECIMAL(38, 15));
-- Cache reads, 5-minute and 1-hour cache writes at their own rates (0 for a source without cache tokens).
CREATE OR REPLACE MACRO cache_cost(cache_read, cache_write, cache_write_1h, rate_read, rate_write, rate_write_1h) AS
    CAST((cache_read * rate_read + cache_write * rate_write + cache_write_1h * rate_write_1h)
         * CAST(0.000001 AS DECIMAL(7, 6)) AS DECIMAL(38, 15));
-- rate_rows: the bound rate lists (PriceBook.schedule_params) as rows, rates exact.
CREATE OR REPLACE MACRO rate_rows(rate_model, rate_from, rate_until, rate_above, rate_upto, rate_input, rate_output,
                                  rate_tier, rate_cache_read, rate_cache_write, rate_cache_write_1h) AS TABLE
SELECT unnest(rate_model) AS model, CAST(unnest(rate_from) AS DATE) AS valid_from,
       CAST(unnest(rate_until) AS DATE) AS valid_until, CAST(unnest(rate_above) AS BIGINT) AS above,
       CAST(unnest(rate_upto) AS BIGINT) AS upto, exact_rate(unnest(rate_input)) AS input,
       exact_rate(unnest(rate_output)) AS output, CAST(unnest(rate_tier) AS VARCHAR) AS tier,
       exact_rate(unnest(rate_cache_read)) AS cache_read, exact_rate(unnest(rate_cache_write)) AS cache_write,
       exact_rate(unnest(rate_cache_write_1h)) AS cache_write_1h;
-- dimension_requests: the `requests` rows of one choice of the dimension filters (key alias, user,
-- team, end user, tag; NULL: any). A kind without those dimensions has no such columns: none of its
-- requests carries a key, so a set filter matches none of them. A kind with them (LiteLLM) replaces
-- this macro by one over its own columns (litellm.sql, define_litellm_filtered_rows).
CREATE OR REPLACE MACRO dimension_requests(key_eq, user_eq, team_eq, end_user_eq, tag_eq) AS TABLE
SELECT * FROM requests
WHERE key_eq IS NULL AND user_eq IS NULL AND team_eq IS NULL AND end_user_eq IS NULL AND tag_eq IS NULL;
CREATE OR REPLACE MACRO filtered_requests(start_utc, end_utc, tz, provider_eq, model_eq,
                                          rate_model, rate_from, rate_until, rate_above, rate_upto,
                                          rate_input, rate_output, rate_tier,
                                          rate_cache_read, rate_cache_write, rate_cache_write_1h,
                                          key_eq := NULL, user_eq := NULL, team_eq := NULL,
                                          end_user_eq := NULL, tag_eq := NULL) AS TABLE
WITH prices AS (
    SELECT * FROM rate_rows(rate_model, rate_from, rate_until, rate_above, rate_upto, rate_input, rate_output,
                            rate_tier, rate_cache_read, rate_cache_write, rate_cache_write_1h)
)
SELECT
    r.*,
    CAST(CASE WHEN tz = 'UTC' THEN r.ts
              ELSE timezone(tz, r.ts AT TIME ZONE 'UTC') END AS DATE)            AS day,
    CASE WHEN r.stored_cost > 0 THEN exact_usd(r.stored_cost)
         ELSE COALESCE(token_cost(r.prompt_tokens, r.completion_tokens, p.input, p.output)
                       + cache_cost(r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens,
                                    p.cache_read, p.cache_write, p.cache_write_1h),
                       CAST(0 AS DECIMAL(38, 15)))
    END                                                                          AS cost,
    (r.stored_cost <= 0 AND p.model IS NULL
        AND r.prompt_tokens + r.completion_tokens + r.cache_read_tokens + r.cache_write_tokens
            + r.cache_write_1h_tokens > 0)                                       AS unpriced,
    -- The tier that priced a computed cost ('' = base rate; NULL = stored cost or no price), for provenance.
    CASE WHEN r.stored_cost <= 0 THEN p.tier END                                 AS price_tier,
    p.input                                                                      AS price_in,
    p.output                                                                     AS price_out
FROM dimension_requests(key_eq, user_eq, team_eq, end_user_eq, tag_eq) AS r
LEFT JOIN prices AS p
       ON p.model = r.model
      AND (p.valid_from IS NULL OR r.ts >= p.valid_from) AND (p.valid_until IS NULL OR r.ts < p.valid_until)
      -- A tier counts the whole input, cache reads and writes included (the library's rule).
      AND (p.above < 0 OR r.prompt_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens > p.above)
      AND (p.upto IS NULL OR r.prompt_tokens + r.cache_read_tokens + r.cache_write_tokens + r.cache_write_1h_tokens <= p.upto)
WHERE r.ts >= start_utc AND r.ts < end_utc
  AND (provider_eq IS NULL OR r.provider = provider_eq)
  AND (model_eq IS NULL OR r.model = model_eq);

-- name: totals
-- Requests, tokens and estimated cost of one filter state, as a single row.
SELECT
    count(*)                                          AS requests,
    COALESCE(sum(prompt_tokens), 0)                   AS prompt_tokens,
    COALESCE(sum(completion_tokens), 0)               AS completion_tokens,
    COALESCE(sum(prompt_tokens + completion_tokens + cache_read_tokens + cache_write_tokens
                 + cache_write_1h_tokens), 0)         AS total_tokens,
    COALESCE(sum(cost), CAST(0 AS DECIMAL(38, 15)))   AS estimated_cost,
    COALESCE(sum(cache_read_tokens), 0)               AS cache_read_tokens,
    COALESCE(sum(cache_write_tokens + cache_write_1h_tokens), 0) AS cache_write_tokens
FROM filtered_requests($start_utc, $end_utc, $tz, $provider, $model,
                       $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto,
                       $rate_input, $rate_output, $rate_tier, $rate_cache_read, $rate_cache_write,
                       $rate_cache_write_1h, key_eq := $api_key, user_eq := $user_id, team_eq := $team,
                       end_user_eq := $end_user, tag_eq := $tag);

-- name: daily
-- One row per calendar day of the range, zero days included, with the initiator split.
WITH days AS (
    SELECT CAST(g.d AS DATE) AS day
    FROM generate_series(CAST($from_day AS DATE), CAST($until_day AS DATE), INTERVAL 1 DAY) AS g(d)
),
per_day AS (
    SELECT
        day,
        count(*)                                                   AS requests,
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
          FROM filtered_requests($start_utc, $end_utc, $tz, $provider, $model,
                           $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto,
                           $rate_input, $rate_output, $rate_tier, $rate_cache_read, $rate_cache_write,
                           $rate_cache_write_1h, key_eq := $api_key, user_eq := $user_id, team_eq := $team,
                           end_user_eq := $end_user, tag_eq := $tag))
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

-- name: breakdown
-- One row per (provider, model) with activity, by cost then requests, with its share of cost and where its cost came from.
SELECT
    provider,
    model,
    count(*)                                      AS requests,
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
    count(*) FILTER (WHERE stored_cost > 0)       AS stored_requests,
    count(*) FILTER (WHERE unpriced)              AS unpriced_requests,
    COALESCE(sum(cost) FILTER (WHERE stored_cost > 0), CAST(0 AS DECIMAL(38, 15))) AS stored_total,
    sum(token_cost(prompt_tokens, completion_tokens, price_in, price_out))
        FILTER (WHERE stored_cost > 0)            AS recomputed_cost,
    -- The price library's long-context tiers that priced some of the row's requests, for provenance.
    string_agg(DISTINCT price_tier, '; ' ORDER BY price_tier) FILTER (WHERE price_tier <> '') AS price_tiers
FROM filtered_requests($start_utc, $end_utc, $tz, $provider, $model,
                       $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto,
                       $rate_input, $rate_output, $rate_tier, $rate_cache_read, $rate_cache_write,
                       $rate_cache_write_1h, key_eq := $api_key, user_eq := $user_id, team_eq := $team,
                       end_user_eq := $end_user, tag_eq := $tag)
GROUP BY provider, model
ORDER BY estimated_cost DESC, requests DESC, provider, model;

-- name: provider_models
-- Every (provider, model) pair ever recorded, for the filter lists and price resolution.
SELECT provider, model, count(*) AS requests
FROM requests
GROUP BY provider, model
ORDER BY provider, model;

-- name: unparseable_timestamps
-- How many rows carry a timestamp that is neither of the known forms (they are skipped).
SELECT count(*) AS rows, any_value(raw_ts) AS example
FROM requests
WHERE ts IS NULL;

-- name: project_breakdown
-- One row per project (requests.project: Claude Code's session cwd) with activity, by cost then requests; the same priced rows as `breakdown`, so the rows sum to the totals' cost exactly.
SELECT
    project,
    count(*)                                      AS requests,
    sum(prompt_tokens)                            AS prompt_tokens,
    sum(completion_tokens)                        AS completion_tokens,
    sum(cache_read_tokens)                        AS cache_read_tokens,
    sum(cache_write_tokens + cache_write_1h_tokens) AS cache_write_tokens,
    sum(prompt_tokens + completion_tokens + cache_read_tokens + cache_write_tokens
        + cache_write_1h_tokens)                  AS total_tokens,
    sum(cost)                                     AS estimated_cost,
    count(*) FILTER (WHERE unpriced)              AS unpriced_requests
FROM filtered_requests($start_utc, $end_utc, $tz, $provider, $model,
                       $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto,
                       $rate_input, $rate_output, $rate_tier, $rate_cache_read, $rate_cache_write,
                       $rate_cache_write_1h, key_eq := $api_key, user_eq := $user_id, team_eq := $team,
                       end_user_eq := $end_user, tag_eq := $tag)
GROUP BY project
ORDER BY estimated_cost DESC, requests DESC, project NULLS LAST;
