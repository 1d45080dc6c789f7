-- Claude's 5-hour usage windows ("blocks", as ccusage calls them) are cut in queries/blocks.py;
-- this reads the rows they are cut from: every request of the canonical `requests` view with a
-- time, priced as the Token Usage page prices it (filtered_requests, usage.sql).

-- name: block_entries
-- Every timed request, oldest first: UTC microseconds, tokens by kind, its cost as a double, its model.
SELECT epoch_us(ts)                                           AS ts_us,
       prompt_tokens                                          AS input_tokens,
       completion_tokens                                      AS output_tokens,
       cache_read_tokens,
       cache_write_tokens + cache_write_1h_tokens             AS cache_write_tokens,
       CAST(cost AS DOUBLE)                                   AS cost,
       model
FROM filtered_requests(CAST('0001-01-01' AS TIMESTAMP), CAST('9999-12-31' AS TIMESTAMP), 'UTC', NULL, NULL,
                       $rate_model, $rate_from, $rate_until, $rate_above, $rate_upto, $rate_input, $rate_output,
                       $rate_tier, $rate_cache_read, $rate_cache_write, $rate_cache_write_1h)
ORDER BY ts, request_id;
