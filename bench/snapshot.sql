-- The queries behind one dashboard frame (TallyCore's SnapshotReader), for the sqlite3 baseline.
SELECT * FROM cached_daily_goals;
SELECT * FROM cached_clients ORDER BY is_active = 0, name, id;
SELECT client_id, count(*) AS n FROM cached_tasks WHERE status IN ('active', 'queued') GROUP BY client_id;
SELECT task_id FROM tally_outbox WHERE applied_at IS NULL;
SELECT count(*) FROM cached_tasks WHERE status = 'active';
SELECT * FROM cached_tasks WHERE status = 'active' ORDER BY sort_order IS NULL, sort_order, id LIMIT 60 OFFSET 0;
SELECT * FROM cached_habits WHERE coalesce(is_active, 1) != 0 ORDER BY sort_order IS NULL, sort_order, name, id;
SELECT key, value FROM cache_meta WHERE key LIKE 'lastSyncAt%';
SELECT count(*) FROM cached_clients;
SELECT count(*) FROM cached_tasks;
SELECT count(*) FROM cached_daily_goals;
SELECT count(*) FROM cached_habits;
SELECT * FROM tally_sync_jobs WHERE status = 'running' ORDER BY job_id DESC LIMIT 1;
SELECT * FROM tally_sync_jobs ORDER BY job_id DESC LIMIT 8;
SELECT * FROM tally_sync_failures WHERE resolved_at IS NULL ORDER BY id DESC LIMIT 50;
SELECT count(*) FROM tally_sync_failures WHERE resolved_at IS NULL;
SELECT namespace, hour, hits, misses FROM tally_cache_stats WHERE hour >= '2000' AND hour <= '3000';
