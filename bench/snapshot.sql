-- The queries behind one dashboard frame (TallyCore's SnapshotReader, in its order), for the
-- sqlite3 baseline of the first-frame figure. Arguments Tally binds are written as literals or
-- as the expressions that compute them. Keep it in step with SnapshotReader: it is the floor the
-- frame's own reading is measured against (docs/ARCHITECTURE.md lists each query's index).
-- The counts that grow with the table (open tasks per status and client, each contract table's
-- rows) are not here: a frame takes them from the counts kept beside the cache while no program
-- has committed since they were counted, as in every workload the benchmark makes (docs/
-- ARCHITECTURE.md, "Counts kept beside the cache").
SELECT id, date, target_points, earned_points, task_count, current_streak, longest_streak, last_goal_hit_date, daily_debt, weekly_debt, pressure_level, updated_at FROM cached_daily_goals;
SELECT * FROM cached_clients ORDER BY is_active = 0, name, id;
SELECT date, adjusted_target_points FROM tally_day_targets WHERE date >= date('now', '-40 days');
SELECT id, completed_at FROM cached_tasks WHERE completed_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', 'start of day', '-1 day') AND completed_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', 'start of day', '+2 days');
SELECT id, client_id, title, description, status, category, value_tier, effort_estimate, effort_actual, drain_type, sort_order, subtasks, created_at, updated_at, completed_at, backlog_entered_at, points_ai_guess, points_final, points_adjusted_at FROM cached_tasks WHERE id IN (SELECT id FROM cached_tasks WHERE completed_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', 'start of day') AND completed_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', 'start of day', '+1 day')) AND +status = 'done' ORDER BY completed_at DESC, id;
SELECT count(*) FROM tally_outbox WHERE applied_at IS NULL;
SELECT DISTINCT entity_id FROM tally_outbox WHERE applied_at IS NULL AND entity = 'task';
SELECT id, client_id, title, description, status, category, value_tier, effort_estimate, effort_actual, drain_type, sort_order, subtasks, created_at, updated_at, completed_at, backlog_entered_at, points_ai_guess, points_final, points_adjusted_at FROM cached_tasks WHERE status = 'active' ORDER BY sort_order IS NULL ASC, sort_order ASC, id ASC LIMIT 60 OFFSET 0;
SELECT * FROM cached_habits WHERE coalesce(is_active, 1) != 0 ORDER BY sort_order IS NULL, sort_order, name, id;
SELECT key, value FROM cache_meta WHERE key LIKE 'lastSyncAt%';
SELECT * FROM tally_sync_jobs WHERE status = 'running' ORDER BY job_id DESC LIMIT 1;
SELECT * FROM tally_sync_jobs ORDER BY job_id DESC LIMIT 8;
SELECT * FROM tally_sync_failures WHERE resolved_at IS NULL ORDER BY id DESC LIMIT 50;
SELECT count(*) FROM tally_sync_failures WHERE resolved_at IS NULL;
SELECT namespace, hour, hits, misses FROM tally_cache_stats WHERE hour >= strftime('%Y-%m-%dT%H', 'now', '-1 day') AND hour <= strftime('%Y-%m-%dT%H', 'now');
SELECT key, value FROM cache_meta WHERE key IN ('tally.verify.last', 'tally.primary.switch', 'tally.primary.identity');
SELECT habit_id, completed_at, note FROM tally_habit_checkins WHERE completed_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', 'start of day', '-30 days') AND (NULL IS NULL OR habit_id = NULL) ORDER BY completed_at;
SELECT DISTINCT habit_id FROM tally_habit_checkins WHERE pending = 1;
SELECT date, adjusted_target_points, readiness_score, energy_level, adjustment_reason FROM tally_day_energy WHERE date = date('now');
SELECT id, level, source, oura_readiness, oura_hrv, oura_sleep, note, recorded_at FROM tally_energy_states WHERE recorded_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', 'start of day') AND recorded_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', 'start of day', '+1 day') ORDER BY recorded_at DESC, id DESC;
