-- Peaks survive every range: metrics_range returns <metric>_max next to the average for every
-- rolled-up host metric the dashboard charts (it did for cpu_total only), so the charts can draw the
-- bucket maxima the rollups keep and a one-minute spike stays visible in a 7-day view. Raw rows repeat
-- the sample as its own maximum. Metrics stored in another type than their rollups (net_connections,
-- integer rolled up as real) keep averages only: the generator reads their raw maximum uncast.

update private.host_metrics set range_max = true where rollup_type is not null and value_type = rollup_type;
call private.generate_metrics_range();
