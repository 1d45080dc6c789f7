-- Budgets and what-if pricing (issue 14; queries/budgets.py). Both read the canonical
-- `requests` view through usage.sql's filtered_requests macro, so a cost here is the same
-- exact DECIMAL the Token Usage page sums.
--
-- Columns that only some kinds' `requests` views carry (LiteLLM's api_key and team, issue 13)
-- are added as NULL by `UNION ALL BY NAME` with an empty row of them: a view that has them keeps
-- its own values, one that has not reads NULL, and the SQL never has to be built per kind. The
-- cache counts and project are in every kind's view (the canonical shape).

-- name: budget_daily_cost_by
-- Per display-zone day of the range (zero days too): the cost of the requests of one project, key or team.
-- `$scope_dimension` names the dimension (project, key, team: the canonical columns project,
-- api_key, team of issues 12 and 13); a view without the column reads NULL and matches nothing.
WITH req AS (
    SELECT * FROM filtered_requests($start_utc, $end_utc, $tz, $provider, $model,
                                    $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto,
                                    $rate_input, $rate_output, $rate_tier, $rate_cache_read,
                                    $rate_cache_write, $rate_cache_write_1h)
    UNION ALL BY NAME
    SELECT CAST(NULL AS VARCHAR) AS project, CAST(NULL AS VARCHAR) AS api_key, CAST(NULL AS VARCHAR) AS team
    WHERE false
),
days AS (
    SELECT CAST(g.d AS DATE) AS day
    FROM generate_series(CAST($from_day AS DATE), CAST($until_day AS DATE), INTERVAL 1 DAY) AS g(d)
),
per_day AS (
    SELECT day, sum(cost) AS cost
    FROM req
    WHERE CASE $scope_dimension WHEN 'project' THEN project WHEN 'key' THEN api_key WHEN 'team' THEN team END
          = $scope_value
    GROUP BY day
)
SELECT days.day, COALESCE(per_day.cost, CAST(0 AS DECIMAL(38, 15))) AS cost
FROM days LEFT JOIN per_day USING (day)
ORDER BY days.day;

-- name: whatif_by_model
-- Per (provider, model): the actual cost and the cost had every request used the target price.
-- The target schedule arrives as `whatif_rate_*` lists (pricing.PriceBook.schedule_params with
-- a prefix). `$target_model` NULL prices each request by its own model in that table (another
-- price table); a model id prices every request by that one model's schedule. A request's size
-- for a long-context tier is its input tokens with cache reads and writes, as pricing.py states.
WITH sized AS (
    -- every kind's `requests` has the three cache counts (the canonical shape; 0 where none)
    SELECT *, cache_read_tokens AS cr, cache_write_tokens AS cw, cache_write_1h_tokens AS cw1h,
           prompt_tokens + cache_read_tokens + cache_write_tokens + cache_write_1h_tokens AS input_size
    FROM filtered_requests($start_utc, $end_utc, $tz, $provider, $model,
                           $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto,
                           $rate_input, $rate_output, $rate_tier, $rate_cache_read,
                           $rate_cache_write, $rate_cache_write_1h)
),
target AS (
    SELECT * FROM rate_rows($whatif_rate_model, $whatif_rate_from, $whatif_rate_until, $whatif_rate_above,
                            $whatif_rate_upto, $whatif_rate_input, $whatif_rate_output, $whatif_rate_tier,
                            $whatif_rate_cache_read, $whatif_rate_cache_write, $whatif_rate_cache_write_1h)
),
priced AS (
    SELECT s.provider, s.model, s.cost,
           CAST((s.prompt_tokens * t.input + s.completion_tokens * t.output + s.cr * t.cache_read
                 + s.cw * t.cache_write + s.cw1h * t.cache_write_1h)
                * CAST(0.000001 AS DECIMAL(7, 6)) AS DECIMAL(38, 15))    AS whatif_cost,
           t.model IS NULL                                              AS whatif_unpriced
    FROM sized AS s
    LEFT JOIN target AS t
           ON t.model = COALESCE(CAST($target_model AS VARCHAR), s.model)
          AND (t.valid_from IS NULL OR s.ts >= t.valid_from) AND (t.valid_until IS NULL OR s.ts < t.valid_until)
          AND (t.above < 0 OR s.input_size > t.above)
          AND (t.upto IS NULL OR s.input_size <= t.upto)
)
SELECT provider, model, count(*) AS requests,
       sum(cost)                                                        AS actual_cost,
       COALESCE(sum(whatif_cost), CAST(0 AS DECIMAL(38, 15)))            AS whatif_cost,
       count(*) FILTER (WHERE whatif_unpriced)                          AS whatif_unpriced_requests
FROM priced
GROUP BY provider, model
ORDER BY actual_cost DESC, requests DESC, provider, model;
